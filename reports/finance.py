"""The financial report per month: revenue by category, cost, margin, payments, what is owed.

Decisions (said on the page too):
- Revenue is excl. VAT, read from the lines of FINALIZED invoices (never drafts), counted in the
  month of the service they bill (`Invoice.period`), so that it faces the CDRs of the same month.
  Issued credit notes (issued or refunded, never drafts) are taken off in the month of the invoice
  they correct, category by category.
- Cost is the CDRs' wholesale cost (the daily usage, summed from the CDR store by the import, by
  day in Europe/Paris) plus the operator invoices' totals excl. VAT (month of their invoice date),
  rounded to cents per month. Margin = revenue - cost; its rate is margin / revenue in %.
- Payments received: payments whose status is received (pending debits and rejected payments are
  not money in), incl. VAT, in the month they were received.
- Outstanding at the end of a month (today for the current month): per finalized invoice issued by
  then, its total incl. VAT less its allocations from received payments received by then and its
  issued credit notes issued by then (never below zero); overdue: the part of invoices whose due
  date had passed.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from billing.models import (
    FINALIZED_STATUSES,
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    Invoice,
    InvoiceLine,
    LineCategory,
    PaymentAllocation,
    PaymentStatus,
)
from billing.models import Payment as BillingPayment
from cdr_import.models_invoices import OperatorInvoice
from core.money import quantize_price
from reports.selectors import tenant_usage_months

ZERO = Decimal("0.00")  # shown as 0,00 €
ISSUED_CREDIT_NOTES = (CreditNoteStatus.ISSUED, CreditNoteStatus.REFUNDED)
MAX_MONTHS = 36


@dataclass
class FinanceMonth:
    month: dt.date
    by_category: dict[str, Decimal] = field(default_factory=dict)  # net of credit notes
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    cdr_cost: Decimal = ZERO
    operator_invoices: Decimal = ZERO
    payments: Decimal = ZERO
    outstanding: Decimal = ZERO
    overdue: Decimal = ZERO
    as_of: dt.date | None = None

    @property
    def revenue(self) -> Decimal:
        return self.invoiced - self.credited

    @property
    def cost(self) -> Decimal:
        return self.cdr_cost + self.operator_invoices

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_rate(self) -> Decimal | None:
        """Margin / revenue in %, one decimal; None without revenue."""
        if not self.revenue:
            return None
        return quantize_price(self.margin / self.revenue * 100, places=Decimal("0.1"))


@dataclass
class FinanceReport:
    months: list[FinanceMonth]
    categories: list[tuple[str, str]]  # (code, label) of the categories with a figure, in order

    @property
    def totals(self) -> FinanceMonth:
        """The period's sums (outstanding and overdue: those of its last month)."""
        total = FinanceMonth(month=self.months[0].month if self.months else dt.date.min)
        for m in self.months:
            for code, amount in m.by_category.items():
                total.by_category[code] = total.by_category.get(code, ZERO) + amount
            total.invoiced += m.invoiced
            total.credited += m.credited
            total.cdr_cost += m.cdr_cost
            total.operator_invoices += m.operator_invoices
            total.payments += m.payments
        if self.months:
            total.outstanding, total.overdue = self.months[-1].outstanding, self.months[-1].overdue
            total.as_of = self.months[-1].as_of
        return total


