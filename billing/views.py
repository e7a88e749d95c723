"""Staff pages of the billing app: runs (list, new with its checks, progress and review, redo,
finalize, cancel), an invoice, and the specimen preview."""

from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import staff_required, user_can
from audit.context import AuditContext
from billing import selectors, services, tasks
from billing.documents import INVOICE_CSS
from billing.models import Anomaly, BillingRun, Invoice
from billing.specimen import invoice_specimen_context
from billing.views_collection import invoice_collection_context
from core.choices import PaymentMode
from core.documents import render_pdf
from core.downloads import attachment_response
from core.errors import call_service


class RunForm(forms.Form):
    period = forms.RegexField(
        label=gettext_lazy("Month to bill"),
        regex=r"^\d{4}-\d{2}$",
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": gettext_lazy("Give the month as YYYY-MM, e.g. 2025-03.")},
    )


def _previous_month(request: HttpRequest) -> str:
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@staff_required("billing.view")
def run_list(request: HttpRequest) -> HttpResponse:
    """The runs, and a new run: the checks of the chosen month are shown before it starts."""
    period = request.GET.get("period") or _previous_month(request)
    form = RunForm(request.POST or None, initial={"period": period})
    if request.method == "POST":
        if not user_can(request.user, "billing.run"):
            return HttpResponse(status=403)
        if form.is_valid():
            now = timezone.now()
            run = call_service(
                form,
                tasks.billing_run_begin,
                period=form.cleaned_data["period"],
                by=cast(User, request.user),
                now=now,
                today=timezone.localdate(now),
                tenant=request.tenant,  # type: ignore[attr-defined]
                context=AuditContext.from_request(request),
            )
            if run is not None:
                messages.success(
                    request, _("The billing run of %(period)s has started.") % {"period": run.period}
                )
                return redirect("billing:run_detail", run.pk)
    checks = None
    try:
        checks = selectors.billing_preflight(
            period=period,
            today=timezone.localdate(),
            tenant=request.tenant,  # type: ignore[attr-defined]
        )
    except Exception:  # a malformed month in the address: no checks, the form says why on submit
        checks = None
    return render(
        request,
        "billing/run_list.html",
        {
            "runs": selectors.billing_run_list()[:100],
            "form": form,
            "period": period,
            "checks": checks,
            "can_run": user_can(request.user, "billing.run"),
        },
    )


@staff_required("billing.view")
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run: its progress, then the review (totals per customer, change, anomalies)."""
    run = get_object_or_404(BillingRun.objects.select_related("job"), pk=pk)
    only = request.GET.get("anomalies") == "1"
    invoices = selectors.billing_run_review(run=run, only_anomalies=only)[:500]
    return render(
        request,
        "billing/run_detail.html",
        {
            "run": run,
            "invoices": invoices,
            "only_anomalies": only,
            "anomaly_labels": dict(Anomaly.choices),
            "can_run": user_can(request.user, "billing.run"),
            "mailings": run.mailings.order_by("-created_at")[:5],
            "sepa_batches": run.sepa_batches.order_by("-created_at")[:5],
        },
    )


@require_POST
@staff_required("billing.run")
def run_redo(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(BillingRun, pk=pk)
    tasks.billing_run_redo_begin(
        run=run, by=cast(User, request.user), now=timezone.now(), context=AuditContext.from_request(request)
    )
    messages.success(request, _("The drafts are being rebuilt."))
    return redirect("billing:run_detail", run.pk)


@require_POST
@staff_required("billing.run")
def run_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(BillingRun, pk=pk)
    # Numbers, issuing and PDFs on the worker, followed on the job's page (it can be left).
    job = tasks.billing_run_finalize_start(
        run=run, by=cast(User, request.user), now=timezone.now(), context=AuditContext.from_request(request)
    )
    messages.success(request, _("The invoices are being numbered, issued and rendered."))
    return redirect("jobs:detail", job.pk)


@require_POST
@staff_required("billing.run")
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(BillingRun, pk=pk)
    services.billing_run_cancel(
        run=run, by=cast(User, request.user), now=timezone.now(), context=AuditContext.from_request(request)
    )
    messages.success(request, _("The run is cancelled and its drafts removed."))
    return redirect("billing:run_list")


@staff_required("billing.view")
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("run"), pk=pk)
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.order_by("position"),
            "vat_lines": invoice.vat_lines.all(),
            "anomaly_labels": dict(Anomaly.choices),
            "can_run": user_can(request.user, "billing.run"),
            **invoice_collection_context(invoice),
        },
    )


@staff_required("settings.manage")
def invoice_preview(request: HttpRequest) -> HttpResponse:
    """A sample invoice (SPECIMEN) with the tenant's branding and invoice settings, as a PDF."""
    tenant = request.tenant  # type: ignore[attr-defined]
    mode = request.GET.get("mode", "")
    if mode not in PaymentMode.values:
        mode = PaymentMode.SEPA
    context = invoice_specimen_context(tenant=tenant, today=timezone.localdate(), payment_mode=mode)
    with translation.override("fr"):  # invoices are French documents, whatever the admin's language
        pdf = render_pdf("billing/invoice.html", context, stylesheet=INVOICE_CSS)
    return attachment_response(pdf, "specimen-facture.pdf", "application/pdf", inline=True)
