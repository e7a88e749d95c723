"""REST API of the provisioning app: SIM stock (list, read, import, PIN/PUK reveal, stock summary)
and the RIO check. Thin: parse, call a service or selector, serialise."""

from dataclasses import asdict
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import HasCapability
from audit.context import AuditContext
from provisioning import selectors, services
from provisioning.models import Sim
from provisioning.rio import rio_check


class SimSerializer(serializers.ModelSerializer):
    profile: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Sim
        fields = [
            "id",
            "iccid",
            "imsi",
            "msisdn",
            "state",
            "order_ref",
            "profile",
            "state_changed_at",
            "created_at",
        ]
        read_only_fields = fields


class SimCodesSerializer(serializers.Serializer):
    pin1 = serializers.CharField()
    puk1 = serializers.CharField()
    pin2 = serializers.CharField()
    puk2 = serializers.CharField()


class StockRowSerializer(serializers.Serializer):
    order_ref = serializers.CharField()
    profile = serializers.CharField()
    available = serializers.IntegerField()
    reserved = serializers.IntegerField()
    in_use = serializers.IntegerField()
    total = serializers.IntegerField()


class StockSummarySerializer(serializers.Serializer):
    available = serializers.IntegerField()
    threshold = serializers.IntegerField()
    low = serializers.BooleanField()
    rows = StockRowSerializer(many=True)


class SimImportResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    order_refs = serializers.ListField(child=serializers.CharField())
    profiles_created = serializers.ListField(child=serializers.CharField())


class SimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The SIM stock: search (`q` on ICCID, IMSI or MSISDN, `state`, `order_ref`, `profile`),
    import a listing (all or nothing), reveal a SIM's codes (audited), the stock summary."""

    serializer_class = SimSerializer
    permission_classes = [HasCapability("lines.write", read="lines.view")]

    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.action == "codes":
            return [HasCapability("secrets.reveal")()]
        return super().get_permissions()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        if self.action != "list":
            return Sim.objects.select_related("profile")
        return selectors.sim_list(
            search=params.get("q", ""),
            state=params.get("state", ""),
            order_ref=params.get("order_ref", ""),
            profile=params.get("profile", ""),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="ICCID, IMSI or MSISDN (or their beginning)"),
            OpenApiParameter("state", str),
            OpenApiParameter("order_ref", str),
            OpenApiParameter("profile", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer("SimImportInput", {"file": serializers.FileField()})
        },
        responses={201: SimImportResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_listing(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["A SIM listing (CSV or XLSX) is required."]})
        result = services.sim_import(
            data=upload.read(),
            filename=upload.name or "sims.csv",
            by=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(SimImportResultSerializer(asdict(result)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SimCodesSerializer)
    @action(detail=True, methods=["post"])
    def codes(self, request: Request, pk: str | None = None) -> Response:
        codes = services.sim_codes_reveal(
            sim=self.get_object(),
            by=request.user,  # type: ignore[arg-type]
            context=AuditContext.from_request(request),
        )
        return Response(SimCodesSerializer(asdict(codes)).data)

    @extend_schema(responses=StockSummarySerializer)
    @action(detail=False, methods=["get"])
    def stock(self, request: Request) -> Response:
        summary = selectors.sim_stock_summary()
        data = {
            "available": summary.available,
            "threshold": summary.threshold,
            "low": summary.low,
            "rows": [asdict(row) for row in summary.rows],
        }
        return Response(StockSummarySerializer(data).data)


class RioCheckInputSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=20)
    rio = serializers.CharField(max_length=20, allow_blank=True)


class RioCheckResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    error = serializers.CharField(allow_null=True, help_text="number, format or key")
    reason = serializers.CharField(allow_blank=True)


class RioCheckViewSet(viewsets.ViewSet):
    """Whether a RIO belongs to a number (06…, 07…, +33…): valid, or the reason it is not."""

    permission_classes = [HasCapability("lines.view")]

    @extend_schema(request=RioCheckInputSerializer, responses=RioCheckResultSerializer)
    def create(self, request: Request) -> Response:
        data = RioCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = rio_check(data.validated_data["number"], data.validated_data["rio"])
        body = {
            "valid": result.valid,
            "error": result.error.value if result.error else None,
            "reason": result.reason,
        }
        return Response(RioCheckResultSerializer(body).data)