def month_index(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def month_from_index(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def month_list(first: dt.date, last: dt.date) -> list[dt.date]:
    return [month_from_index(i) for i in range(month_index(first), month_index(last) + 1)]


def _period(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _month_end(month: dt.date) -> dt.date:
    return month_from_index(month_index(month) + 1) - dt.timedelta(days=1)


_OWED_SQL = """
SELECT cut, coalesce(sum(due), 0), coalesce(sum(due) FILTER (WHERE due_date < cut), 0)
FROM (
    SELECT c.cut, i.due_date, greatest(
        i.total_incl_vat
        - coalesce((SELECT sum(a.amount_incl_vat) FROM {allocation} a JOIN {payment} p ON p.id = a.payment_id
                    WHERE a.invoice_id = i.id AND p.status = %s AND p.received_on <= c.cut), 0)
        - coalesce((SELECT sum(n.total_incl_vat) FROM {credit_note} n
                    WHERE n.invoice_id = i.id AND n.status = ANY(%s) AND n.issue_date <= c.cut), 0),
        0) AS due
    FROM unnest(%s::date[]) AS c(cut)
    JOIN {invoice} i ON i.issue_date <= c.cut AND i.status = ANY(%s)
) owed
GROUP BY cut
"""


def _owed(cutoffs: list[dt.date]) -> dict[dt.date, tuple[Decimal, Decimal]]:
    """Outstanding and overdue amounts incl. VAT at the end of each cutoff day (one query)."""
    if not cutoffs:
        return {}
    sql = _OWED_SQL.format(
        allocation=PaymentAllocation._meta.db_table,
        payment=BillingPayment._meta.db_table,
        credit_note=CreditNote._meta.db_table,
        invoice=Invoice._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                PaymentStatus.RECEIVED.value,
                [s.value for s in ISSUED_CREDIT_NOTES],
                cutoffs,
                [s.value for s in FINALIZED_STATUSES],
            ],
        )
        return {
            cut: (quantize_price(Decimal(due)), quantize_price(Decimal(late)))
            for cut, due, late in cursor.fetchall()
        }


def finance_report(*, first: dt.date, last: dt.date, today: dt.date) -> FinanceReport:
    """The months `first`..`last` (first days of months), in six queries whatever their number."""
    months = {m: FinanceMonth(month=m) for m in month_list(first, last)}
    by_period = {_period(m): months[m] for m in months}
    periods = list(by_period)
    seen: set[str] = set()

    invoiced = (
        InvoiceLine.objects.filter(invoice__status__in=FINALIZED_STATUSES, invoice__period__in=periods)
        .values_list("invoice__period", "category")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    for period, category, amount in invoiced:
        month = by_period[period]
        month.by_category[category] = month.by_category.get(category, ZERO) + amount
        month.invoiced += amount
        seen.add(category)
    credited = (
        CreditNoteLine.objects.filter(
            credit_note__status__in=ISSUED_CREDIT_NOTES, credit_note__invoice__period__in=periods
        )
        .values_list("credit_note__invoice__period", "category")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    for period, category, amount in credited:
        month = by_period[period]
        month.by_category[category] = month.by_category.get(category, ZERO) - amount
        month.credited += amount
        seen.add(category)

    end = _month_end(last)
    # The whole tenant's figures per destination and day, summed by month (a few hundred rows a
    # day), not the per-line daily figures (over a million for 3 months of 12,000 lines).
    usage = (
        tenant_usage_months(first, month_from_index(month_index(last) + 1))
        .annotate(s=Sum("wholesale_cost"))
        .order_by()
    )
    for row in usage:
        months[row["month"]].cdr_cost = quantize_price(row["s"] or ZERO)
    operator = (
        OperatorInvoice.objects.filter(invoice_date__gte=first, invoice_date__lte=end)
        .annotate(m=TruncMonth("invoice_date"))
        .values_list("m")
        .annotate(s=Sum("total_excl_vat"))
        .order_by()
    )
    for month_start, amount in operator:
        months[month_start].operator_invoices = amount or ZERO
    payments = (
        BillingPayment.objects.filter(
            status=PaymentStatus.RECEIVED, received_on__gte=first, received_on__lte=end
        )
        .annotate(m=TruncMonth("received_on"))
        .values_list("m")
        .annotate(s=Sum("amount_incl_vat"))
        .order_by()
    )
    for month_start, amount in payments:
        months[month_start].payments = amount or ZERO

    past = [m for m in months.values() if m.month <= today]
    for month in past:
        month.as_of = min(_month_end(month.month), today)
    owed = _owed([m.as_of for m in past if m.as_of is not None])
    for month in past:
        month.outstanding, month.overdue = owed.get(month.as_of, (ZERO, ZERO))  # type: ignore[arg-type]

    categories = [(c.value, str(c.label)) for c in LineCategory if c.value in seen]
    return FinanceReport(months=list(months.values()), categories=categories)


def finance_rows(report: FinanceReport) -> list[dict[str, Any]]:
    """One dict per month (the API and the exports): figures as Decimals, the month as YYYY-MM."""
    return [
        {
            "month": _period(m.month),
            "revenue_by_category": {
                code: m.by_category.get(code, ZERO) for code, _label in report.categories
            },
            "invoiced_excl_vat": m.invoiced,
            "credit_notes_excl_vat": m.credited,
            "revenue_excl_vat": m.revenue,
            "cdr_wholesale_cost": m.cdr_cost,
            "operator_invoices_excl_vat": m.operator_invoices,
            "cost_excl_vat": m.cost,
            "margin_excl_vat": m.margin,
            "margin_rate": m.margin_rate,
            "payments_received_incl_vat": m.payments,
            "outstanding_incl_vat": m.outstanding,
            "overdue_incl_vat": m.overdue,
            "owed_as_of": m.as_of,
        }
        for m in report.months
    ]
