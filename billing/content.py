"""What an invoice of a period holds, computed set-based for every customer at once.

Everything is loaded in a few queries (lines, order lines, options, offer changes, terminations,
services, ledger charges, usage aggregated per line and category in SQL), then each customer's
lines are computed in memory. Amounts go through `core.money` (the one rounding helper).

The rules (docs/billing.md says the same in words):

- A line (mobile line, or fixed number with an offer) is in service on day d when
  `activated_on <= d` and (`terminated_on` is empty or `d < terminated_on`): the termination day
  is not billed, the activation day is.
- Proration by day: `price × days / days in the month`, rounded to cents; a whole month is `price`.
- Subscriptions and options billed *in arrears* (the order line's timing, else the offer's): the
  days in service of the period, per offer in force (an offer change splits the month).
- *In advance*: the next month in full when the line is in service on its first day, plus the
  period's corrections: days from an activation in the period, a credit of the unused days after
  a termination, and at an offer change a credit of the old offer and a charge of the new one
  from the change to the end of the period (the period was billed in advance with the old one).
- Discounts of the order line (percent or amount per month) apply to the subscription of the
  months counted from the start of billing, for `discount_months` months (empty: for good); an
  amount discount is prorated like the subscription and never exceeds it.
- Terminal: cash price once in the month of activation; instalments monthly from the month of
  activation for `instalment_months` months; rental monthly (prorated) while in service.
- Activation fee: the service `FRAIS-ACTIVATION` (when the catalogue has it), once per line, in
  the month of activation (or of the billing start unless "charge the activation fee now").
- Services (`ServiceOrder`): recurring ones each month they run (whole months); one-off ones
  once, in the month of their start date (or the first run after it).
- Usage beyond allowances: the period's rated CDRs per line and category (national,
  international, special numbers, SMS/MMS, data, roaming), their charged quantity and their
  amounts summed (4 decimals) then rounded once to cents.
- Early-termination fee: the fee recorded on the confirmed termination, in its month.
- Manual charges of the ledger (not reversed), once, in the first run of a period they fall in.
- One-off items already on another invoice (by their source) are never billed again.
"""

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from billing.models import LineCategory
from cdr_import.store import month_bounds
from core.money import ZERO, quantize_price, vat_amount
from customers.models import Customer, CustomerStatus, EntryKind, LedgerEntry
from offers.models import VAT_DEFAULT, BillingTiming, Offer, Option, Product, ProductKind, Terminal
from provisioning.models import (
    DiscountKind,
    FixedNumber,
    LineAction,
    LineActionKind,
    LineActionStatus,
    MobileLine,
    OrderLine,
    ServiceOrder,
    TerminalPurchase,
)

ACTIVATION_FEE_CODE = "FRAIS-ACTIVATION"
USAGE_VAT = Decimal(VAT_DEFAULT)
ONE_OFF_SOURCES = ("service_order", "ledger_entry", "activation", "terminal", "termination")


@dataclass(frozen=True)
class Period:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Period":
        return cls(int(text[:4]), int(text[5:7]))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, self.month, self.days)

    def next(self) -> "Period":
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Period":
        return Period(self.year - (self.month == 1), 12 if self.month == 1 else self.month - 1)


def months_between(first: dt.date, period: Period) -> int:
    """How many months lie between the month of `first` and `period` (0 for the same month)."""
    return (period.year - first.year) * 12 + period.month - first.month


@dataclass
class Item:
    """One invoice line before it is saved."""

    category: str
    label: str
    amount: Decimal
    vat_rate: Decimal
    quantity: Decimal = Decimal(1)
    unit: str = ""
    unit_price: Decimal | None = None
    detail: str = ""
    service_start: dt.date | None = None
    service_end: dt.date | None = None
    mobile_line_id: int | None = None
    fixed_number_id: int | None = None
    line_ref: str = ""
    source_type: str = ""
    source_id: int | None = None

    def fields(self) -> dict[str, Any]:
        unit_price = self.unit_price
        if unit_price is None:
            unit_price = self.amount / self.quantity if self.quantity else self.amount
        return {
            "category": self.category,
            "label": self.label[:255],
            "detail": self.detail[:255],
            "quantity": self.quantity,
            "unit": self.unit,
            "unit_price": quantize_price(unit_price, places=Decimal("0.0001")),
            "amount": self.amount,
            "vat_rate": self.vat_rate,
            "service_start": self.service_start,
            "service_end": self.service_end,
            "mobile_line_id": self.mobile_line_id,
            "fixed_number_id": self.fixed_number_id,
            "line_ref": self.line_ref,
            "source_type": self.source_type,
            "source_id": self.source_id,
        }


