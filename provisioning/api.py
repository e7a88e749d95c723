"""REST API of the provisioning app: SIM stock (list, read, import, PIN/PUK reveal, stock summary),
the RIO check, lines and line actions (one and bulk), fixed numbers and the operator
disagreements (orders: `provisioning.orders.api`). Thin: parse, call a service or selector,
serialise."""

from dataclasses import asdict
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import HasCapability
from audit.context import AuditContext
from customers.models import Customer
from offers.models import Offer, RateTable
from provisioning import selectors, services
from provisioning.forms import BULK_CHOICES, ONE_LINE_KINDS
from provisioning.models import (
    FixedNumber,
    InternationalProfile,
    LineAction,
    MobileLine,
    OperatorDisagreement,
    Sim,
    SimState,
)
from provisioning.rio import rio_check
from provisioning.services import fixed as fixed_services
from provisioning.services import lines as line_services
from provisioning.tasks import line_actions_bulk_start


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


# --- lines, line actions, fixed numbers --------------------------------------------------------


class LineActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = LineAction
        fields = [
            "id",
            "line",
            "kind",
            "parameters",
            "status",
            "failure_reason",
            "requested_at",
            "sent_at",
            "confirmed_at",
            "failed_at",
            "batch_reference",
            "effective_date",
        ]
        read_only_fields = fields


class LineSerializer(serializers.ModelSerializer):
    iccid = serializers.CharField(source="sim.iccid", default="", read_only=True)

    class Meta:
        model = MobileLine
        fields = [
            "id",
            "msisdn",
            "customer",
            "iccid",
            "user_name",
            "offer",
            "rate_table",
            "international",
            "barred_incoming",
            "barred_outgoing",
            "status",
            "commitment_months",
            "commitment_end",
            "activated_on",
            "terminated_on",
        ]
        read_only_fields = fields


class LineActionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ONE_LINE_KINDS)
    user_name = serializers.CharField(required=False, allow_blank=True)
    international = serializers.ChoiceField(choices=InternationalProfile.choices, required=False)
    offer = serializers.PrimaryKeyRelatedField(queryset=Offer.objects.all(), required=False)
    effective_date = serializers.DateField(required=False)
    msisdn = serializers.CharField(required=False)
    new_iccid = serializers.CharField(required=False)
    old_sim_state = serializers.ChoiceField(choices=[SimState.TERMINATED, SimState.LOST], required=False)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    fee = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)


class LinePagination(CursorPagination):
    ordering = ("msisdn", "id")
    page_size = 50


class LineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lines (list with `q`, `status`, `customer`, `offer`; retrieve), and actions on one line."""

    permission_classes = [HasCapability("lines.write", read="lines.view")]
    serializer_class = LineSerializer
    pagination_class = LinePagination

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        return selectors.line_list(
            search=params.get("q", ""),
            status=params.get("status", ""),
            customer_id=int(params["customer"]) if params.get("customer", "").isdigit() else None,
            offer_id=int(params["offer"]) if params.get("offer", "").isdigit() else None,
        )

    @extend_schema(request=LineActionInputSerializer, responses={201: LineActionSerializer})
    @action(detail=True, methods=["post"], url_path="actions")
    def actions(self, request: Request, pk: str | None = None) -> Response:
        line = self.get_object()
        payload = LineActionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(payload.validated_data)
        kind = data.pop("kind")
        data["offer"] = data["offer"].pk if data.get("offer") else None
        data["customer"] = data["customer"].pk if data.get("customer") else None
        now = timezone.now()
        created = line_services.line_action_perform(
            line=line,
            kind=kind,
            data=data,
            by=request.user,  # type: ignore[arg-type]
            now=now,
            today=timezone.localdate(now),
            context=AuditContext.from_request(request),
        )
        return Response(LineActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: LineActionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="history")
    def history(self, request: Request, pk: str | None = None) -> Response:
        return Response(LineActionSerializer(selectors.line_history(line=self.get_object()), many=True).data)


class BulkInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BULK_CHOICES)
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=100_000
    )


class LineActionBulkViewSet(viewsets.GenericViewSet):
    """Barring, reactivation or termination of many lines: queued on the worker, returns the job."""

    permission_classes = [HasCapability("lines.write")]
    serializer_class = BulkInputSerializer

    @extend_schema(
        request=BulkInputSerializer,
        responses={
            202: inline_serializer(
                "BulkJob", {"job": serializers.IntegerField(), "url": serializers.CharField()}
            )
        },
    )
    def create(self, request: Request) -> Response:
        payload = BulkInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = line_actions_bulk_start(
            line_ids=payload.validated_data["lines"],
            kind=payload.validated_data["kind"],
            by=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response({"job": job.pk, "url": f"/api/v1/jobs/{job.pk}/"}, status=status.HTTP_202_ACCEPTED)


class FixedNumberSerializer(serializers.ModelSerializer):
    class Meta:
        model = FixedNumber
        fields = ["id", "number", "customer", "offer", "rate_table", "status", "assigned_on", "unassigned_on"]
        read_only_fields = ["id", "customer", "status", "assigned_on", "unassigned_on"]


class FixedAssignSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())


class FixedNumberViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The fixed numbers inventory: list (`q`, `status`, `customer`), create, assign, unassign, move."""

    permission_classes = [HasCapability("lines.write", read="lines.view")]
    serializer_class = FixedNumberSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        return selectors.fixed_number_list(
            search=params.get("q", ""),
            status=params.get("status", ""),
            customer_id=int(params["customer"]) if params.get("customer", "").isdigit() else None,
        )

    def perform_create(self, serializer):  # type: ignore[no-untyped-def]
        data = serializer.validated_data
        offer: Offer | None = data.get("offer")
        table: RateTable | None = data.get("rate_table")
        serializer.instance = fixed_services.fixed_number_create(
            number=data["number"],
            offer=offer,
            rate_table=table,
            by=self.request.user,
            context=AuditContext.from_request(self.request),
        )

    def _move(self, request: Request, verb: str) -> Response:
        fixed = self.get_object()
        today = timezone.localdate()
        context = AuditContext.from_request(request)
        if verb == "unassign":
            fixed = fixed_services.fixed_number_unassign(
                fixed=fixed,
                by=request.user,  # type: ignore[arg-type]
                today=today,
                context=context,
            )
        else:
            payload = FixedAssignSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            service = (
                fixed_services.fixed_number_move if verb == "move" else fixed_services.fixed_number_assign
            )
            fixed = service(
                fixed=fixed,
                customer=payload.validated_data["customer"],
                by=request.user,  # type: ignore[arg-type]
                today=today,
                context=context,
            )
        return Response(FixedNumberSerializer(fixed).data)

    @extend_schema(request=FixedAssignSerializer, responses={200: FixedNumberSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        return self._move(request, "assign")

    @extend_schema(request=FixedAssignSerializer, responses={200: FixedNumberSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        return self._move(request, "move")

    @extend_schema(request=None, responses={200: FixedNumberSerializer})
    @action(detail=True, methods=["post"])
    def unassign(self, request: Request, pk: str | None = None) -> Response:
        return self._move(request, "unassign")


# --- the operator link ------------------------------------------------------------------------


class OperatorDisagreementSerializer(serializers.ModelSerializer):
    line: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    sim: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = OperatorDisagreement
        fields = [
            "id",
            "subject",
            "identifier",
            "sim",
            "line",
            "fixed_number",
            "attribute",
            "platform_value",
            "operator_value",
            "snapshot",
            "seen_at",
            "resolved_at",
        ]
        read_only_fields = fields


@extend_schema(
    parameters=[
        OpenApiParameter("state", str, enum=["open", "resolved", "all"], description="open (default)"),
        OpenApiParameter("subject", str, enum=["sim", "line", "fixed"]),
        OpenApiParameter("q", str, description="ICCID or number (a prefix)"),
    ]
)
class OperatorDisagreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What the operator's snapshots show differently from the platform (open, resolved or all)."""

    serializer_class = OperatorDisagreementSerializer
    permission_classes = [HasCapability("lines.view")]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if self.action != "list":
            return selectors.disagreement_list(state="")
        params = self.request.query_params
        state = params.get("state") or "open"
        return selectors.disagreement_list(
            state="" if state == "all" else state,
            subject=params.get("subject") or "",
            search=params.get("q") or "",
        )
