"""What-if pricing: stored CDRs rated again under another rate table or offer, side by side with
what was billed.

The CDRs of the period are read as settling reads them (`cdr_import.settle.period_line_batches`:
whole lines, each in time order) and rated by the same function (`rate_line_records`), with the
lines' own rating key but another table (`table_on`) or another offer's allowances; nothing is
written to the CDR store. Each scenario's usage is then summed exactly as a billing run sums it
(`billing.content`): per customer, line, category and unit, rounded once to cents.

What it is compared with, per customer and month: the usage and subscription lines of the
customer's issued invoice of that month when there is one (`billed`), else what the CDRs are rated
at in the store now, and the subscriptions the line's current offer would bill (`current`).

Rules written down here:
- A rate table not yet in force on a CDR's date (a table being prepared: every row valid from a
  later date) is taken as it will first be in force; a table with history uses the rows in force
  on each CDR's date, as the engine does.
- Under another offer, a line keeps its options (and their allowances); the offer's table
  replaces the line's (when the offer has none, the line's own table stays); its subscription is
  the offer's price prorated by the days the line is in service in the month.
- Billed subscriptions are the invoice's subscription lines as issued (an offer billed in advance
  carries the next month and its corrections; price overrides and discounts are not simulated:
  the simulated side is the catalogue price prorated, discounts stay in their own category).
- Wholesale cost is the CDRs' cost as stored (the operator's price does not change with the
  retail table); margin = usage revenue − wholesale cost (subscriptions aside, `margin`).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from billing.content import Period, prorate, usage_category
from billing.models import FINALIZED_STATUSES, USAGE_CATEGORIES, InvoiceLine, InvoiceStatus, LineCategory
from cdr_import.models import Family
from cdr_import.settle import lines_rating, period_bounds, period_line_batches, rate_line_records
from core.errors import ApplicationError
from core.money import ZERO, quantize_price
from customers.models import Customer
from jobs.models import Job
from jobs.services import job_create, job_fail, job_finish, job_progress, job_start
from offers.models import Offer, Rate, RateTable
from offers.rating import Allowances, CompiledTable, amount_decimal
from offers.selectors import allowances_for, compiled_table_for
from provisioning.models import MobileLine
from reports.models import WhatIfKind, WhatIfRun

UNIT_CODE = {"MIN": "s", "MB": "KB", "EVENT": "event"}  # the store's billed_unit of each engine unit
SUBSCRIPTION = str(LineCategory.SUBSCRIPTION)
CATEGORIES = (*(str(c) for c in USAGE_CATEGORIES), SUBSCRIPTION)
MAX_MONTHS = 12
BEST_OFFER_MONTHS = 3
BILLED_STATUSES = tuple(s for s in FINALIZED_STATUSES if s != InvoiceStatus.CANCELLED)


# --- Scenarios -----------------------------------------------------------------------------------
def _table_on(table: RateTable) -> Callable[[dt.date], CompiledTable]:
    """The table on each date; before its first row is in force, as it will first be in force."""
    tables = [table.pk] + ([table.base_table_id] if table.base_table_id else [])
    first = Rate.objects.filter(table_id__in=tables).aggregate(first=Min("valid_from"))["first"]
    compiled: dict[dt.date, CompiledTable] = {}

    def on(day: dt.date) -> CompiledTable:
        day = max(day, first) if first is not None else day
        found = compiled.get(day)
        if found is None:
            found = compiled[day] = compiled_table_for(table=table, on=day)
        return found

    return on


@dataclass
class Scenario:
    """What the CDRs are rated under: a table (the lines keep their allowances) or an offer."""

    key: str
    label: str
    table: RateTable | None = None
    offer: Offer | None = None
    table_on: Callable[[dt.date], CompiledTable] | None = None
    _allowances: dict[tuple[Any, ...], Allowances] = field(default_factory=dict)
    _options: dict[int, Any] = field(default_factory=dict)

    @classmethod
    def of_table(cls, table: RateTable) -> "Scenario":
        return cls(key=f"table:{table.pk}", label=table.label, table=table, table_on=_table_on(table))

    @classmethod
    def of_offer(cls, offer: Offer) -> "Scenario":
        table = offer.default_rate_table
        return cls(
            key=f"offer:{offer.pk}",
            label=offer.label,
            offer=offer,
            table=table,
            table_on=_table_on(table) if table is not None else None,
        )

    def allowances(self) -> Callable[[tuple[Any, ...]], Allowances] | None:
        """Under an offer: the offer's allowances with each line's options' (None: the lines' own)."""
        if self.offer is None:
            return None
        offer = self.offer

        def of_key(key: tuple[Any, ...]) -> Allowances:
            found = self._allowances.get(key)
            if found is None:
                from offers.models import Option

                missing = [i for i in key[2] if i not in self._options]
                if missing:
                    self._options.update(Option.objects.in_bulk(missing))
                options = [self._options[i] for i in key[2] if i in self._options]
                found = self._allowances[key] = allowances_for(offer=offer, options=options)
            return found

        return of_key


# --- Periods -------------------------------------------------------------------------------------
def periods_between(first: str, last: str) -> list[str]:
    """The months from `first` to `last` (YYYY-MM), both included."""
    period_bounds(first)  # says which one is not a month
    period_bounds(last)
    start, end = Period.parse(first), Period.parse(last)
    if (end.year, end.month) < (start.year, start.month):
        raise ApplicationError(_("The last month comes before the first one."), field="last_period")
    out = [start.key]
    while out[-1] != end.key:
        out.append(Period.parse(out[-1]).next().key)
        if len(out) > MAX_MONTHS:
            raise ApplicationError(
                _("A simulation covers at most %(count)s months.") % {"count": MAX_MONTHS},
                field="last_period",
            )
    return out


def last_months(today: dt.date, count: int) -> tuple[str, str]:
    """The `count` complete months before `today`'s: (first, last)."""
    last = Period(today.year, today.month).previous()
    first = last
    for _i in range(count - 1):
        first = first.previous()
    return first.key, last.key


