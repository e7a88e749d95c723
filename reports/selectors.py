"""Reads of the reports app: the CDR report, the inventory, the watch lists, dashboard figures.

Totals and charts read the pre-aggregated usage whenever the filters allow it (period, event
type, roaming, customer, line): the monthly figures (`MonthlyUsage`) for whole months, the daily
ones (`DailyUsage`) for the days of a month begun or ended: tens of thousands of rows instead of
millions. A filter the figures do not carry (the destination) makes the totals read the CDRs.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from billing.models import UNPAID_STATUSES, Invoice
from cdr_import.models import Cdr, Import, ImportStatus
from core.labels import event_type_codes
from customers.models import Customer
from customers.selectors import balance_annotation
from offers.models import Allowance
from provisioning.models import (
    FixedNumber,
    LineAction,
    LineActionStatus,
    LineStatus,
    MobileLine,
    OperatorDisagreement,
    Order,
    OrderStatus,
    Sim,
    SimState,
)
from reports.charts import Point
from reports.models import DailyUsage, DestinationUsage, MonthlyUsage, ReportSettings
from reports.services import PARIS

ZERO = Decimal(0)
_MONEY: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=14, decimal_places=2)
MB = 1_000_000


@dataclass(frozen=True)
class CdrFilters:
    first: dt.date
    last: dt.date
    event_type: str = ""
    destination: str = ""
    roaming: str = ""  # "" all, "yes", "no"
    customer: Customer | None = None
    line_ref: str = ""

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> "CdrFilters":
        """The filters from a form's or a query serializer's cleaned values (the page and the API)."""
        return cls(
            first=values["first"],
            last=values["last"],
            event_type=(values.get("event_type") or "").strip(),
            destination=(values.get("destination") or "").strip(),
            roaming=values.get("roaming") or "",
            customer=values.get("customer"),
            line_ref=(values.get("line") or "").strip(),
        )


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=PARIS)


def cdr_report_list(*, filters: CdrFilters) -> QuerySet[Cdr]:
    """The CDRs of the report, in time order (the page and the export read this)."""
    cdrs = Cdr.objects.filter(
        start_time__gte=_start(filters.first), start_time__lt=_start(filters.last + dt.timedelta(days=1))
    )
    if filters.event_type:
        cdrs = cdrs.filter(event_type=filters.event_type)
    if filters.destination:
        # The destinations of the period matching the text, from their daily figures: the CDRs
        # are then filtered by equality, which the planner estimates (a text search it cannot,
        # and it would sort the whole period rather than walk it in time order).
        rates, labels = _destinations_matching(filters)
        cdrs = cdrs.filter(Q(rate_destination__in=rates) | Q(destination_label__in=labels))
    if filters.roaming == "yes":
        cdrs = cdrs.exclude(roaming_country="")
    elif filters.roaming == "no":
        cdrs = cdrs.filter(roaming_country="")
    if filters.customer is not None:
        cdrs = cdrs.filter(customer=filters.customer)
    if filters.line_ref:
        cdrs = cdrs.filter(line_ref=filters.line_ref)
    return cdrs.order_by("start_time", "id")


_SUMS = ("events", "duration_s", "volume_bytes", "rated_amount", "wholesale_cost")


def cdr_report_rows(
    *, filters: CdrFilters, fields: tuple[str, ...], chunk: int = 2000
) -> Iterator[tuple[Any, ...]]:
    """The report's CDRs in time order (`fields` of each), for the exports: read by chunks after
    the last one read (keyset), each chunk a short query walking the `(start_time, id)` index, so
    the first rows come at once whatever the period (no sort of the period, no long cursor)."""
    cdrs = cdr_report_list(filters=filters)
    after: tuple[dt.datetime, int] | None = None
    while True:
        page = cdrs
        if after is not None:
            moment, last_id = after
            page = page.filter(Q(start_time__gt=moment) | Q(start_time=moment, id__gt=last_id)).filter(
                start_time__gte=moment
            )
        rows = list(page.values_list("start_time", "id", *fields)[:chunk])
        for row in rows:
            yield row[2:]
        if len(rows) < chunk:
            return
        after = rows[-1][0], rows[-1][1]


def _filtered(usage: QuerySet[Any], filters: CdrFilters) -> QuerySet[Any]:
    if filters.event_type:
        usage = usage.filter(event_type=filters.event_type)
    if filters.roaming in ("yes", "no"):
        usage = usage.filter(roaming=filters.roaming == "yes")
    if filters.customer is not None:
        usage = usage.filter(customer=filters.customer)
    if filters.line_ref:
        usage = usage.filter(line_ref=filters.line_ref)
    return usage


def _month_end(month: dt.date) -> dt.date:
    return month_start(month, -1) - dt.timedelta(days=1)


def period_parts(first: dt.date, last: dt.date) -> tuple[list[dt.date], list[Q], list[Q]]:
    """The period `first`..`last` as whole months (monthly figures) plus days added or taken
    away (daily figures): a month begun or ended is its days, or the whole month less the days
    outside the period when those are fewer. Returns (months, days to add, days to take away)."""
    months: list[dt.date] = []
    plus: list[Q] = []
    minus: list[Q] = []
    month = month_start(first)
    while month <= last:
        end = _month_end(month)
        inside_first, inside_last = max(first, month), min(last, end)
        inside = (inside_last - inside_first).days + 1
        if inside_first == month and inside_last == end:
            months.append(month)
        elif inside <= end.day - inside:
            plus.append(Q(day__gte=inside_first, day__lte=inside_last))
        else:
            months.append(month)
            if inside_first > month:
                minus.append(Q(day__gte=month, day__lt=inside_first))
            if inside_last < end:
                minus.append(Q(day__gt=inside_last, day__lte=end))
        month = month_start(month, -1)
    return months, plus, minus


def _either(parts: list[Q]) -> Q:
    q = Q()
    for part in parts:
        q |= part
    return q


def usage_totals(*, filters: CdrFilters) -> dict[str, Any]:
    """The sums of the usage figures of the filters' period (at most three queries)."""
    months, plus, minus = period_parts(filters.first, filters.last)
    totals: dict[str, Any] = dict.fromkeys(_SUMS, 0)
    sums = {name: Sum(name) for name in _SUMS}
    parts: list[tuple[int, QuerySet[Any]]] = []
    if months:
        parts.append((1, MonthlyUsage.objects.filter(month__in=months)))
    if plus:
        parts.append((1, DailyUsage.objects.filter(_either(plus))))
    if minus:
        parts.append((-1, DailyUsage.objects.filter(_either(minus))))
    for sign, usage in parts:
        for name, value in _filtered(usage, filters).aggregate(**sums).items():
            totals[name] += sign * (value or 0)
    return totals


