"""REST API of line orders (create a draft, read, list, validate, cancel) and service orders (list,
create). Thin: parse, call a service or selector, serialise."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import STAFF_ROLES, User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from customers.models import Customer
from offers.models import BillingTiming, Offer, Option, Product, RateTable, Terminal
from provisioning.models import (
    DiscountKind,
    LineAction,
    Order,
    OrderLine,
    OrderLineType,
    ServiceOrder,
    Sim,
    TerminalPurchase,
)
from provisioning.orders import selectors, services

PARIS = services.PARIS


class OrderLineActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = LineAction
        fields = [
            "id",
            "kind",
            "status",
            "failure_reason",
            "requested_at",
            "sent_at",
            "confirmed_at",
            "failed_at",
        ]
        read_only_fields = fields


class OrderLineSerializer(serializers.ModelSerializer):
    iccid = serializers.CharField(source="sim.iccid", read_only=True, default="")
    line_status = serializers.CharField(source="line.status", read_only=True, default=None)
    options: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    actions = OrderLineActionSerializer(many=True, read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "line_type",
            "sim",
            "iccid",
            "msisdn",
            "port_msisdn",
            "rio",
            "porting_date",
            "user_name",
            "seller",
            "offer",
            "price_override",
            "commitment_months",
            "data_speed",
            "options",
            "rate_table",
            "terminal",
            "terminal_purchase",
            "discount_kind",
            "discount_value",
            "discount_months",
            "billing_start",
            "billing_timing",
            "charge_activation_now",
            "line",
            "line_status",
            "actions",
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    customer_number = serializers.CharField(source="customer.number", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "customer",
            "customer_number",
            "status",
            "note",
            "created_at",
            "validated_at",
            "completed_at",
            "cancelled_at",
            "lines",
        ]
        read_only_fields = fields


class OrderLineInputSerializer(serializers.Serializer):
    line_type = serializers.ChoiceField(choices=OrderLineType.choices, default=OrderLineType.NEW)
    sim = serializers.PrimaryKeyRelatedField(queryset=Sim.objects.all())
    msisdn = serializers.CharField(required=False, allow_blank=True, default="")
    port_msisdn = serializers.CharField(required=False, allow_blank=True, default="")
    rio = serializers.CharField(required=False, allow_blank=True, default="")
    porting_date = serializers.DateField(required=False, allow_null=True, default=None)
    user_name = serializers.CharField(required=False, allow_blank=True, default="")
    seller = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=STAFF_ROLES), required=False, allow_null=True, default=None
    )
    offer = serializers.PrimaryKeyRelatedField(queryset=Offer.objects.all())
    price_override = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None
    )
    commitment_months = serializers.IntegerField(required=False, default=0)
    data_speed = serializers.CharField(required=False, allow_blank=True, default="")
    options = serializers.PrimaryKeyRelatedField(queryset=Option.objects.all(), many=True, required=False)
    rate_table = serializers.PrimaryKeyRelatedField(
        queryset=RateTable.objects.all(), required=False, allow_null=True, default=None
    )
    terminal = serializers.PrimaryKeyRelatedField(
        queryset=Terminal.objects.all(), required=False, allow_null=True, default=None
    )
    terminal_purchase = serializers.ChoiceField(
        choices=TerminalPurchase.choices, required=False, allow_blank=True, default=""
    )
    discount_kind = serializers.ChoiceField(choices=DiscountKind.choices, required=False, default="")
    discount_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None
    )
    discount_months = serializers.IntegerField(required=False, allow_null=True, default=None)
    billing_start = serializers.DateField(required=False, allow_null=True, default=None)
    billing_timing = serializers.ChoiceField(
        choices=BillingTiming.choices, required=False, default=BillingTiming.ADVANCE
    )
    charge_activation_now = serializers.BooleanField(required=False, default=False)


class OrderCreateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lines = OrderLineInputSerializer(many=True)


def _line_input(data: dict[str, Any]) -> services.OrderLineInput:
    values = dict(data)
    values["options"] = list(values.get("options") or [])
    return services.OrderLineInput(**values)


class OrderViewSet(viewsets.GenericViewSet):
    """Line orders: list (`status`, `customer`, `q`), read, create a draft, validate, cancel."""

    serializer_class = OrderSerializer
    permission_classes = [HasCapability("lines.write", read="lines.view")]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Order.objects.select_related("customer").prefetch_related(
            "lines__sim", "lines__line", "lines__options", "lines__actions"
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("customer", int),
            OpenApiParameter("q", str, description="order or customer number"),
        ]
    )
    def list(self, request: Request) -> Response:
        params = request.query_params
        customer = None
        if params.get("customer", "").isdigit():
            customer = Customer.objects.filter(pk=int(params["customer"])).first()
            if customer is None:
                return Response([])
        orders = selectors.order_list(
            status=params.get("status", ""), customer=customer, search=params.get("q", "")
        ).prefetch_related("lines__sim", "lines__line", "lines__options", "lines__actions")
        page = self.paginate_queryset(orders)
        if page is not None:
            return self.get_paginated_response(OrderSerializer(page, many=True).data)
        return Response(OrderSerializer(orders, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(OrderSerializer(self.get_object()).data)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    def create(self, request: Request) -> Response:
        data = OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_create(
            customer=data.validated_data["customer"],
            lines=[_line_input(line) for line in data.validated_data["lines"]],
            note=data.validated_data["note"],
            by=request.user,  # type: ignore[arg-type]
            today=timezone.now().astimezone(PARIS).date(),
            context=AuditContext.from_request(request),
        )
        return Response(
            OrderSerializer(selectors.order_detail(pk=order.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: str | None = None) -> Response:
        order = services.order_validate(
            order=self.get_object(),
            by=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(OrderSerializer(selectors.order_detail(pk=order.pk)).data)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        order = services.order_cancel(
            order=self.get_object(),
            by=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(OrderSerializer(selectors.order_detail(pk=order.pk)).data)


class ServiceOrderSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = ServiceOrder
        fields = [
            "id",
            "customer",
            "product",
            "product_code",
            "quantity",
            "unit_price",
            "start_date",
            "end_date",
            "created_at",
        ]
        read_only_fields = ["id", "product_code", "created_at"]
        extra_kwargs = {"unit_price": {"required": False, "allow_null": True}}


class ServiceOrderViewSet(viewsets.GenericViewSet):
    """Service orders: list (`customer`), order a service (the catalogue's price unless given)."""

    serializer_class = ServiceOrderSerializer
    permission_classes = [HasCapability("lines.write", read="lines.view")]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.service_order_list()

    @extend_schema(parameters=[OpenApiParameter("customer", int)])
    def list(self, request: Request) -> Response:
        customer_id = request.query_params.get("customer", "")
        rows = selectors.service_order_list()
        if customer_id.isdigit():
            rows = rows.filter(customer_id=int(customer_id))
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(ServiceOrderSerializer(page, many=True).data)
        return Response(ServiceOrderSerializer(rows, many=True).data)

    @extend_schema(request=ServiceOrderSerializer, responses={201: ServiceOrderSerializer})
    def create(self, request: Request) -> Response:
        data = ServiceOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        product: Product = values["product"]
        service_order = services.service_order_create(
            customer=values["customer"],
            product=product,
            quantity=values.get("quantity", 1),
            unit_price=values.get("unit_price"),
            start_date=values["start_date"],
            end_date=values.get("end_date"),
            by=request.user,  # type: ignore[arg-type]
            context=AuditContext.from_request(request),
        )
        return Response(ServiceOrderSerializer(service_order).data, status=status.HTTP_201_CREATED)