@dataclass
class Totals:
    excl_vat: Decimal
    vat: Decimal
    incl_vat: Decimal
    per_rate: list[tuple[Decimal, Decimal, Decimal]]  # (rate, base, vat)


def totals_of(items: Iterable[Item]) -> Totals:
    """Totals per VAT rate: VAT computed once on each rate's base (never line by line)."""
    bases: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for item in items:
        bases[Decimal(item.vat_rate)] += item.amount
    per_rate = [(rate, base, vat_amount(base, rate)) for rate, base in sorted(bases.items())]
    excl = sum((base for _r, base, _v in per_rate), ZERO)
    vat = sum((v for _r, _b, v in per_rate), ZERO)
    return Totals(excl, vat, excl + vat, per_rate)


def prorate(price: Decimal, days: int, period: Period) -> Decimal:
    """A monthly price for `days` days of the period (the whole price for the whole month)."""
    if days >= period.days:
        return quantize_price(price)
    return quantize_price(price * days / period.days)


# --- what is loaded once -----------------------------------------------------------------------


@dataclass
class _Line:
    """A mobile line or a fixed number as billing sees it."""

    kind: str  # "mobile" | "fixed"
    id: int
    ref: str
    customer_id: int
    offer_id: int
    activated_on: dt.date | None
    terminated_on: dt.date | None
    options: list[int] = field(default_factory=list)
    order_line: OrderLine | None = None
    changes: list[tuple[dt.date, int]] = field(default_factory=list)  # (effective date, new offer id)
    termination: LineAction | None = None

    def in_service(self, day: dt.date) -> bool:
        return (
            self.activated_on is not None
            and self.activated_on <= day
            and (self.terminated_on is None or day < self.terminated_on)
        )

    def segments(self) -> list[tuple[dt.date | None, dt.date | None, int]]:
        """(from, until excluded, offer id): the offers in force over time (None: open)."""
        if not self.changes:
            return [(None, None, self.offer_id)]
        changes = sorted(self.changes)
        out: list[tuple[dt.date | None, dt.date | None, int]] = []
        start: dt.date | None = None
        offer = self.order_line.offer_id if self.order_line is not None else self.offer_id
        for when, new_offer in changes:
            out.append((start, when, offer))
            start, offer = when, new_offer
        out.append((start, None, offer))
        return out

    def offer_on(self, day: dt.date) -> int:
        for start, end, offer in self.segments():
            if (start is None or start <= day) and (end is None or day < end):
                return offer
        return self.offer_id

    def days_by_offer(self, first: dt.date, last: dt.date) -> list[tuple[int, dt.date, dt.date, int]]:
        """(offer, from, to, days) for the days in service between `first` and `last` (inclusive)."""
        out = []
        for start, end, offer in self.segments():
            lo = max(first, start or first, self.activated_on or first)
            hi = min(last, (end - dt.timedelta(days=1)) if end else last)
            if self.terminated_on is not None:
                hi = min(hi, self.terminated_on - dt.timedelta(days=1))
            if self.activated_on is None or lo > hi:
                continue
            out.append((offer, lo, hi, (hi - lo).days + 1))
        return out


@dataclass
class Catalogue:
    offers: dict[int, Offer]
    options: dict[int, Option]
    terminals: dict[int, Terminal]
    activation_fee: Product | None


@dataclass
class Sources:
    """Everything a period's invoices are built from, loaded once."""

    period: Period
    catalogue: Catalogue
    customers: dict[int, Customer]
    lines: dict[int, list[_Line]]
    services: dict[int, list[ServiceOrder]]
    charges: dict[int, list[LedgerEntry]]
    usage: dict[int, list[tuple[Any, ...]]]
    billed_once: set[tuple[str, int]]


