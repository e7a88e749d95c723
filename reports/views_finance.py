"""The financial report page and its streamed exports (thin: the filters, `reports.finance`)."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.permissions import staff_required
from billing.models import LineCategory
from core.money import format_amount
from reports import finance
from reports.charts import revenue_margin_chart
from reports.forms import FinanceReportForm
from reports.selectors import month_label, month_start
from reports.views import _export, _today


def finance_filters(data: Any, *, today: dt.date) -> tuple[FinanceReportForm, tuple[dt.date, dt.date] | None]:
    """The range of months of the report: the last 12 months (this one included) by default."""
    values = data.copy()
    values.setdefault("first", month_start(today, 11).strftime("%Y-%m"))
    values.setdefault("last", month_start(today).strftime("%Y-%m"))
    form = FinanceReportForm(values)
    if not form.is_valid():
        return form, None
    return form, (month_start(form.cleaned_data["first"]), month_start(form.cleaned_data["last"]))


@staff_required("reports.view")
def finance_report(request: HttpRequest) -> HttpResponse:
    today = _today()
    form, period = finance_filters(request.GET, today=today)
    context: dict[str, Any] = {"form": form, "section": "finance"}
    if period is not None:
        report = finance.finance_report(first=period[0], last=period[1], today=today)
        rows = [
            {
                "month": m,
                "label": month_label(m.month),
                "categories": [m.by_category.get(code, finance.ZERO) for code, _label in report.categories],
            }
            for m in report.months
        ]
        totals = report.totals
        context.update(
            report=report,
            rows=rows,
            totals=totals,
            total_categories=[
                totals.by_category.get(code, finance.ZERO) for code, _label in report.categories
            ],
            query=f"first={period[0]:%Y-%m}&last={period[1]:%Y-%m}",
            chart=revenue_margin_chart(
                [(month_label(m.month), m.revenue, m.margin) for m in report.months],
                title=_("Revenue and margin per month (€ excl. VAT)"),
                fmt=lambda v: format_amount(v, places=0),
            ),
        )
    return render(request, "reports/finance.html", context)


FINANCE_HEADER = (
    "MONTH",
    *(f"REVENUE_{c.value.upper()}" for c in LineCategory),
    "INVOICED_EXCL_VAT", "CREDIT_NOTES_EXCL_VAT", "REVENUE_EXCL_VAT", "CDR_WHOLESALE_COST",
    "OPERATOR_INVOICES_EXCL_VAT", "COST_EXCL_VAT", "MARGIN_EXCL_VAT", "MARGIN_RATE_PERCENT",
    "PAYMENTS_RECEIVED_INCL_VAT", "OUTSTANDING_INCL_VAT", "OVERDUE_INCL_VAT",
)  # fmt: skip


def _finance_rows(report: finance.FinanceReport) -> Iterator[tuple[Any, ...]]:
    for m in report.months:
        yield (
            m.month.strftime("%Y-%m"),
            *(m.by_category.get(c.value, finance.ZERO) for c in LineCategory),
            m.invoiced, m.credited, m.revenue, m.cdr_cost, m.operator_invoices, m.cost, m.margin,
            "" if m.margin_rate is None else m.margin_rate,
            m.payments, m.outstanding, m.overdue,
        )  # fmt: skip


@staff_required("reports.view")
def finance_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    today = _today()
    form, period = finance_filters(request.GET, today=today)
    if period is None:
        return render(request, "reports/finance.html", {"form": form, "section": "finance"}, status=400)
    report = finance.finance_report(first=period[0], last=period[1], today=today)
    name = f"rapport_financier_{period[0]:%Y-%m}_{period[1]:%Y-%m}"
    return _export(fmt, FINANCE_HEADER, _finance_rows(report), name, FINANCE_HEADER[1:])
