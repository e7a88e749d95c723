"""REST API of the reports (read-only, the same figures as the pages): the CDR report's totals,
the inventory, the watch lists, the tenant dashboard, a line's consumption, the financial report.
Thin: parse the query, call a selector, serialise."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import HasCapability
from customers.models import Customer
from provisioning.models import FixedNumber, MobileLine
from reports import finance, selectors
from reports.views import _today
from reports.views_finance import finance_filters

CAN_VIEW = HasCapability("reports.view")
CAN_VIEW_LINES = HasCapability("lines.view")


def _money() -> serializers.DecimalField:
    """An amount in euros and cents."""
    return serializers.DecimalField(max_digits=16, decimal_places=2)


def _exact() -> serializers.DecimalField:
    """A wholesale cost, to the operator's six decimals."""
    return serializers.DecimalField(max_digits=20, decimal_places=6)


# --- CDR report totals -------------------------------------------------------------------------
class CdrQuerySerializer(serializers.Serializer):
    first = serializers.DateField(help_text="First day (YYYY-MM-DD), Europe/Paris")
    last = serializers.DateField(help_text="Last day, included")
    event_type = serializers.CharField(required=False, allow_blank=True, max_length=10)
    destination = serializers.CharField(required=False, allow_blank=True, max_length=100)
    roaming = serializers.ChoiceField(choices=["", "yes", "no"], required=False, allow_blank=True)
    customer = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="Customer number"
    )
    line = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="MSISDN or fixed number"
    )

    def validate_customer(self, number: str) -> Customer | None:
        if not number.strip():
            return None
        customer = Customer.objects.filter(number=number.strip()).first()
        if customer is None:
            raise serializers.ValidationError("No customer has this number.")
        return customer

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["last"] >= dt.date(9999, 12, 31):
            raise serializers.ValidationError({"last": "A day before 31/12/9999."})
        if attrs["first"] > attrs["last"]:
            raise serializers.ValidationError({"last": "The end of the period comes before its start."})
        return attrs


class CdrTotalsSerializer(serializers.Serializer):
    events = serializers.IntegerField()
    duration_s = serializers.IntegerField()
    volume_bytes = serializers.IntegerField()
    rated_amount = serializers.DecimalField(max_digits=20, decimal_places=4)
    wholesale_cost = _exact()


class CdrTotalsViewSet(viewsets.ViewSet):
    """The CDR report's totals for a period and its filters (events, duration, data, amounts)."""

    permission_classes = [CAN_VIEW]

    @extend_schema(parameters=[CdrQuerySerializer], responses=CdrTotalsSerializer)
    def list(self, request: Request) -> Response:
        query = CdrQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = selectors.CdrFilters.from_values(query.validated_data)
        return Response(CdrTotalsSerializer(selectors.cdr_report_totals(filters=filters)).data)


# --- Inventory ---------------------------------------------------------------------------------
class InventoryLineSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.number", read_only=True)
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)
    status = serializers.CharField(read_only=True)
    offer_code = serializers.CharField(source="offer.code", read_only=True)
    offer_label = serializers.CharField(source="offer.label", read_only=True)
    iccid = serializers.CharField(source="sim.iccid", default="", read_only=True)

    class Meta:
        model = MobileLine
        fields = [
            "id", "msisdn", "customer", "customer_number", "customer_name", "status", "offer", "offer_code",
            "offer_label", "iccid", "activated_on",
        ]  # fmt: skip
        read_only_fields = fields


class InventoryFixedNumberSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.number", default="", read_only=True)
    status = serializers.CharField(read_only=True)
    offer_label = serializers.CharField(source="offer.label", default="", read_only=True)

    class Meta:
        model = FixedNumber
        fields = [
            "id",
            "number",
            "customer",
            "customer_number",
            "status",
            "offer",
            "offer_label",
            "assigned_on",
        ]
        read_only_fields = fields


class SimStockSerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label"
    n = serializers.IntegerField(help_text="SIM cards in this state")


class InventoryLineViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every line with its customer and offer (the resellers' sub-account report), paginated."""

    permission_classes = [CAN_VIEW]
    serializer_class = InventoryLineSerializer

    def get_queryset(self) -> QuerySet[MobileLine]:
        return selectors.inventory_lines()


class InventoryFixedNumberViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The fixed numbers (DIDs) and who holds them, paginated."""

    permission_classes = [CAN_VIEW]
    serializer_class = InventoryFixedNumberSerializer

    def get_queryset(self) -> QuerySet[FixedNumber]:
        return selectors.inventory_fixed_numbers()


class SimStockViewSet(viewsets.ViewSet):
    """The SIM stock: the number of cards in each state."""

    permission_classes = [CAN_VIEW]

    @extend_schema(responses=SimStockSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(SimStockSerializer(selectors.inventory_sim_stock(), many=True).data)


# --- Watch lists -------------------------------------------------------------------------------
class WatchCdrSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start_time = serializers.DateTimeField()
    line_ref = serializers.CharField()
    event_type = serializers.CharField()
    called_number = serializers.CharField()


class WatchUnknownLineSerializer(serializers.Serializer):
    line_ref = serializers.CharField()
    events = serializers.IntegerField()
    cost = _exact()


class WatchDisagreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    identifier = serializers.CharField()
    attribute = serializers.CharField()
    platform_value = serializers.CharField()
    operator_value = serializers.CharField()
    seen_at = serializers.DateTimeField()


class WatchActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    line = serializers.IntegerField(source="line_id", allow_null=True)
    sim = serializers.IntegerField(source="sim_id", allow_null=True)
    fixed_number = serializers.IntegerField(source="fixed_number_id", allow_null=True)
    requested_at = serializers.DateTimeField()


class WatchImportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    status = serializers.CharField()
    rejected = serializers.IntegerField()
    received_at = serializers.DateTimeField()


class WatchBalanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField(source="display_name")
    balance = _money()


class WatchListsSerializer(serializers.Serializer):
    since = serializers.DateField(help_text="Usage lists cover the CDRs since this day")
    unrated = WatchCdrSerializer(many=True)
    unknown_lines = WatchUnknownLineSerializer(many=True)
    disagreements = WatchDisagreementSerializer(many=True)
    actions_waiting = WatchActionSerializer(many=True)
    rejected_imports = WatchImportSerializer(many=True)
    balances = WatchBalanceSerializer(many=True)


class WatchListsViewSet(viewsets.ViewSet):
    """The watch lists, each its first 50 entries: unrated CDRs, CDRs of unknown lines, platform /
    operator disagreements, actions waiting for the operator, imports with rejected rows,
    customers near or below zero balance (10 € or less)."""

    permission_classes = [CAN_VIEW]

    @extend_schema(responses=WatchListsSerializer)
    def list(self, request: Request) -> Response:
        body = selectors.watch_lists(today=_today())
        return Response(WatchListsSerializer(body).data)


# --- Dashboard and consumption -------------------------------------------------------------------
class UsageMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="First day of the month")
    events = serializers.IntegerField()
    minutes = serializers.DecimalField(max_digits=20, decimal_places=1)
    data_mb = serializers.DecimalField(max_digits=20, decimal_places=1)
    rated_amount = serializers.DecimalField(max_digits=20, decimal_places=4)


class UsageDaySerializer(UsageMonthSerializer):
    month = None  # type: ignore[assignment]
    day = serializers.DateField()


class DashboardImportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()


class DashboardSerializer(serializers.Serializer):
    lines_active = serializers.IntegerField()
    lines_suspended = serializers.IntegerField()
    lines_pending = serializers.IntegerField()
    orders_waiting = serializers.IntegerField()
    month_rated = serializers.DecimalField(
        max_digits=20, decimal_places=4, help_text="This month's rated usage"
    )
    month_events = serializers.IntegerField()
    months = UsageMonthSerializer(many=True, help_text="The last 6 months' usage")
    imports = DashboardImportSerializer(many=True, help_text="The last 5 imports")


class DashboardViewSet(viewsets.ViewSet):
    """The tenant dashboard's figures: lines by status, orders waiting, usage, the last imports."""

    permission_classes = [CAN_VIEW]

    @extend_schema(responses=DashboardSerializer)
    def list(self, request: Request) -> Response:
        return Response(DashboardSerializer(selectors.dashboard_figures(today=_today())).data)


class AllowanceUseSerializer(serializers.Serializer):
    event_type = serializers.CharField(source="allowance.event_type")
    unit = serializers.CharField(source="allowance.unit")
    quantity = serializers.DecimalField(source="allowance.quantity", max_digits=20, decimal_places=4)
    used = serializers.DecimalField(max_digits=20, decimal_places=1)
    percent = serializers.IntegerField()
    over = serializers.BooleanField()


class LineUsageSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="line.pk")
    msisdn = serializers.CharField(source="line.msisdn")
    months = UsageMonthSerializer(many=True, help_text="The last 12 months, this one included")
    days = UsageDaySerializer(many=True, help_text="Each day of this month")
    allowances = AllowanceUseSerializer(many=True, help_text="This month's use of the offer's allowances")