def sources_load(
    *, period: Period, customer_ids: Iterable[int] | None = None, exclude_run_id: int | None
) -> Sources:
    """Load the sources of the period's invoices (of `customer_ids`, or of every customer)."""
    wanted = set(customer_ids) if customer_ids is not None else None
    customers_q = Customer.objects.exclude(status=CustomerStatus.ARCHIVED)
    if wanted is not None:
        customers_q = customers_q.filter(pk__in=wanted)
    customers = {c.pk: c for c in customers_q}
    # Every customer: no list of ids sent back to the server (the rows of others are dropped).
    of_customers = Q(customer_id__in=wanted) if wanted is not None else Q()
    catalogue = Catalogue(
        offers={o.pk: o for o in Offer.objects.all()},
        options={o.pk: o for o in Option.objects.all()},
        terminals={t.pk: t for t in Terminal.objects.all()},
        activation_fee=Product.objects.filter(code=ACTIVATION_FEE_CODE, archived=False).first(),
    )
    period_end = period.end
    next_start = period.next().start
    # Lines that may be billed: activated by the end of the next month, not ended before the period.
    live = Q(activated_on__isnull=False, activated_on__lte=period.next().end) & (
        Q(terminated_on__isnull=True) | Q(terminated_on__gte=period.start)
    )
    lines: dict[int, list[_Line]] = defaultdict(list)
    mobile: dict[int, _Line] = {}
    for row in MobileLine.objects.filter(live, of_customers).values(
        "id", "msisdn", "customer_id", "offer_id", "activated_on", "terminated_on"
    ):
        line = _Line(
            "mobile",
            row["id"],
            row["msisdn"],
            row["customer_id"],
            row["offer_id"],
            row["activated_on"],
            row["terminated_on"],
        )
        if line.customer_id in customers:
            mobile[line.id] = line
            lines[line.customer_id].append(line)
    for line_id, option_id in MobileLine.options.through.objects.values_list("mobileline_id", "option_id"):
        if line_id in mobile:
            mobile[line_id].options.append(option_id)
    for order_line in OrderLine.objects.filter(line__isnull=False).order_by("id"):
        if order_line.line_id in mobile:
            mobile[order_line.line_id].order_line = order_line  # the last one wins
    confirmed = LineAction.objects.filter(
        line__isnull=False, status=LineActionStatus.CONFIRMED, effective_date__isnull=False
    )
    for action in confirmed.filter(kind=LineActionKind.CHANGE_OFFER).order_by("effective_date", "id"):
        offer_id = (action.parameters or {}).get("offer_id")
        if offer_id and action.line_id in mobile:
            mobile[action.line_id].changes.append((action.effective_date, int(offer_id)))  # type: ignore[index, arg-type]
    for action in confirmed.filter(kind=LineActionKind.TERMINATE).order_by("id"):
        if action.line_id in mobile:
            mobile[action.line_id].termination = action
    fixed_live = Q(offer__isnull=False, assigned_on__isnull=False, assigned_on__lte=period.next().end) & (
        Q(unassigned_on__isnull=True) | Q(unassigned_on__gte=period.start)
    )
    for fid, number, fcustomer, foffer, assigned, unassigned in FixedNumber.objects.filter(
        fixed_live, of_customers
    ).values_list("id", "number", "customer_id", "offer_id", "assigned_on", "unassigned_on"):
        if fcustomer in customers and foffer is not None:
            lines[fcustomer].append(_Line("fixed", fid, number, fcustomer, foffer, assigned, unassigned))
    services: dict[int, list[ServiceOrder]] = defaultdict(list)
    for order in (
        ServiceOrder.objects.filter(of_customers, start_date__lte=period_end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start) | Q(product__recurring=False))
        .select_related("product")
        .order_by("start_date", "id")
    ):
        if order.customer_id in customers:
            services[order.customer_id].append(order)
    charges: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in LedgerEntry.objects.filter(
        of_customers, kind=EntryKind.CHARGE, entry_date__lte=period_end, reversed_by__isnull=True
    ).order_by("entry_date", "id"):
        if entry.customer_id in customers:
            charges[entry.customer_id].append(entry)
    from billing.models import InvoiceLine  # same app; here to keep the import list readable

    done = InvoiceLine.objects.filter(source_type__in=ONE_OFF_SOURCES, source_id__isnull=False)
    if exclude_run_id is not None:
        done = done.exclude(invoice__run_id=exclude_run_id)
    billed_once = {
        (kind, int(pk)) for kind, pk in done.values_list("source_type", "source_id") if pk is not None
    }
    del next_start
    return Sources(
        period=period,
        catalogue=catalogue,
        customers=customers,
        lines=lines,
        services=services,
        charges=charges,
        usage=_usage_by_customer(period, wanted),
        billed_once=billed_once,
    )