def _days_in_service(activated: dt.date | None, terminated: dt.date | None, period: Period) -> int:
    if activated is None:
        return 0
    begin = max(activated, period.start)
    end = period.end + dt.timedelta(days=1)
    if terminated is not None:
        end = min(end, terminated)
    return max(0, (end - begin).days)


# --- The simulation --------------------------------------------------------------------------------
@dataclass
class _Sums:
    """Usage in ten-thousandths per (customer, period, line, category, unit); subscriptions in euros."""

    usage: dict[tuple[Any, ...], int] = field(default_factory=lambda: defaultdict(int))
    subscriptions: dict[tuple[int, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def by_customer_period(self) -> dict[tuple[int, str], dict[str, Decimal]]:
        """Category totals per (customer, period): each (line, category, unit) rounded once, as billed."""
        out: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for (customer, period, _ref, category, _unit), e4 in self.usage.items():
            if e4:
                out[(customer, period)][category] += quantize_price(amount_decimal(e4))
        for (customer, period), amount in self.subscriptions.items():
            out[(customer, period)][SUBSCRIPTION] += amount
        return out


def _billed(
    periods: list[str], customer: Customer | None, line: MobileLine | None, subscriptions: bool
) -> dict[tuple[int, str], dict[str, Decimal]]:
    """Per (customer, period) with an issued invoice: its usage (and subscription) lines by category."""
    categories = [str(c) for c in USAGE_CATEGORIES] + ([SUBSCRIPTION] if subscriptions else [])
    lines = InvoiceLine.objects.filter(
        invoice__period__in=periods, invoice__status__in=BILLED_STATUSES, category__in=categories
    )
    invoices = Q(period__in=periods, status__in=BILLED_STATUSES)
    if customer is not None:
        lines = lines.filter(invoice__customer=customer)
    if line is not None:
        lines = lines.filter(Q(mobile_line=line) | Q(line_ref=line.msisdn, mobile_line__isnull=True))
    from billing.models import Invoice

    invoiced: QuerySet[Invoice] = Invoice.objects.filter(invoices)
    if customer is not None:
        invoiced = invoiced.filter(customer=customer)
    elif line is not None:
        invoiced = invoiced.filter(customer_id=line.customer_id)
    out: dict[tuple[int, str], dict[str, Decimal]] = {
        (c, p): defaultdict(Decimal) for c, p in invoiced.values_list("customer_id", "period").distinct()
    }
    for customer_id, period, category, amount in lines.values_list(
        "invoice__customer_id", "invoice__period", "category", "amount"
    ):
        out.setdefault((customer_id, period), defaultdict(Decimal))[category] += amount
    return out


def _subscriptions(
    sums: dict[str | None, _Sums],
    scenarios: list[Scenario],
    periods: list[str],
    customer: Customer | None,
    line: MobileLine | None,
) -> int:
    """Each in-scope mobile line's subscription per month: current offer (`None`) and each offer scenario."""
    lines = MobileLine.objects.all()
    if line is not None:
        lines = lines.filter(pk=line.pk)
    elif customer is not None:
        lines = lines.filter(customer=customer)
    count = 0
    for customer_id, price, activated, terminated in lines.values_list(
        "customer_id", "offer__price", "activated_on", "terminated_on"
    ):
        count += 1
        for key in periods:
            period = Period.parse(key)
            days = _days_in_service(activated, terminated, period)
            if not days:
                continue
            sums[None].subscriptions[(customer_id, key)] += prorate(price, days, period)
            for scenario in scenarios:
                if scenario.offer is not None:
                    sums[scenario.key].subscriptions[(customer_id, key)] += prorate(
                        scenario.offer.price, days, period
                    )
    return count


def simulate(
    *,
    scenarios: list[Scenario],
    periods: list[str],
    customer: Customer | None = None,
    line: MobileLine | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Rate the stored CDRs of `periods` (a customer's, a line's or the whole tenant's) under each
    scenario and compare with what was billed; reads only. The result is JSON-ready."""
    with_offers = any(s.offer is not None for s in scenarios)
    sums: dict[str | None, _Sums] = {None: _Sums(), **{s.key: _Sums() for s in scenarios}}
    cdrs = 0
    cost = Decimal(0)
    steps = len(periods) * 2
    done = 0
    for family in (Family.MOBILE, Family.VGA):
        rating = lines_rating(family)
        refs: set[str] | None = None
        if line is not None:
            refs = {line.msisdn} if family == Family.MOBILE else set()
        elif customer is not None:
            refs = {ref for ref, (_id, owner, _key) in rating.lines.items() if owner == customer.pk}
        for period in periods:
            done += 1
            if refs is not None and not refs:
                continue
            first, following = period_bounds(period)
            with transaction.atomic():  # the server-side cursor lives in a transaction; nothing is written
                for batch in period_line_batches(family=family, first=first, following=following, lines=refs):
                    current = sums[None].usage
                    for record in batch:
                        found = rating.lines.get(record[2])
                        if found is None:
                            continue
                        cdrs += 1
                        cost += record[8] or 0
                        owner = found[1]
                        if owner is None or not record[16]:
                            continue
                        category = usage_category(
                            origin_zone=record[13], event_type=record[3], rate_zone=record[12]
                        )
                        current[(owner, period, record[2], category, record[17])] += record[16]
                    for scenario in scenarios:
                        usage = sums[scenario.key].usage
                        for record, rated in rate_line_records(
                            batch,
                            rating=rating,
                            usage={},
                            table_on=scenario.table_on,
                            allowances=scenario.allowances(),
                        ):
                            if rated is None or not rated.amount_e4:
                                continue
                            owner = rating.lines[record[2]][1]
                            if owner is None:
                                continue
                            category = usage_category(
                                origin_zone=rated.origin_zone, event_type=record[3], rate_zone=rated.zone
                            )
                            usage[(owner, period, record[2], category, UNIT_CODE[rated.unit])] += (
                                rated.amount_e4
                            )
            if progress is not None:
                progress(done, steps)
    line_count = _subscriptions(sums, scenarios, periods, customer, line) if with_offers else 0
    billed = _billed(periods, customer, line, with_offers)
    rated_now = sums[None].by_customer_period()
    actual: dict[str, Decimal] = dict.fromkeys(CATEGORIES, ZERO)
    for key in set(rated_now) | set(billed):
        for category, amount in (billed[key] if key in billed else rated_now.get(key, {})).items():
            actual[category] += amount
    if not with_offers:
        actual.pop(SUBSCRIPTION)
    results = []
    for scenario in scenarios:
        simulated: dict[str, Decimal] = dict.fromkeys(actual, ZERO)
        for amounts in sums[scenario.key].by_customer_period().values():
            for category, amount in amounts.items():
                simulated[category] += amount
        if scenario.offer is None and with_offers:
            simulated[SUBSCRIPTION] = actual[SUBSCRIPTION]
        results.append(_scenario_result(scenario, simulated, actual, cost))
    if len(results) > 1:
        results.sort(key=lambda r: (Decimal(r["total"]), r["label"]))
    actual_total = sum(actual.values(), ZERO)
    usage_actual = actual_total - actual.get(SUBSCRIPTION, ZERO)
    return {
        "periods": periods,
        "cdrs": cdrs,
        "lines": line_count,
        "billed_months": len(billed),
        "wholesale_cost": str(quantize_price(cost)),
        "actual": {
            "categories": {c: _cents(a) for c, a in actual.items()},
            "total": _cents(actual_total),
            "usage": _cents(usage_actual),
            "margin": _cents(usage_actual - quantize_price(cost)),
        },
        "scenarios": results,
    }


def _cents(amount: Decimal) -> str:
    """An amount already in cents, written with its two decimals (0 → "0.00")."""
    return str(quantize_price(amount))


def _scenario_result(
    scenario: Scenario, simulated: dict[str, Decimal], actual: dict[str, Decimal], cost: Decimal
) -> dict[str, Any]:
    total = sum(simulated.values(), ZERO)
    usage = total - simulated.get(SUBSCRIPTION, ZERO)
    return {
        "key": scenario.key,
        "label": scenario.label,
        "categories": {c: _cents(a) for c, a in simulated.items()},
        "differences": {c: _cents(a - actual[c]) for c, a in simulated.items()},
        "total": _cents(total),
        "usage": _cents(usage),
        "margin": _cents(usage - quantize_price(cost)),
        "difference": _cents(total - sum(actual.values(), ZERO)),
    }


# --- Runs ------------------------------------------------------------------------------------------
def active_offers(*, today: dt.date) -> QuerySet[Offer]:
    """The catalogue's offers on sale today (not archived, within their validity)."""
    return (
        Offer.objects.filter(archived=False)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("default_rate_table")
        .order_by("label", "id")
    )


def whatif_scenarios(run: WhatIfRun, *, today: dt.date) -> list[Scenario]:
    if run.kind == WhatIfKind.BEST_OFFER:
        return [Scenario.of_offer(o) for o in active_offers(today=today)]
    if run.offer is not None:
        return [Scenario.of_offer(run.offer)]
    assert run.rate_table is not None
    return [Scenario.of_table(run.rate_table)]


def whatif_start(
    *,
    kind: str,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    first_period: str = "",
    last_period: str = "",
    customer: Customer | None = None,
    line: MobileLine | None = None,
    rate_table: RateTable | None = None,
    offer: Offer | None = None,
    context: AuditContext | None = None,
) -> WhatIfRun:
    """Record a what-if run and its job (the caller queues `whatif_execute` once this commits).

    A simulation needs a table or an offer (not both) and its months; the best offer is over a
    customer's last three months; the catalogue run is a table over the whole tenant last month."""
    if kind == WhatIfKind.BEST_OFFER:
        if customer is None:
            raise ApplicationError(_("Choose the customer."), field="customer")
        first_period, last_period = last_months(today, BEST_OFFER_MONTHS)
        line, rate_table, offer = None, None, None
    elif kind == WhatIfKind.CATALOGUE:
        if rate_table is None:
            raise ApplicationError(_("Choose the rate table."), field="rate_table")
        first_period, last_period = last_months(today, 1)
        customer, line, offer = None, None, None
    elif kind == WhatIfKind.SIMULATION:
        if (rate_table is None) == (offer is None):
            raise ApplicationError(_("Choose either a rate table or an offer."), field="offer")
        if line is not None and customer is not None and line.customer_id != customer.pk:
            raise ApplicationError(_("This line is not the customer's."), field="line")
    else:
        raise ApplicationError(_("Unknown kind of simulation."), field="kind")
    periods = periods_between(first_period, last_period)
    if line is not None:
        customer = None
    label = _("What-if pricing %(first)s – %(last)s") % {"first": periods[0], "last": periods[-1]}
    job = job_create(kind="reports.whatif", label=label, by=by, total=len(periods) * 2)
    run = WhatIfRun.objects.create(
        kind=kind,
        customer=customer,
        mobile_line=line,
        rate_table=rate_table,
        offer=offer,
        first_period=periods[0],
        last_period=periods[-1],
        job=job,
        created_by=by,
        created_at=now,
    )
    audit_record(
        actor=by,
        action="whatif.created",
        obj=run,
        changes={
            "kind": kind,
            "customer": customer.number if customer else "",
            "line": line.msisdn if line else "",
            "rate_table": rate_table.code if rate_table else "",
            "offer": offer.code if offer else "",
            "first_period": periods[0],
            "last_period": periods[-1],
        },
        context=context,
    )
    return run


def whatif_execute(*, run_id: int, now: dt.datetime, today: dt.date) -> WhatIfRun | None:
    """Run the simulation of a queued run and store its result (a repeated task does nothing)."""
    run = WhatIfRun.objects.select_related("customer", "mobile_line", "rate_table", "offer", "job").get(
        pk=run_id
    )
    job: Job | None = run.job
    if job is not None and not job_start(job_id=job.pk, now=now):
        return None
    try:
        result = simulate(
            scenarios=whatif_scenarios(run, today=today),
            periods=periods_between(run.first_period, run.last_period),
            customer=run.customer,
            line=run.mobile_line,
            progress=(lambda done, total: job_progress(job_id=job.pk, done=done, total=total))
            if job is not None
            else None,
        )
    except Exception:
        if job is not None:
            job_fail(job_id=job.pk, message=_("The simulation failed."), now=now)
        raise
    run.result = result
    run.save(update_fields=["result"])
    if job is not None:
        job_finish(
            job_id=job.pk,
            now=now,
            message=_("%(count)s CDRs rated again.") % {"count": result["cdrs"]},
            result={"next_url": reverse("reports:whatif_detail", args=[run.pk])},
        )
    return run


def whatif_list() -> QuerySet[WhatIfRun]:
    return WhatIfRun.objects.select_related(
        "customer", "mobile_line", "rate_table", "offer", "job", "created_by"
    ).order_by("-created_at", "-id")


def category_rows(run: WhatIfRun) -> list[dict[str, Any]]:
    """The comparison of the run's first scenario (the best one for a best-offer run), per category."""
    result = run.result or {}
    if not result.get("scenarios"):
        return []
    scenario = result["scenarios"][0]
    labels = dict(LineCategory.choices)
    return [
        {
            "category": category,
            "label": labels.get(category, category),
            "actual": Decimal(actual),
            "simulated": Decimal(scenario["categories"].get(category, "0")),
            "difference": Decimal(scenario["differences"].get(category, "0")),
        }
        for category, actual in result["actual"]["categories"].items()
    ]