class LineUsageViewSet(viewsets.ViewSet):
    """A line's consumption: this month day by day, the last 12 months, its allowances' use."""

    permission_classes = [CAN_VIEW_LINES]

    @extend_schema(responses=LineUsageSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        line = get_object_or_404(MobileLine, pk=pk)
        today = _today()
        month = selectors.month_start(today)
        body = {
            "line": line,
            "months": selectors.usage_by_month(today=today, line=line),
            "days": selectors.usage_by_day(month=month, line=line),
            "allowances": selectors.allowance_use(line=line, month=month),
        }
        return Response(LineUsageSerializer(body).data)


# --- Financial report --------------------------------------------------------------------------
class FinanceQuerySerializer(serializers.Serializer):
    first = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM (default: 11 months ago)"
    )
    last = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM (default: this month)"
    )


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label"


class FinanceMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    revenue_by_category = serializers.DictField(
        child=_money(), help_text="Net of credit notes, by invoice line category"
    )
    invoiced_excl_vat = _money()
    credit_notes_excl_vat = _money()
    revenue_excl_vat = _money()
    cdr_wholesale_cost = _money()
    operator_invoices_excl_vat = _money()
    cost_excl_vat = _money()
    margin_excl_vat = _money()
    margin_rate = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True, help_text="%")
    payments_received_incl_vat = _money()
    outstanding_incl_vat = _money()
    overdue_incl_vat = _money()
    owed_as_of = serializers.DateField(allow_null=True, help_text="The day outstanding and overdue are at")


class FinanceReportSerializer(serializers.Serializer):
    first = serializers.CharField()
    last = serializers.CharField()
    categories = CategorySerializer(many=True)
    months = FinanceMonthSerializer(many=True)


class FinanceReportViewSet(viewsets.ViewSet):
    """The financial report per month: revenue excl. VAT by category less credit notes, wholesale
    cost (CDRs and operator invoices), margin and its rate, payments received, outstanding and
    overdue amounts (at each month's end, today for the current month)."""

    permission_classes = [CAN_VIEW]

    @extend_schema(parameters=[FinanceQuerySerializer], responses=FinanceReportSerializer)
    def list(self, request: Request) -> Response:
        FinanceQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        today = _today()
        form, period = finance_filters(request.query_params, today=today)
        if period is None:
            raise serializers.ValidationError(form.errors.get_json_data())
        report = finance.finance_report(first=period[0], last=period[1], today=today)
        body = {
            "first": f"{period[0]:%Y-%m}",
            "last": f"{period[1]:%Y-%m}",
            "categories": [{"code": code, "label": label} for code, label in report.categories],
            "months": finance.finance_rows(report),
        }
        return Response(FinanceReportSerializer(body).data)