# Usage categories, decided in SQL from the settled rating (see docs/billing.md).
_USAGE_SQL = """
    SELECT customer_id, mobile_line_id, fixed_number_id, line_ref,
        CASE
            WHEN origin_zone NOT IN ('', 'HOME') THEN 'usage_roaming'
            WHEN event_type IN ('SMS_MO', 'SMS_MT', 'MMS_MO') THEN 'usage_sms_mms'
            WHEN event_type = 'DATA' THEN 'usage_data'
            WHEN rate_zone LIKE '%%SPECIAL%%' THEN 'usage_special'
            WHEN rate_zone LIKE 'INTL%%' OR rate_zone LIKE 'WORLD%%' THEN 'usage_international'
            ELSE 'usage_national'
        END AS category,
        billed_unit, sum(billed_quantity - allowance_used), count(*), sum(rated_amount)
    FROM cdr_import_cdr
    WHERE start_time >= %s AND start_time < %s AND customer_id IS NOT NULL AND rated_amount <> 0 {only}
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 1, 4, 5, 6
"""


def usage_category(*, origin_zone: str, event_type: str, rate_zone: str) -> str:
    """A rated CDR's usage category, the rule of `_USAGE_SQL` in Python (for what-if pricing,
    which rates CDRs without storing them): roaming first, then SMS/MMS, data, special numbers,
    international, national."""
    if origin_zone not in ("", "HOME"):
        return LineCategory.USAGE_ROAMING
    if event_type in ("SMS_MO", "SMS_MT", "MMS_MO"):
        return LineCategory.USAGE_SMS_MMS
    if event_type == "DATA":
        return LineCategory.USAGE_DATA
    if "SPECIAL" in rate_zone:
        return LineCategory.USAGE_SPECIAL
    if rate_zone.startswith(("INTL", "WORLD")):
        return LineCategory.USAGE_INTERNATIONAL
    return LineCategory.USAGE_NATIONAL


def _usage_by_customer(period: Period, wanted: set[int] | None) -> dict[int, list[tuple[Any, ...]]]:
    first, following = month_bounds(period.start)
    params: list[Any] = [first, following]
    only = ""
    if wanted is not None:
        only = "AND customer_id = ANY(%s)"
        params.append(sorted(wanted))
    usage: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_USAGE_SQL.format(only=only), params)
        for row in cursor.fetchall():
            usage[row[0]].append(row[1:])
    return usage


# --- one customer ------------------------------------------------------------------------------

_UNIT_SHOWN = {"s": "min", "KB": "Mo", "event": ""}