def _destination_usage(filters: CdrFilters) -> QuerySet[DestinationUsage]:
    usage = DestinationUsage.objects.filter(day__gte=filters.first, day__lte=filters.last).filter(
        Q(rate_destination__icontains=filters.destination)
        | Q(destination_label__icontains=filters.destination)
    )
    if filters.event_type:
        usage = usage.filter(event_type=filters.event_type)
    if filters.roaming in ("yes", "no"):
        usage = usage.filter(roaming=filters.roaming == "yes")
    return usage


def _destinations_matching(filters: CdrFilters) -> tuple[list[str], list[str]]:
    """The rate table's and the operator's destinations of the period containing the text."""
    days = DestinationUsage.objects.filter(day__gte=filters.first, day__lte=filters.last)
    rates = days.filter(rate_destination__icontains=filters.destination).values_list(
        "rate_destination", flat=True
    )
    labels = days.filter(destination_label__icontains=filters.destination).values_list(
        "destination_label", flat=True
    )
    return sorted(set(rates.distinct())), sorted(set(labels.distinct()))


def cdr_report_totals(*, filters: CdrFilters) -> dict[str, Any]:
    """Events, duration, volume, rated amount and wholesale cost of the report's CDRs."""
    if filters.destination and filters.customer is None and not filters.line_ref:
        sums = _destination_usage(filters).aggregate(**{name: Sum(name) for name in _SUMS})
    elif filters.destination:
        sums = (
            cdr_report_list(filters=filters)
            .order_by()
            .aggregate(
                events=Count("id"),
                duration_s=Sum("duration_s"),
                volume_bytes=Sum("volume_bytes"),
                rated_amount=Sum("rated_amount"),
                wholesale_cost=Sum("wholesale_cost"),
            )
        )
    else:
        sums = usage_totals(filters=filters)
    return {
        "events": sums["events"] or 0,
        "duration_s": sums["duration_s"] or 0,
        "volume_bytes": sums["volume_bytes"] or 0,
        "rated_amount": sums["rated_amount"] or ZERO,
        "wholesale_cost": sums["wholesale_cost"] or ZERO,
    }


