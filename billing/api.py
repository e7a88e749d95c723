"""REST API of the billing app: runs (start, list, detail, redo, finalize) and invoices (list, detail).
Thin: parse, call a service or selector, serialise."""

from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from billing import selectors, services, tasks
from billing.models import BillingRun, Invoice, InvoiceLine, InvoiceVat

CAN_VIEW = HasCapability("billing.view")
CAN_RUN = HasCapability("billing.run", read="billing.view")


class BillingRunSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = BillingRun
        fields = [
            "id", "period", "status", "preflight", "cdrs_settled", "invoices_count", "empty_count",
            "anomalies_count", "total_excl_vat", "total_vat", "total_incl_vat", "first_number", "last_number",
            "issue_date", "message", "job", "progress", "created_at", "finalized_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_progress(self, run: BillingRun) -> int:
        return run.job.percent if run.job is not None else 0


class BillingRunCreateSerializer(serializers.Serializer):
    period = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "position", "category", "label", "detail", "quantity", "unit", "unit_price", "amount", "vat_rate",
            "service_start", "service_end", "line_ref",
        ]  # fmt: skip


class InvoiceVatSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceVat
        fields = ["vat_rate", "base", "vat"]


class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = [
            "id", "run", "customer", "customer_number", "customer_name", "status", "number", "period",
            "period_start", "period_end", "issue_date", "due_date", "payment_mode", "total_excl_vat",
            "total_vat", "total_incl_vat", "amount_paid", "previous_total_excl_vat", "anomalies",
        ]  # fmt: skip
        read_only_fields = fields


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    vat_lines = InvoiceVatSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "billing_address", "customer_siren", "lines", "vat_lines"]
        read_only_fields = fields


class BillingRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Billing runs: POST starts the run of a period (settle, then drafts, in the background);
    `redo` rebuilds the drafts; `finalize` numbers and issues them."""

    permission_classes = [CAN_RUN]
    serializer_class = BillingRunSerializer

    def get_queryset(self) -> QuerySet[BillingRun]:
        return selectors.billing_run_list()

    @extend_schema(request=BillingRunCreateSerializer, responses={201: BillingRunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = BillingRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        now = timezone.now()
        run = tasks.billing_run_begin(
            period=data.validated_data["period"],
            by=cast(User, request.user),
            now=now,
            today=timezone.localdate(now),
            tenant=request.tenant,  # type: ignore[attr-defined]
            context=AuditContext.from_request(request),
        )
        return Response(BillingRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BillingRunSerializer)
    @action(detail=True, methods=["post"], url_path="redo")
    def redo(self, request: Request, pk: str | None = None) -> Response:
        run = tasks.billing_run_redo_begin(
            run=self.get_object(),
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(BillingRunSerializer(run).data)

    @extend_schema(request=None, responses=BillingRunSerializer)
    @action(detail=True, methods=["post"], url_path="finalize")
    def finalize(self, request: Request, pk: str | None = None) -> Response:
        now = timezone.now()
        run = services.billing_run_finalize(
            run=self.get_object(),
            tenant=request.tenant,  # type: ignore[attr-defined]
            by=cast(User, request.user),
            now=now,
            today=timezone.localdate(now),
            context=AuditContext.from_request(request),
        )
        return Response(BillingRunSerializer(run).data)


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invoices. Filters: `status`, `period` (YYYY-MM), `run`."""

    permission_classes = [CAN_VIEW]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return InvoiceDetailSerializer if self.action == "retrieve" else InvoiceSerializer

    def get_queryset(self) -> QuerySet[Invoice]:
        params = self.request.query_params
        invoices = selectors.invoice_list(status=params.get("status", ""), period=params.get("period", ""))
        if params.get("run", "").isdigit():
            invoices = invoices.filter(run_id=int(params["run"]))
        if self.action == "retrieve":
            invoices = invoices.prefetch_related("lines", "vat_lines")
        return invoices

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("period", str),
            OpenApiParameter("run", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