def _usage_quantity(unit: str, base_quantity: int, events: int) -> tuple[Decimal, str]:
    if unit == "s":
        return quantize_price(Decimal(base_quantity) / 60, places=Decimal("0.0001")), "min"
    if unit == "KB":
        return quantize_price(Decimal(base_quantity) / 1024, places=Decimal("0.0001")), "Mo"
    return Decimal(base_quantity or events), ""


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def customer_items(*, customer: Customer, sources: Sources) -> list[Item]:
    """Every line of the customer's invoice for the period, in invoice order."""
    period = sources.period
    items: list[Item] = []
    for line in sorted(sources.lines.get(customer.pk, []), key=lambda li: (li.kind, li.ref)):
        items.extend(_line_items(line, sources))
    items.extend(_service_items(sources.services.get(customer.pk, []), sources))
    for entry in sources.charges.get(customer.pk, []):
        if ("ledger_entry", entry.pk) in sources.billed_once:
            continue
        items.append(
            Item(
                LineCategory.MANUAL_CHARGE,
                entry.description or _("Charge"),
                quantize_price(entry.amount_ht or ZERO),
                entry.vat_rate if entry.vat_rate is not None else USAGE_VAT,
                service_start=entry.entry_date,
                service_end=entry.entry_date,
                source_type="ledger_entry",
                source_id=entry.pk,
            )
        )
    for mobile_id, fixed_id, ref, category, unit, quantity, events, amount in sources.usage.get(
        customer.pk, []
    ):
        shown, shown_unit = _usage_quantity(unit, int(quantity or 0), int(events))
        items.append(
            Item(
                category,
                str(LineCategory(category).label),
                quantize_price(Decimal(amount)),
                USAGE_VAT,
                quantity=shown,
                unit=shown_unit,
                detail=ref,
                service_start=period.start,
                service_end=period.end,
                mobile_line_id=mobile_id,
                fixed_number_id=fixed_id,
                line_ref=ref,
                source_type="usage",
            )
        )
    return items


def _line_items(line: _Line, sources: Sources) -> list[Item]:
    period = sources.period
    catalogue = sources.catalogue
    order_line = line.order_line
    timing = order_line.billing_timing if order_line is not None else None
    items: list[Item] = []
    ids: dict[str, Any] = (
        {"mobile_line_id": line.id} if line.kind == "mobile" else {"fixed_number_id": line.id}
    )
    category = LineCategory.SUBSCRIPTION if line.kind == "mobile" else LineCategory.FIXED_LINE

    def price_of(offer_id: int) -> Decimal:
        if (
            order_line is not None
            and order_line.price_override is not None
            and offer_id == order_line.offer_id
        ):
            return order_line.price_override
        return catalogue.offers[offer_id].price

    def charge(offer_id: int, first: dt.date, last: dt.date, days: int, of: Period, sign: int = 1) -> None:
        offer = catalogue.offers[offer_id]
        amount = prorate(price_of(offer_id), days, of) * sign
        label = offer.label if sign > 0 else _("Unused days: %(offer)s") % {"offer": offer.label}
        items.append(
            Item(
                category,
                label,
                amount,
                offer.vat_rate,
                quantity=Decimal(1) if days >= of.days else Decimal(days * sign),
                unit="" if days >= of.days else "j",
                unit_price=price_of(offer_id) if days >= of.days else price_of(offer_id) / of.days,
                detail=f"{line.ref} · {_fmt(first)} – {_fmt(last)}",
                service_start=first,
                service_end=last,
                line_ref=line.ref,
                source_type="line",
                source_id=line.id,
                **ids,
            )
        )
        if line.kind == "mobile":
            for option_id in line.options:
                option = catalogue.options.get(option_id)
                if option is None:
                    continue
                option_amount = prorate(option.price, days, of) * sign
                items.append(
                    Item(
                        LineCategory.OPTION,
                        option.label,
                        option_amount,
                        option.vat_rate,
                        detail=f"{line.ref} · {_fmt(first)} – {_fmt(last)}",
                        service_start=first,
                        service_end=last,
                        line_ref=line.ref,
                        source_type="option",
                        source_id=option_id,
                        **ids,
                    )
                )
        _discount(line, amount, of, first, last, items, ids, offer.vat_rate)

    offer_timing = catalogue.offers[line.offer_id].billing_timing
    advance = (timing or offer_timing) == BillingTiming.ADVANCE
    if advance:
        for offer_id, first, last, days in _advance_corrections(line, period):
            sign = -1 if days < 0 else 1
            charge(offer_id, first, last, abs(days), period, sign)
        following = period.next()
        if line.in_service(following.start) and (
            line.terminated_on is None or line.terminated_on > following.start
        ):
            charge(line.offer_on(following.start), following.start, following.end, following.days, following)
    else:
        for offer_id, first, last, days in line.days_by_offer(period.start, period.end):
            charge(offer_id, first, last, days, period)
    if line.kind == "mobile":
        items.extend(_terminal_items(line, sources, ids))
        items.extend(_one_off_line_items(line, sources, ids))
    return items