def cdr_event_types() -> list[str]:
    """The event types a filter offers: every one the operator's feeds know."""
    return event_type_codes()


# --- Usage over time ---------------------------------------------------------------------------
def month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def tenant_usage_months(first: dt.date, following: dt.date) -> QuerySet[Any]:
    """The whole tenant's usage figures of the months from `first` to before `following` (both
    first days of a month) grouped by `month`, to annotate with sums: the figures per destination
    hold every CDR of their day as the per-line figures do, in a few hundred rows a day whatever
    the number of lines (the monthly figures per line: 12,000 rows a month for 12,000 lines)."""
    return DestinationUsage.objects.filter(day__gte=first, day__lt=following).values(month=TruncMonth("day"))


def usage_by_month(
    *, today: dt.date, months: int = 12, line: MobileLine | None = None, customer: Customer | None = None
) -> list[dict[str, Any]]:
    """Each of the last `months` months (this one included): events, minutes, data, rated amount."""
    first = month_start(today, months - 1)
    if line is None and customer is None:
        usage = tenant_usage_months(first, month_start(today, -1))
    else:
        per_line = MonthlyUsage.objects.filter(month__gte=first, month__lte=month_start(today))
        if line is not None:
            per_line = per_line.filter(mobile_line=line)
        if customer is not None:
            per_line = per_line.filter(customer=customer)
        usage = per_line.values("month")
    rows = {
        r["month"]: r
        for r in usage.annotate(
            events=Sum("events"),
            duration_s=Sum("duration_s"),
            volume_bytes=Sum("volume_bytes"),
            rated_amount=Sum("rated_amount"),
        ).order_by()
    }
    result = []
    for back in range(months - 1, -1, -1):
        month = month_start(today, back)
        row = rows.get(month, {})
        result.append(
            {
                "month": month,
                "events": row.get("events") or 0,
                "minutes": Decimal(row.get("duration_s") or 0) / 60,
                "data_mb": Decimal(row.get("volume_bytes") or 0) / MB,
                "rated_amount": row.get("rated_amount") or ZERO,
            }
        )
    return result


def usage_by_day(
    *, month: dt.date, line: MobileLine | None = None, customer: Customer | None = None
) -> list[dict[str, Any]]:
    """Each day of `month`: events, minutes, data (MB), rated amount."""
    following = month_start(month, -1)
    usage = DailyUsage.objects.filter(day__gte=month, day__lt=following)
    if line is not None:
        usage = usage.filter(mobile_line=line)
    if customer is not None:
        usage = usage.filter(customer=customer)
    rows = {
        r["day"]: r
        for r in usage.values("day")
        .annotate(
            events=Sum("events"),
            duration_s=Sum("duration_s"),
            volume_bytes=Sum("volume_bytes"),
            rated_amount=Sum("rated_amount"),
        )
        .order_by()
    }
    days = []
    day = month
    while day < following:
        row = rows.get(day, {})
        days.append(
            {
                "day": day,
                "events": row.get("events") or 0,
                "minutes": Decimal(row.get("duration_s") or 0) / 60,
                "data_mb": Decimal(row.get("volume_bytes") or 0) / MB,
                "rated_amount": row.get("rated_amount") or ZERO,
            }
        )
        day += dt.timedelta(days=1)
    return days


def month_label(month: dt.date) -> str:
    return f"{month.month:02d}/{month.year}"


def points(rows: list[dict[str, Any]], key: str, *, label: str = "month") -> list[Point]:
    return [
        Point(month_label(r["month"]) if label == "month" else f"{r['day'].day}", Decimal(r[key]))
        for r in rows
    ]


def allowance_use(*, line: MobileLine, month: dt.date) -> list[dict[str, Any]]:
    """The line's offer's capped allowances and how much of each the month used (in %)."""
    return allowance_use_for_lines(lines=[line], month=month).get(line.pk, [])


