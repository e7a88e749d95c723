"""What-if pricing pages: the runs with a form to start one, and a run's comparison (thin: the
form, `reports.whatif` for the work, `reports.tasks.whatif_queue` to run it on a worker)."""

from decimal import Decimal
from typing import Any, cast

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import staff_required
from audit.context import AuditContext
from core.errors import call_service
from core.money import format_amount
from reports import whatif
from reports.charts import Point, bar_chart
from reports.forms import WhatIfForm
from reports.tasks import whatif_queue

PAGE = 25


@staff_required("reports.view")
def whatif_list(request: HttpRequest) -> HttpResponse:
    initial = {"kind": request.GET.get("kind", "simulation")}
    form = WhatIfForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        now = timezone.now()
        run = call_service(
            form,
            whatif.whatif_start,
            kind=values["kind"],
            customer=values.get("customer"),
            line=values.get("line"),
            rate_table=values.get("rate_table"),
            offer=values.get("offer"),
            first_period=values.get("first_period") or "",
            last_period=values.get("last_period") or "",
            by=cast(User, request.user),
            now=now,
            today=timezone.localdate(now),
            context=AuditContext.from_request(request),
        )
        if run is not None:
            whatif_queue(run)
            return redirect("reports:whatif_detail", run.pk)
    page = Paginator(whatif.whatif_list(), PAGE).get_page(request.GET.get("page"))
    return render(request, "reports/whatif/list.html", {"form": form, "page": page, "runs": page.object_list})


@staff_required("reports.view")
def whatif_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(whatif.whatif_list(), pk=pk)
    result: dict[str, Any] = run.result or {}
    scenarios = [
        {
            **s,
            "total": Decimal(s["total"]),
            "difference": Decimal(s["difference"]),
            "margin": Decimal(s["margin"]),
        }
        for s in result.get("scenarios", [])
    ]
    actual = result.get("actual")
    context: dict[str, Any] = {
        "run": run,
        "job": run.job,
        "result": result,
        "rows": whatif.category_rows(run),
        "scenarios": scenarios,
        "best": scenarios[0] if scenarios else None,
        "actual_total": Decimal(actual["total"]) if actual else None,
        "actual_margin": Decimal(actual["margin"]) if actual else None,
        "wholesale_cost": Decimal(result["wholesale_cost"]) if result.get("wholesale_cost") else None,
    }
    if scenarios and actual:
        points = [Point(_("Billed"), Decimal(actual["total"]))]
        points += [Point(s["label"], s["total"]) for s in scenarios[:8]]
        context["chart"] = bar_chart(
            points, title=_("Billed and simulated totals (€ excl. VAT)"), fmt=lambda v: format_amount(v)
        )
    return render(request, "reports/whatif/detail.html", context)