def _advance_corrections(line: _Line, period: Period) -> list[tuple[int, dt.date, dt.date, int]]:
    """The period's corrections of a line billed in advance: (offer, from, to, ±days)."""
    out: list[tuple[int, dt.date, dt.date, int]] = []
    if line.activated_on is None:
        return out
    billed_ahead = line.activated_on <= period.start  # the previous run billed this period whole
    if not billed_ahead:
        # Activated during the period: its days from the activation, per offer in force.
        out.extend(line.days_by_offer(period.start, period.end))
        return out
    old_offer = line.offer_on(period.start)
    for start, _end, offer in line.segments():
        if start is not None and period.start < start <= period.end and offer != old_offer:
            until = period.end
            if line.terminated_on is not None and line.terminated_on <= period.end:
                until = line.terminated_on - dt.timedelta(days=1)
            if start <= until:
                days = (until - start).days + 1
                out.append((old_offer, start, until, -days))
                out.append((offer, start, until, days))
    if line.terminated_on is not None and period.start <= line.terminated_on <= period.end:
        days = (period.end - line.terminated_on).days + 1
        out.append(
            (line.offer_on(line.terminated_on - dt.timedelta(days=1)), line.terminated_on, period.end, -days)
        )
    return out


def _discount(
    line: _Line,
    amount: Decimal,
    of: Period,
    first: dt.date,
    last: dt.date,
    items: list[Item],
    ids: dict[str, Any],
    offer_vat: Decimal,
) -> None:
    order_line = line.order_line
    if order_line is None or not order_line.discount_kind or not order_line.discount_value or not amount:
        return
    start = order_line.billing_start or line.activated_on
    if start is None:
        return
    month_index = months_between(start, of)
    if month_index < 0 or (
        order_line.discount_months is not None and month_index >= order_line.discount_months
    ):
        return
    sign = 1 if amount > 0 else -1
    if order_line.discount_kind == DiscountKind.PERCENT:
        value = quantize_price(abs(amount) * order_line.discount_value / 100)
        label = _("Discount %(value)s %%") % {"value": format(order_line.discount_value.normalize(), "f")}
    else:
        days = (last - first).days + 1
        value = min(abs(amount), prorate(order_line.discount_value, days, of))
        label = _("Discount")
    if order_line.discount_months is not None:
        label = _("%(label)s (month %(index)s of %(months)s)") % {
            "label": label,
            "index": month_index + 1,
            "months": order_line.discount_months,
        }
    items.append(
        Item(
            LineCategory.DISCOUNT,
            label,
            -value * sign,
            offer_vat,
            detail=f"{line.ref} · {_fmt(first)} – {_fmt(last)}",
            service_start=first,
            service_end=last,
            line_ref=line.ref,
            source_type="discount",
            source_id=order_line.pk,
            **ids,
        )
    )