_ALLOWANCE_KINDS = {"DATA": ["DATA"], "VOICE": ["VOICE_MO", "VOICE"], "SMS": ["SMS_MO", "SMS"]}


def allowance_use_for_lines(*, lines: list[MobileLine], month: dt.date) -> dict[int, list[dict[str, Any]]]:
    """`allowance_use` of many lines at once (two queries whatever their number), by line id."""
    offer_ids = {line.offer_id for line in lines}
    by_offer: dict[int | None, list[Allowance]] = {}
    for allowance in Allowance.objects.filter(
        offer_id__in=offer_ids, unlimited=False, quantity__isnull=False
    ).order_by("offer_id", "pk"):
        by_offer.setdefault(allowance.offer_id, []).append(allowance)
    with_allowances = [line for line in lines if line.offer_id in by_offer]
    if not with_allowances:
        return {}
    used: dict[tuple[int, str], dict[str, Any]] = {
        (r["mobile_line_id"], r["event_type"]): r
        for r in MonthlyUsage.objects.filter(
            mobile_line_id__in=[line.pk for line in with_allowances], month=month
        )
        .values("mobile_line_id", "event_type")
        .annotate(events=Sum("events"), duration_s=Sum("duration_s"), volume_bytes=Sum("volume_bytes"))
        .order_by()
    }
    result: dict[int, list[dict[str, Any]]] = {}
    for line in with_allowances:
        uses = result[line.pk] = []
        for allowance in by_offer[line.offer_id]:
            kinds = _ALLOWANCE_KINDS.get(allowance.event_type, [allowance.event_type])
            rows = [used[(line.pk, k)] for k in kinds if (line.pk, k) in used]
            if allowance.unit == "MB":
                amount = Decimal(sum(r["volume_bytes"] for r in rows)) / MB
            elif allowance.unit == "MIN":
                amount = Decimal(sum(r["duration_s"] for r in rows)) / 60
            else:
                amount = Decimal(sum(r["events"] for r in rows))
            quantity = allowance.quantity or Decimal(1)
            percent = min(Decimal(100), amount / quantity * 100) if quantity else ZERO
            uses.append(
                {
                    "allowance": allowance,
                    "used": amount,
                    "percent": percent.quantize(Decimal(1)),
                    "over": amount > quantity,
                }
            )
    return result


# --- Dashboard ---------------------------------------------------------------------------------
def dashboard_figures(*, today: dt.date) -> dict[str, Any]:
    """The tenant dashboard's figures: lines by status, orders waiting, last imports, usage."""
    lines = dict(MobileLine.objects.order_by().values_list("status").annotate(n=Count("id")))
    months = usage_by_month(today=today, months=6)  # this month last
    return {
        "lines_active": lines.get(LineStatus.ACTIVE, 0),
        "lines_suspended": lines.get(LineStatus.SUSPENDED, 0),
        "lines_pending": lines.get(LineStatus.PENDING, 0),
        "orders_waiting": Order.objects.filter(status__in=[OrderStatus.DRAFT, OrderStatus.VALIDATED]).count(),
        "imports": list(Import.objects.order_by("-received_at")[:5]),
        "month_rated": months[-1]["rated_amount"],
        "month_events": months[-1]["events"],
        "months": months,
    }


def overdue_invoices(*, today: dt.date, limit: int = 5) -> dict[str, Any]:
    """Invoices past their due date and still unpaid: how many, what is left to pay (incl. VAT),
    the `limit` oldest (two queries)."""
    overdue = Invoice.objects.filter(status__in=UNPAID_STATUSES, due_date__lt=today)
    totals = overdue.aggregate(
        n=Count("id"),
        due=Coalesce(Sum(F("total_incl_vat") - F("amount_paid")), Value(ZERO), output_field=_MONEY),
    )
    return {
        "count": totals["n"],
        "amount_due": totals["due"],
        "oldest": list(overdue.order_by("due_date", "sequence")[:limit]),
    }


# --- Inventory ---------------------------------------------------------------------------------
def inventory_lines() -> QuerySet[MobileLine]:
    """Every line with its customer and offer (the resellers' sub-account report)."""
    return MobileLine.objects.select_related("customer", "offer", "sim").order_by(
        "customer__number", "msisdn"
    )


