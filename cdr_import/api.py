"""REST API of the cdr_import app: the imports (list with filters, detail, deposit, rejected rows
as JSON and CSV, reprocess, the archived file) and the feed's folders (status, fetch now).
Thin: parse, call a service or selector, serialise; long work goes to the worker (202)."""

import datetime as dt
from typing import Any, cast

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from cdr_import import selectors
from cdr_import.models import FeedFolder, FeedType, Import, ImportStatus, RejectedRow
from cdr_import.profiles import DEFAULT_PROFILE
from cdr_import.services_deposits import import_deposit, import_reprocess_refusal
from cdr_import.services_polling import feed_folder_paths, feed_folders_ensure
from cdr_import.tasks import feed_folder_fetch, import_deposit_run, import_reprocess_run, queue_after_commit
from cdr_import.views import rejected_csv_name, rejected_rows_csv
from core.downloads import attachment_response
from core.errors import ApplicationError
from customers.models import Customer


class ImportSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.number", read_only=True, default=None)
    duplicate_of: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Import
        fields = [
            "id", "source", "path", "original_name", "size", "sha256", "feed_type", "family", "flow",
            "profile", "billing_period", "customer", "customer_number", "status", "reason", "duplicate_of",
            "rows", "imported", "known", "corrected", "rejected", "unrated", "unknown_line",
            "progress_done", "progress_total", "timings", "received_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class DepositSerializer(serializers.Serializer):
    file = serializers.FileField()
    feed_type = serializers.ChoiceField(choices=FeedType.choices, required=False, allow_blank=True)
    flow = serializers.CharField(required=False, allow_blank=True, max_length=40)
    customer = serializers.CharField(required=False, allow_blank=True, help_text="the customer's number")
    profile = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="a reading profile's code (default: the tenant's profile for the file's type and flow)",
    )


class ReprocessSerializer(serializers.Serializer):
    feed_type = serializers.ChoiceField(choices=FeedType.choices, required=False, allow_blank=True)


class RejectedRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = RejectedRow
        fields = ["line", "field", "reason", "raw"]
        read_only_fields = fields


class FeedFolderSerializer(serializers.ModelSerializer):
    paths = serializers.SerializerMethodField()

    class Meta:
        model = FeedFolder
        fields = [
            "key", "paths", "enabled", "every_hours", "from_hour", "to_hour", "days", "last_run_at",
            "last_success_at", "last_error_at", "last_error", "failures", "retry_at", "files_taken",
        ]  # fmt: skip
        read_only_fields = fields

    def get_paths(self, folder: FeedFolder) -> list[str]:
        return feed_folder_paths(folder.key, kind=self.context["kind"])


IMPORT_FILTERS = [
    OpenApiParameter("status", str, enum=ImportStatus.values),
    OpenApiParameter("feed_type", str, enum=FeedType.values),
    OpenApiParameter("flow", str),
    OpenApiParameter("customer", str, description="the customer's number"),
    OpenApiParameter("received_from", OpenApiTypes.DATE),
    OpenApiParameter("received_to", OpenApiTypes.DATE),
]


class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The imports of feed files: filter, read, deposit (202: the worker reads it), the rejected
    rows (JSON or CSV), reprocess (202), the archived original."""

    serializer_class = ImportSerializer
    permission_classes = [HasCapability("imports.run", read="imports.view")]

    def get_queryset(self) -> Any:
        params = self.request.query_params
        bounds: dict[str, dt.date | None] = {}
        for name in ("received_from", "received_to"):
            try:
                bounds[name] = dt.date.fromisoformat(params[name]) if params.get(name) else None
            except ValueError:
                raise ApplicationError(_("A date like 2026-10-21 is expected."), field=name) from None
        return selectors.import_list(
            status=params.get("status", ""),
            feed_type=params.get("feed_type", ""),
            flow=params.get("flow", ""),
            customer_number=params.get("customer", ""),
            received_from=bounds["received_from"],
            received_to=bounds["received_to"],
        )

    @extend_schema(parameters=IMPORT_FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": DepositSerializer}, responses={202: ImportSerializer})
    def create(self, request: Request) -> Response:
        incoming = DepositSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        customer = None
        if values.get("customer"):
            customer = Customer.objects.filter(number=values["customer"]).first()
            if customer is None:
                raise ApplicationError(
                    _("No customer has the number %(number)s.") % {"number": values["customer"]},
                    field="customer",
                )
        upload = values["file"]
        feed_import, to_run = import_deposit(
            data=upload,
            filename=upload.name or "",
            by=cast(User, request.user),
            now=timezone.now(),
            feed_type=values.get("feed_type") or "",
            flow=values.get("flow") or "",
            customer=customer,
            profile=values.get("profile") or DEFAULT_PROFILE,
            context=AuditContext.from_request(request),
        )
        if to_run:
            queue_after_commit(import_deposit_run, feed_import.pk, request.user.pk)
        return Response(ImportSerializer(feed_import).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=RejectedRowSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="rejected-rows")
    def rejected_rows(self, request: Request, pk: str) -> Response:
        rows = selectors.rejected_row_list(feed_import=self.get_object())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RejectedRowSerializer(page, many=True).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="rejected-rows.csv")
    def rejected_rows_csv(self, request: Request, pk: str) -> HttpResponse:
        feed_import = self.get_object()
        return attachment_response(rejected_rows_csv(feed_import), rejected_csv_name(feed_import), "text/csv")

    @extend_schema(request=ReprocessSerializer, responses={202: ImportSerializer})
    @action(detail=True, methods=["post"])
    def reprocess(self, request: Request, pk: str) -> Response:
        feed_import = self.get_object()
        incoming = ReprocessSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if refusal := import_reprocess_refusal(feed_import):
            raise ApplicationError(refusal)
        queue_after_commit(
            import_reprocess_run,
            feed_import.pk,
            request.user.pk,
            incoming.validated_data.get("feed_type") or "",
        )
        return Response(ImportSerializer(feed_import).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str) -> HttpResponse:
        feed_import = self.get_object()
        if not feed_import.archived_file:
            raise Http404
        with feed_import.archived_file.open("rb") as handle:
            content = handle.read()
        return attachment_response(content, feed_import.original_name, "application/octet-stream")

    def get_parsers(self) -> Any:
        if getattr(self, "action", None) == "create" or self.request is None:
            return [MultiPartParser()]
        return super().get_parsers()


class FeedFolderViewSet(viewsets.GenericViewSet):
    """The feed's polled folders (rhythm, last success, last error) and "fetch now" (202)."""

    serializer_class = FeedFolderSerializer
    permission_classes = [HasCapability("imports.run", read="imports.view")]
    lookup_field = "key"
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.feed_folder_list()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "kind": selectors.feed_tenant().kind}

    def list(self, request: Request) -> Response:
        feed_folders_ensure(kind=selectors.feed_tenant().kind)
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @extend_schema(request=None, responses={202: FeedFolderSerializer})
    @action(detail=True, methods=["post"])
    def fetch(self, request: Request, key: str) -> Response:
        folder = self.get_object()
        queue_after_commit(feed_folder_fetch, folder.pk, request.user.pk)
        return Response(self.get_serializer(folder).data, status=status.HTTP_202_ACCEPTED)
