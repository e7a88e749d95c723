"""Report pages and their streamed exports (thin: parse the filters, call a selector, shape)."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import portal_required, staff_required, user_can
from audit.context import AuditContext
from core.delimited import iter_csv, iter_xlsx
from core.downloads import streamed_attachment_response
from core.errors import call_service
from core.labels import event_type_label
from core.money import format_amount
from core.templatetags.ism_format import money
from customers.models import Customer
from customers.selectors import portal_customer
from provisioning.models import MobileLine
from reports import finance, selectors
from reports.charts import bar_chart, line_chart, revenue_margin_chart
from reports.forms import CdrReportForm, ReportSettingsForm
from reports.services import PARIS, report_settings_update
from reports.templatetags.reports_format import fr_number, megabytes

PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CDR_HEADER = (
    "START_TIME", "LINE", "CUSTOMER", "EVENT_TYPE", "CALLED_NUMBER", "DESTINATION", "ROAMING_COUNTRY",
    "DURATION_S", "VOLUME_BYTES", "RATED_AMOUNT", "WHOLESALE_COST", "UNRATED",
)  # fmt: skip
CDR_NUMERIC = ("DURATION_S", "VOLUME_BYTES", "RATED_AMOUNT", "WHOLESALE_COST")


def _today() -> dt.date:
    return timezone.now().astimezone(PARIS).date()


def _filters(request: HttpRequest) -> tuple[CdrReportForm, selectors.CdrFilters | None]:
    today = _today()
    data = request.GET.copy()
    data.setdefault("first", selectors.month_start(today).isoformat())
    data.setdefault("last", today.isoformat())
    form = CdrReportForm(data, event_types=selectors.cdr_event_types())
    if not form.is_valid():
        return form, None
    return form, selectors.CdrFilters.from_values(form.cleaned_data)


def _export(
    fmt: str, header: tuple[str, ...], rows: Iterator[Any], name: str, numeric: tuple[str, ...]
) -> StreamingHttpResponse:
    if fmt == "csv":
        return streamed_attachment_response(
            iter_csv(header, rows, numeric=numeric), f"{name}.csv", "text/csv"
        )
    if fmt == "xlsx":
        return streamed_attachment_response(
            iter_xlsx(header, rows, title=name, numeric=numeric), f"{name}.xlsx", XLSX
        )
    raise Http404


@staff_required("reports.view")
def cdr_report(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    context: dict[str, Any] = {"form": form}
    if filters is not None:
        cdrs = selectors.cdr_report_list(filters=filters).select_related("customer")
        # No count(*) over millions of CDRs: the page knows whether another follows.
        number = (
            max(1, int(request.GET.get("page") or 1)) if (request.GET.get("page") or "1").isdigit() else 1
        )
        rows = list(cdrs[(number - 1) * PAGE : number * PAGE + 1])
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            rows=rows[:PAGE],
            cells=_cdr_cells(rows[:PAGE]),
            page_number=number,
            has_next=len(rows) > PAGE,
            query=query.urlencode(),
            totals=selectors.cdr_report_totals(filters=filters),
        )
    return render(request, "reports/cdr_report.html", context)


def _cdr_cells(cdrs: list[Any]) -> list[dict[str, Any]]:
    """The report's rows as the page shows them, formatted once here: the same text the
    template's filters gave (date, labels, French numbers), without a template filter call per
    cell (10 a row, 50 rows: most of the page's Python time)."""
    return [
        {
            "start": date_filter(timezone.localtime(cdr.start_time), "d/m/Y H:i:s"),
            "line": cdr.line_ref,
            "customer": cdr.customer.number if cdr.customer else "—",
            "event_type": event_type_label(cdr.event_type or ""),
            "called": cdr.called_number or "—",
            "destination": cdr.rate_destination or cdr.destination_label or "—",
            "roaming": cdr.roaming_country or "—",
            "duration": fr_number(cdr.duration_s),
            "volume": megabytes(cdr.volume_bytes),
            "unrated": cdr.unrated,
            "amount": "" if cdr.unrated else money(cdr.rated_amount),
        }
        for cdr in cdrs
    ]


def _cdr_rows(filters: selectors.CdrFilters) -> Iterator[tuple[Any, ...]]:
    cdrs = selectors.cdr_report_rows(filters=filters, fields=(
        "start_time", "line_ref", "customer__number", "event_type", "called_number", "rate_destination",
        "roaming_country", "duration_s", "volume_bytes", "rated_amount", "wholesale_cost", "unrated",
    ))  # fmt: skip
    for row in cdrs:
        yield (row[0].astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S"), *row[1:11], "1" if row[11] else "0")


@staff_required("reports.view")
def cdr_report_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    form, filters = _filters(request)
    if filters is None:
        return render(request, "reports/cdr_report.html", {"form": form}, status=400)
    name = f"cdr_{filters.first.isoformat()}_{filters.last.isoformat()}"
    return _export(fmt, CDR_HEADER, _cdr_rows(filters), name, CDR_NUMERIC)


@staff_required("reports.view")
def inventory(request: HttpRequest) -> HttpResponseBase:
    lines = Paginator(selectors.inventory_lines(), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/inventory.html",
        {
            "page": lines,
            "query": "",
            "sims": selectors.inventory_sim_stock(),
            "fixed_numbers": selectors.inventory_fixed_numbers()[:200],
        },
    )


INVENTORY_HEADER = ("CUSTOMER", "CUSTOMER_NAME", "MSISDN", "STATUS", "OFFER", "ICCID", "ACTIVATED_ON")


def _inventory_rows() -> Iterator[tuple[Any, ...]]:
    for line in selectors.inventory_lines().iterator(chunk_size=2000):
        yield (
            line.customer.number,
            line.customer.display_name,
            line.msisdn,
            line.get_status_display(),
            line.offer.label,
            line.sim.iccid if line.sim else "",
            line.activated_on,
        )


@staff_required("reports.view")
def inventory_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _export(fmt, INVENTORY_HEADER, _inventory_rows(), "inventaire_lignes", ())


@staff_required("reports.view")
def watch(request: HttpRequest) -> HttpResponseBase:
    return render(request, "reports/watch.html", selectors.watch_lists(today=_today()))


def usage_charts(
    *, today: dt.date, line: MobileLine | None = None, customer: Customer | None = None
) -> dict[str, Any]:
    """The month's days and the last 12 months of a line, a customer (or the tenant), drawn and tabled."""
    months = selectors.usage_by_month(today=today, line=line, customer=customer)
    days = selectors.usage_by_day(month=selectors.month_start(today), line=line, customer=customer)
    return {
        "months": months,
        "days": days,
        "chart_months_data": bar_chart(
            selectors.points(months, "data_mb"),
            title=_("Data used per month (MB), last 12 months"),
            axis_labels=6,
        ),
        "chart_months_minutes": bar_chart(
            selectors.points(months, "minutes"),
            title=_("Call minutes per month, last 12 months"),
            axis_labels=6,
        ),
        "chart_days_data": line_chart(
            selectors.points(days, "data_mb", label="day"),
            title=_("Data used per day this month (MB)"),
            axis_labels=10,
        ),
    }


DASHBOARD_FINANCE_MONTHS = 6


def dashboard_context(*, today: dt.date) -> dict[str, Any]:
    """The tenant dashboard's reports part, for the shell's dashboard page: figures and usage
    chart, the last 6 whole months' revenue and margin (chart, figures a click away in the
    financial report), the overdue invoices."""
    figures = selectors.dashboard_figures(today=today)
    first = selectors.month_start(today, DASHBOARD_FINANCE_MONTHS)
    last = selectors.month_start(today, 1)
    money = finance.finance_report(first=first, last=last, today=today)
    return {
        "figures": figures,
        "usage_chart": bar_chart(
            selectors.points(figures["months"], "rated_amount"),
            title=_("Rated usage per month (€ excl. VAT)"),
            fmt=lambda v: format_amount(v, places=0),
        ),
        "finance_months": money.months,
        "finance_chart": revenue_margin_chart(
            [(selectors.month_label(m.month), m.revenue, m.margin) for m in money.months],
            title=_("Revenue and margin per month (€ excl. VAT)"),
            fmt=lambda v: format_amount(v, places=0),
        ),
        "finance_query": f"first={first:%Y-%m}&last={last:%Y-%m}",
        "overdue": selectors.overdue_invoices(today=today),
    }


@staff_required("lines.view")
def line_usage(request: HttpRequest, pk: int) -> HttpResponseBase:
    line = get_object_or_404(MobileLine.objects.select_related("customer", "offer"), pk=pk)
    today = _today()
    context = usage_charts(today=today, line=line)
    context.update(
        line=line, allowances=selectors.allowance_use(line=line, month=selectors.month_start(today))
    )
    return render(request, "reports/line_usage.html", context)


CUSTOMER_LINES_SHOWN = 100


def customer_usage_tab(request: HttpRequest, customer: Any) -> str:
    """The customer page's "consumption" tab (plugged by `customers.hooks`): its lines' usage this
    month and over 12 months, and each line's allowances in % (the first 100 lines)."""
    if not user_can(request.user, "lines.view"):
        return render_to_string("reports/customer_usage_tab.html", {"denied": True}, request=request)
    today = _today()
    context = usage_charts(today=today, customer=customer)
    lines = list(selectors.customer_usage_lines(customer=customer)[: CUSTOMER_LINES_SHOWN + 1])
    shown = lines[:CUSTOMER_LINES_SHOWN]
    uses = selectors.allowance_use_for_lines(lines=shown, month=selectors.month_start(today))
    context.update(
        customer=customer,
        line_rows=[{"line": line, "allowances": uses.get(line.pk, [])} for line in shown],
        more_lines=len(lines) > CUSTOMER_LINES_SHOWN,
        can_export=user_can(request.user, "reports.view"),
        export_query=f"?customer={customer.pk}",
    )
    return render_to_string("reports/customer_usage_tab.html", context, request=request)


USAGE_HEADER = ("MONTH", "EVENTS", "MINUTES", "DATA_MB", "RATED_AMOUNT")


@staff_required("reports.view")
def usage_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    line = customer = None
    if (request.GET.get("line") or "").isdigit():
        line = get_object_or_404(MobileLine, pk=int(request.GET["line"]))
    elif (request.GET.get("customer") or "").isdigit():
        customer = get_object_or_404(Customer, pk=int(request.GET["customer"]))
    months = selectors.usage_by_month(today=_today(), line=line, customer=customer)
    rows = (
        (
            selectors.month_label(m["month"]),
            m["events"],
            round(m["minutes"], 1),
            round(m["data_mb"], 1),
            m["rated_amount"],
        )
        for m in months
    )
    name = (
        f"consommation_{line.msisdn}"
        if line
        else f"consommation_{customer.number}"
        if customer
        else "consommation"
    )
    return _export(fmt, USAGE_HEADER, iter(rows), name, USAGE_HEADER[1:])


@staff_required("settings.manage")
def report_settings(request: HttpRequest) -> HttpResponse:
    """The greenhouse-gas factor of the portal, a tab of the tenant's settings."""
    current = selectors.report_settings_get()
    form = ReportSettingsForm(request.POST or None, initial={"ghg_grams_per_gb": current.ghg_grams_per_gb})
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            report_settings_update,
            ghg_grams_per_gb=form.cleaned_data["ghg_grams_per_gb"],
            by=request.user,
            context=AuditContext.from_request(request),
            now=timezone.now(),
        )
        if saved is not None:
            messages.success(request, _("Report settings saved."))
            return redirect("reports:settings")
    return render(request, "reports/settings.html", {"form": form})


@portal_required
def portal_usage(request: HttpRequest) -> HttpResponse:
    """The customer's lines: each month's data and its greenhouse-gas equivalent, and charts."""
    customer = portal_customer(user=request.user)
    today = _today()
    factor = selectors.report_settings_get().ghg_grams_per_gb
    lines = []
    for line in selectors.portal_lines(customer=customer):
        months = selectors.usage_by_month(today=today, line=line)
        for month in months:
            month["ghg_grams"] = month["data_mb"] / 1000 * factor
        lines.append(
            {
                "line": line,
                "months": months,
                "chart": bar_chart(
                    selectors.points(months, "data_mb"),
                    title=_("Data used per month (MB), last 12 months"),
                    axis_labels=6,
                ),
                "allowances": selectors.allowance_use(line=line, month=selectors.month_start(today)),
            }
        )
    return render(
        request, "reports/portal_usage.html", {"customer": customer, "lines": lines, "factor": factor}
    )