def inventory_sim_stock() -> list[dict[str, Any]]:
    """SIM cards by state, the state in words."""
    rows = Sim.objects.order_by("state").values("state").annotate(n=Count("id"))
    return [{"state": r["state"], "label": SimState(r["state"]).label, "n": r["n"]} for r in rows]


def inventory_fixed_numbers() -> QuerySet[FixedNumber]:
    return FixedNumber.objects.select_related("customer", "offer").order_by("number")


# --- Watch lists -------------------------------------------------------------------------------
WATCH_LISTS = ("unrated", "unknown_lines", "disagreements", "actions_waiting", "rejected_imports", "balances")


def watch_unrated(*, since: dt.date) -> QuerySet[Cdr]:
    return Cdr.objects.filter(start_time__gte=_start(since), unrated=True, unknown_line=False).order_by(
        "-start_time"
    )


def watch_unknown_lines(*, since: dt.date) -> QuerySet[Any]:
    """The numbers the operator charged that no line of ours holds, with their CDR count."""
    return (
        Cdr.objects.filter(start_time__gte=_start(since), unknown_line=True)
        .values("line_ref")
        .annotate(events=Count("id"), cost=Sum("wholesale_cost"))
        .order_by("-events", "line_ref")
    )


def watch_disagreements() -> QuerySet[OperatorDisagreement]:
    return OperatorDisagreement.objects.filter(resolved_at__isnull=True).order_by("-seen_at")


def watch_actions_waiting() -> QuerySet[LineAction]:
    return (
        LineAction.objects.filter(status__in=[LineActionStatus.REQUESTED, LineActionStatus.SENT])
        .select_related("line", "sim", "fixed_number")
        .order_by("requested_at")
    )


def watch_rejected_imports() -> QuerySet[Import]:
    return Import.objects.filter(
        Q(status=ImportStatus.DONE_WITH_REJECTIONS) | Q(status=ImportStatus.REJECTED)
    ).order_by("-received_at")


WATCH_LIMIT = 50


def watch_lists(*, today: dt.date, limit: int = WATCH_LIMIT) -> dict[str, Any]:
    """Every watch list, each its first `limit` entries (the page and the API show the same):
    usage lists over the CDRs since the start of the month before last."""
    since = month_start(today, 2)
    return {
        "since": since,
        "unrated": watch_unrated(since=since).select_related("customer")[:limit],
        "unknown_lines": watch_unknown_lines(since=since)[:limit],
        "disagreements": watch_disagreements()[:limit],
        "actions_waiting": watch_actions_waiting()[:limit],
        "rejected_imports": watch_rejected_imports()[:limit],
        "balances": watch_balances(threshold=Decimal(10), limit=limit),
    }


def watch_balances(*, threshold: Decimal, limit: int = 50) -> list[Customer]:
    """Customers whose ledger balance is at or below `threshold` (near or below zero), the lowest
    first, at most `limit`: the balances PostgreSQL keeps with the ledger (`CustomerBalance`; a
    customer without entries is at 0), not the ledger summed again at each request, then the
    customers shown read by id."""
    ranked = list(
        Customer.objects.annotate(balance=balance_annotation())
        .filter(balance__lte=threshold)
        .order_by("balance", "number")
        .values_list("pk", "balance")[:limit]
    )
    found = Customer.objects.in_bulk([pk for pk, _balance in ranked])
    result = []
    for pk, amount in ranked:
        customer = found[pk]
        customer.balance = amount  # type: ignore[attr-defined]
        result.append(customer)
    return result


def report_settings_get() -> ReportSettings:
    """The tenant's report settings (the defaults until an admin saves them)."""
    return ReportSettings.objects.first() or ReportSettings()


def portal_lines(*, customer: Customer) -> QuerySet[MobileLine]:
    return (
        MobileLine.objects.filter(customer=customer).exclude(status=LineStatus.TERMINATED).order_by("msisdn")
    )


def customer_usage_lines(*, customer: Customer) -> QuerySet[MobileLine]:
    """The customer's lines (terminated ones aside) with their offer, for its consumption tab."""
    return (
        MobileLine.objects.filter(customer=customer)
        .exclude(status=LineStatus.TERMINATED)
        .select_related("offer")
        .order_by("msisdn")
    )