def _terminal_items(line: _Line, sources: Sources, ids: dict[str, Any]) -> list[Item]:
    period = sources.period
    order_line = line.order_line
    if order_line is None or order_line.terminal_id is None or line.activated_on is None:
        return []
    terminal = sources.catalogue.terminals.get(order_line.terminal_id)
    if terminal is None:
        return []
    label = f"{terminal.brand} {terminal.model}".strip() or terminal.label
    index = months_between(line.activated_on, period)
    common: dict[str, Any] = {"detail": line.ref, "line_ref": line.ref, **ids}
    mode = order_line.terminal_purchase or TerminalPurchase.CASH
    if mode == TerminalPurchase.CASH:
        if index < 0 or ("terminal", order_line.pk) in sources.billed_once:
            return []
        return [
            Item(
                LineCategory.HARDWARE,
                label,
                quantize_price(terminal.price),
                terminal.vat_rate,
                source_type="terminal",
                source_id=order_line.pk,
                **common,
            )  # fmt: skip
        ]
    if mode == TerminalPurchase.INSTALMENTS:
        months = terminal.instalment_months or 0
        if not 0 <= index < months or terminal.instalment_price is None:
            return []
        return [
            Item(
                LineCategory.INSTALMENT,
                _("%(terminal)s, instalment %(index)s of %(months)s")
                % {"terminal": label, "index": index + 1, "months": months},
                quantize_price(terminal.instalment_price),
                terminal.vat_rate,
                service_start=period.start,
                service_end=period.end,
                source_type="instalment",
                source_id=order_line.pk,
                **common,
            )
        ]
    if terminal.rental_price is None:
        return []
    out = []
    for _offer, first, last, days in line.days_by_offer(period.start, period.end):
        out.append(
            Item(
                LineCategory.RENTAL,
                _("Rental: %(terminal)s") % {"terminal": label},
                prorate(terminal.rental_price, days, period),
                terminal.vat_rate,
                service_start=first,
                service_end=last,
                source_type="rental",
                source_id=order_line.pk,
                **common,
            )
        )
    return out


def _one_off_line_items(line: _Line, sources: Sources, ids: dict[str, Any]) -> list[Item]:
    period = sources.period
    out: list[Item] = []
    fee = sources.catalogue.activation_fee
    order_line = line.order_line
    if (
        fee is not None
        and line.activated_on is not None
        and ("activation", line.id) not in sources.billed_once
    ):
        when = line.activated_on
        if order_line is not None and order_line.billing_start and not order_line.charge_activation_now:
            when = max(when, order_line.billing_start)
        if when <= period.end:
            out.append(
                Item(
                    LineCategory.ACTIVATION,
                    fee.label,
                    quantize_price(fee.price),
                    fee.vat_rate,
                    detail=line.ref,
                    line_ref=line.ref,
                    service_start=when,
                    service_end=when,
                    source_type="activation",
                    source_id=line.id,
                    **ids,
                )  # fmt: skip
            )
    action = line.termination
    if (
        action is not None
        and action.effective_date is not None
        and action.effective_date <= period.end
        and ("termination", action.pk) not in sources.billed_once
    ):
        fee_amount = Decimal(str((action.parameters or {}).get("fee") or "0"))
        if fee_amount > ZERO:
            offer = sources.catalogue.offers[line.offer_id]
            out.append(
                Item(
                    LineCategory.TERMINATION_FEE,
                    _("Early termination fee"),
                    quantize_price(fee_amount),
                    offer.vat_rate,
                    detail=line.ref,
                    line_ref=line.ref,
                    service_start=action.effective_date,
                    service_end=action.effective_date,
                    source_type="termination",
                    source_id=action.pk,
                    **ids,
                )  # fmt: skip
            )
    return out


def _service_items(orders: list[ServiceOrder], sources: Sources) -> list[Item]:
    period = sources.period
    out = []
    for order in orders:
        product = order.product
        category = LineCategory.HARDWARE if product.kind == ProductKind.HARDWARE else LineCategory.SERVICE
        amount = quantize_price(order.unit_price * order.quantity)
        if product.recurring:
            if order.start_date > period.end or (
                order.end_date is not None and order.end_date < period.start
            ):
                continue
            out.append(
                Item(
                    category,
                    product.label,
                    amount,
                    product.vat_rate,
                    quantity=Decimal(order.quantity),
                    unit_price=order.unit_price,
                    service_start=max(order.start_date, period.start),
                    service_end=min(order.end_date or period.end, period.end),
                    source_type="service_recurring",
                    source_id=order.pk,
                )  # fmt: skip
            )
        elif ("service_order", order.pk) not in sources.billed_once and order.start_date <= period.end:
            out.append(
                Item(
                    category,
                    product.label,
                    amount,
                    product.vat_rate,
                    quantity=Decimal(order.quantity),
                    unit_price=order.unit_price,
                    service_start=order.start_date,
                    service_end=order.start_date,
                    source_type="service_order",
                    source_id=order.pk,
                )  # fmt: skip
            )
    return out
