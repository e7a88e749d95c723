"""REST API of the catalogue: read everything, write with catalogue.write; nothing is deleted."""

import datetime as dt
from typing import Any, cast

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from core.downloads import attachment_response
from offers import selectors, services
from offers.models import Allowance, Offer, Option, Product, Rate, RateTable, Terminal
from offers.tasks import rate_table_import_start


class AllowanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Allowance
        fields = ["event_type", "zones", "origin_zones", "quantity", "unit", "unlimited"]


class OfferSerializer(serializers.ModelSerializer):
    allowances = AllowanceSerializer(many=True, required=False)
    # The options a line of this offer may take, by id; not given on a PATCH: unchanged.
    options = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Option.objects.all())
    commitment_choices = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "code",
            "label",
            "price",
            "vat_rate",
            "billing_timing",
            "prorated",
            "commitment_none",
            "commitment_12",
            "commitment_24",
            "commitment_choices",
            "termination_rule",
            "default_rate_table",
            "valid_from",
            "valid_to",
            "archived",
            "allowances",
            "options",
        ]
        read_only_fields = ["archived"]


class OptionSerializer(serializers.ModelSerializer):
    allowances = AllowanceSerializer(many=True, required=False)

    class Meta:
        model = Option
        fields = ["id", "code", "label", "price", "vat_rate", "data_speed", "archived", "allowances"]
        read_only_fields = ["archived"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "code", "label", "kind", "recurring", "price", "vat_rate", "archived"]
        read_only_fields = ["archived"]


class TerminalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Terminal
        fields = [
            "id",
            "code",
            "label",
            "brand",
            "model",
            "price",
            "instalment_months",
            "instalment_price",
            "rental_price",
            "vat_rate",
            "archived",
        ]
        read_only_fields = ["archived"]


class CatalogueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Read and write an item kind through its typed services (create, update); `archive` and
    `restore` instead of delete."""

    permission_classes = [HasCapability("catalogue.write", read="catalogue.view")]
    list_selector: Any = None
    create_service: Any = None
    update_service: Any = None
    item_arg = ""

    def get_queryset(self):  # type: ignore[no-untyped-def]
        archived = self.request.query_params.get("archived")
        flag = None if archived == "all" else archived == "1"
        if self.action != "list":
            flag = None
        return type(self).list_selector(search=self.request.query_params.get("q", ""), archived=flag)

    def _fields(self, serializer: serializers.ModelSerializer, *, current: bool) -> dict[str, Any]:
        """The service's keywords: the fields given (on a PATCH, the others keep their current
        value); `allowances` and `options` only when given (None: unchanged)."""
        data: dict[str, Any] = {}
        if current:
            data = {
                str(field.source): getattr(serializer.instance, str(field.source))
                for field in serializer.fields.values()
                if not field.read_only and field.source not in ("allowances", "options")
            }
        data.update(serializer.validated_data)
        if data.get("allowances") is not None:
            data["allowances"] = [dict(a) for a in data["allowances"]]
        return data

    def perform_create(self, serializer):  # type: ignore[no-untyped-def]
        serializer.instance = type(self).create_service(
            by=cast(User, self.request.user),
            context=AuditContext.from_request(self.request),
            **self._fields(serializer, current=False),
        )

    def perform_update(self, serializer):  # type: ignore[no-untyped-def]
        serializer.instance = type(self).update_service(
            **{self.item_arg: serializer.instance},
            by=cast(User, self.request.user),
            context=AuditContext.from_request(self.request),
            **self._fields(serializer, current=True),
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        item = services.catalogue_item_archive(
            item=self.get_object(),
            by=cast(User, request.user),
            archived=True,
            context=AuditContext.from_request(request),
        )
        return Response(self.get_serializer(item).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        item = services.catalogue_item_archive(
            item=self.get_object(),
            by=cast(User, request.user),
            archived=False,
            context=AuditContext.from_request(request),
        )
        return Response(self.get_serializer(item).data)


class OfferViewSet(CatalogueViewSet):
    serializer_class = OfferSerializer
    list_selector = staticmethod(selectors.offer_list)
    create_service = staticmethod(services.offer_create)
    update_service = staticmethod(services.offer_update)
    item_arg = "offer"


class OptionViewSet(CatalogueViewSet):
    serializer_class = OptionSerializer
    list_selector = staticmethod(selectors.option_list)
    create_service = staticmethod(services.option_create)
    update_service = staticmethod(services.option_update)
    item_arg = "option"


class ProductViewSet(CatalogueViewSet):
    serializer_class = ProductSerializer
    list_selector = staticmethod(selectors.product_list)
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    item_arg = "product"


class TerminalViewSet(CatalogueViewSet):
    serializer_class = TerminalSerializer
    list_selector = staticmethod(selectors.terminal_list)
    create_service = staticmethod(services.terminal_create)
    update_service = staticmethod(services.terminal_update)
    item_arg = "terminal"


class RateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rate
        fields = [
            "id",
            "prefix",
            "destination",
            "zone",
            "event_type",
            "origin_zone",
            "price",
            "unit",
            "first_increment",
            "next_increment",
            "connection_fee",
            "valid_from",
        ]


class RateTableSerializer(serializers.ModelSerializer):
    class Meta:
        model = RateTable
        fields = ["id", "code", "label", "kind", "base_table", "markup_fixed", "markup_percent", "archived"]
        read_only_fields = ["archived"]


class RateTableViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Rate tables; their rows in force at a date, uploads (all or nothing) and exports."""

    serializer_class = RateTableSerializer
    permission_classes = [HasCapability("catalogue.write", read="catalogue.view")]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        archived = None if self.action != "list" else self.request.query_params.get("archived") == "1"
        return selectors.rate_table_list(search=self.request.query_params.get("q", ""), archived=archived)

    def perform_create(self, serializer):  # type: ignore[no-untyped-def]
        serializer.instance = services.rate_table_create(
            data=dict(serializer.validated_data),
            by=cast(User, self.request.user),
            context=AuditContext.from_request(self.request),
        )

    def perform_update(self, serializer):  # type: ignore[no-untyped-def]
        serializer.instance = services.rate_table_update(
            table=serializer.instance,
            data=dict(serializer.validated_data),
            by=cast(User, self.request.user),
            context=AuditContext.from_request(self.request),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description="date (default today)"),
            OpenApiParameter("prefix", str),
            OpenApiParameter("destination", str),
        ],
        responses=RateSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def rates(self, request: Request, pk: str | None = None) -> Response:
        table = self.get_object()
        on_text = request.query_params.get("on", "")
        try:
            on = dt.date.fromisoformat(on_text) if on_text else timezone.localdate()
        except ValueError:
            return Response({"detail": "on: YYYY-MM-DD"}, status=400)
        rows = selectors.rate_list_in_force(
            table=table,
            on=on,
            prefix=request.query_params.get("prefix", ""),
            destination=request.query_params.get("destination", ""),
        )
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(RateSerializer(page, many=True).data)
        return Response(RateSerializer(rows, many=True).data)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("RateUpload", {"file": serializers.FileField()})},
        responses={
            201: inline_serializer(
                "RateUploadResult",
                {
                    "rows": serializers.IntegerField(),
                    "file": serializers.CharField(),
                    "notes": serializers.ListField(child=serializers.CharField()),
                },
            ),
            202: inline_serializer(
                "RateUploadJob", {"job": serializers.IntegerField(), "url": serializers.CharField()}
            ),
        },
        description="A small file is applied at once (201). A large one (see "
        "`RATE_FILE_WORKER_FROM_BYTES`) is read by a worker: 202 with the job to follow "
        "(`GET /api/v1/jobs/<id>/`; a refused file ends it as failed, its faults in `result`).",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def upload(self, request: Request, pk: str | None = None) -> Response:
        table = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"detail": "file: required"}, status=400)
        if selectors.rate_file_goes_to_worker(upload=upload):
            job = rate_table_import_start(
                table=table,
                upload=upload,
                by=cast(User, request.user),
                now=timezone.now(),
                context=AuditContext.from_request(request),
            )
            return Response(
                {"job": job.pk, "url": reverse("api-job-detail", args=[job.pk])},
                status=status.HTTP_202_ACCEPTED,
            )
        result = services.rate_table_import(
            table=table,
            data=services.rate_file_read(upload=upload),
            filename=upload.name or "rates.csv",
            by=cast(User, request.user),
            today=timezone.localdate(),
            context=AuditContext.from_request(request),
        )
        return Response(
            {"rows": result.row_count, "file": result.filename, "notes": getattr(result, "notes", [])},
            status=201,
        )

    @extend_schema(
        parameters=[OpenApiParameter("file_format", str, enum=["csv", "xlsx"])],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        file_format = request.query_params.get("file_format", "csv")
        content, name, content_type = selectors.rate_table_export(
            table=self.get_object(), file_format="xlsx" if file_format == "xlsx" else "csv"
        )
        return attachment_response(content, name, content_type)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        table = services.rate_table_archive(
            table=self.get_object(),
            by=cast(User, request.user),
            archived=True,
            context=AuditContext.from_request(request),
        )
        return Response(self.get_serializer(table).data)
