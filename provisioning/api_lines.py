"""REST API of lines, line actions (one and bulk) and fixed numbers. Thin: parse, call, serialise."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import HasCapability
from audit.context import AuditContext
from customers.models import Customer
from offers.models import Offer, RateTable
from provisioning import selectors_lines as selectors
from provisioning.forms_lines import BULK_CHOICES, ONE_LINE_KINDS
from provisioning.models import FixedNumber, InternationalProfile, LineAction, MobileLine, SimState
from provisioning.services import fixed as fixed_services
from provisioning.services import lines as services
from provisioning.tasks import line_actions_bulk_start


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
        created = services.line_action_perform(
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
