"""Staff pages of delivery and collection: sending invoices by e-mail, payments, overdue invoices
and reminders, SEPA files, accounting exports, billing settings."""

from typing import cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import staff_required, user_can
from audit.context import AuditContext
from billing import exports, tasks
from billing.models import (
    UNPAID_STATUSES,
    BillingRun,
    BillingSettings,
    EmailStatus,
    Invoice,
    InvoiceEmail,
    InvoiceMailing,
    InvoiceStatus,
    Payment,
    PaymentStatus,
    SepaBatch,
    SepaDebit,
)
from billing.selectors import billing_settings_get
from billing.services import billing_settings_update
from billing.services_mail import (
    email_deliver,
    email_mark_bounced,
    email_requeue,
    mailing_counts,
    reminders_queue,
)
from billing.services_payments import MANUAL_CHANNELS, invoices_restate, payment_record, payment_reject
from billing.services_sepa import (
    REJECT_REASONS,
    sepa_batch_settle,
    sepa_debit_reject,
    sepa_return_file_import,
)
from core.downloads import attachment_response
from core.errors import ApplicationError, call_service
from core.forms import AmountField
from customers.models import Customer

# --- e-mail -------------------------------------------------------------------------------------


@require_POST
@staff_required("billing.run")
def run_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the run's finalized invoices by e-mail, in the background."""
    run = get_object_or_404(BillingRun, pk=pk)
    mailing = tasks.invoice_mailing_begin(
        run=run, by=cast(User, request.user), now=timezone.now(), context=AuditContext.from_request(request)
    )
    messages.success(request, _("The invoices are being sent."))
    return redirect("billing:mailing_detail", mailing.pk)


@require_POST
@staff_required("billing.run")
def invoice_send(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    mailing = tasks.invoice_mailing_begin(
        invoice=invoice,
        by=cast(User, request.user),
        now=timezone.now(),
        context=AuditContext.from_request(request),
    )
    messages.success(request, _("The invoice is being sent."))
    return redirect("billing:mailing_detail", mailing.pk)


@staff_required("billing.view")
def mailing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = get_object_or_404(InvoiceMailing.objects.select_related("job", "run"), pk=pk)
    emails = Paginator(mailing.emails.select_related("invoice").order_by("invoice__sequence", "id"), 100)
    return render(
        request,
        "billing/mailing_detail.html",
        {
            "mailing": mailing,
            "page": emails.get_page(request.GET.get("page")),
            "counts": mailing_counts(mailing),
            "status_labels": dict(EmailStatus.choices),
            "can_run": user_can(request.user, "billing.run"),
        },
    )


@require_POST
@staff_required("billing.run")
def email_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a bounce, or send again on purpose an e-mail that failed, bounced or was interrupted."""
    email = get_object_or_404(InvoiceEmail, pk=pk)
    context = AuditContext.from_request(request)
    if request.POST.get("action") == "bounced":
        email_mark_bounced(email=email, by=cast(User, request.user), context=context)
    else:
        email_requeue(email=email, by=cast(User, request.user), context=context)
        if email.mailing_id:
            mailing_id = email.mailing_id
            transaction.on_commit(lambda: tasks.invoice_mailing_send.delay(mailing_id))
    messages.success(request, _("Saved."))
    return (
        redirect("billing:mailing_detail", email.mailing_id)
        if email.mailing_id
        else redirect("billing:overdue_list")
    )


# --- payments -----------------------------------------------------------------------------------


class PaymentForm(forms.Form):
    customer = forms.CharField(label=gettext_lazy("Customer number"), max_length=20)
    channel = forms.ChoiceField(
        label=gettext_lazy("Paid by"),
        choices=[(c.value, c.label) for c in MANUAL_CHANNELS],
    )
    amount = AmountField(
        label=gettext_lazy("Amount incl. VAT (€)"), max_digits=12, decimal_places=2, min_value=0
    )
    received_on = forms.DateField(
        label=gettext_lazy("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=gettext_lazy("Reference (cheque number, transfer label)"), max_length=100, required=False
    )
    invoice = forms.CharField(
        label=gettext_lazy("Invoice number"),
        max_length=35,
        required=False,
        help_text=gettext_lazy("Empty: the customer's unpaid invoices, oldest first."),
    )


def _record_payment(*, data: dict, by: User, request: HttpRequest) -> Payment:
    customer = Customer.objects.filter(number=data["customer"].strip()).first()
    if customer is None:
        raise ApplicationError(_("No customer has this number."), field="customer")
    invoices = None
    if data.get("invoice"):
        invoice = Invoice.objects.filter(number=data["invoice"].strip(), customer=customer).first()
        if invoice is None:
            raise ApplicationError(_("This customer has no invoice with this number."), field="invoice")
        invoices = [invoice]
    now = timezone.now()
    return payment_record(
        customer=customer,
        channel=data["channel"],
        amount=data["amount"],
        received_on=data["received_on"],
        reference=data.get("reference", ""),
        invoices=invoices,
        by=by,
        now=now,
        today=timezone.localdate(now),
        context=AuditContext.from_request(request),
    )


@staff_required("billing.view")
def payment_list(request: HttpRequest) -> HttpResponse:
    """The payments received, and a payment recorded by hand (transfer, cheque, card, cash)."""
    form = PaymentForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST":
        if not user_can(request.user, "billing.run"):
            return HttpResponse(status=403)
        if form.is_valid():
            payment = call_service(
                form, _record_payment, data=form.cleaned_data, by=cast(User, request.user), request=request
            )
            if payment is not None:
                messages.success(request, _("The payment is recorded."))
                return redirect("billing:payment_list")
    payments = Payment.objects.select_related("customer").prefetch_related("allocations__invoice")
    return render(
        request,
        "billing/payment_list.html",
        {
            "form": form,
            "page": Paginator(payments, 50).get_page(request.GET.get("page")),
            "can_run": user_can(request.user, "billing.run"),
            "reasons": REJECT_REASONS,
        },
    )


@require_POST
@staff_required("billing.run")
def payment_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(Payment, pk=pk)
    if payment.status == PaymentStatus.REJECTED:
        raise ApplicationError(_("This payment is already rejected."))
    now = timezone.now()
    payment_reject(
        payment=payment,
        code=request.POST.get("code", "") or "MS03",
        fee=request.POST.get("fee", ""),
        rejected_on=timezone.localdate(now),
        by=cast(User, request.user),
        now=now,
        today=timezone.localdate(now),
        context=AuditContext.from_request(request),
    )
    messages.success(request, _("The payment is rejected: its invoices are unpaid again."))
    return redirect("billing:payment_list")


# --- overdue ------------------------------------------------------------------------------------


@staff_required("billing.view")
def overdue_list(request: HttpRequest) -> HttpResponse:
    """Invoices past their due date and still unpaid, with the reminders already sent."""
    today = timezone.localdate()
    if request.method == "POST":
        if not user_can(request.user, "billing.run"):
            return HttpResponse(status=403)
        now = timezone.now()
        invoices_restate(today=today, now=now)
        ids = reminders_queue(now=now, today=today, by=cast(User, request.user))
        tenant = request.tenant  # type: ignore[attr-defined]
        sent = sum(
            email_deliver(email_id=i, tenant=tenant, now=timezone.now(), today=today) == EmailStatus.SENT
            for i in ids
        )
        messages.success(request, _("%(count)s reminder(s) sent.") % {"count": sent})
        return redirect("billing:overdue_list")
    invoices = (
        Invoice.objects.filter(status__in=UNPAID_STATUSES, due_date__lt=today)
        .prefetch_related("emails")
        .order_by("due_date", "sequence")
    )
    return render(
        request,
        "billing/overdue_list.html",
        {
            "page": Paginator(invoices, 50).get_page(request.GET.get("page")),
            "today": today,
            "settings": billing_settings_get(),
            "can_run": user_can(request.user, "billing.run"),
        },
    )


# --- SEPA ---------------------------------------------------------------------------------------


@staff_required("billing.view")
def sepa_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not user_can(request.user, "billing.run"):
            return HttpResponse(status=403)
        run_id = request.POST.get("run") or ""
        run = get_object_or_404(BillingRun, pk=int(run_id)) if run_id.isdigit() else None
        label = _("SEPA file %(period)s") % {"period": run.period} if run else _("SEPA file")
        job = tasks.sepa_batch_begin(run=run, by=cast(User, request.user), label=label)
        messages.success(request, _("The SEPA file is being prepared."))
        return redirect("jobs:detail", job.pk)
    return render(
        request,
        "billing/sepa_list.html",
        {
            "page": Paginator(SepaBatch.objects.select_related("run"), 50).get_page(request.GET.get("page")),
            "can_run": user_can(request.user, "billing.run"),
            "settings": billing_settings_get(),
        },
    )


@staff_required("billing.view")
def sepa_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(SepaBatch.objects.select_related("run"), pk=pk)
    debits = batch.debits.select_related("invoice", "mandate").order_by("id")
    return render(
        request,
        "billing/sepa_detail.html",
        {
            "batch": batch,
            "page": Paginator(debits, 100).get_page(request.GET.get("page")),
            "can_run": user_can(request.user, "billing.run"),
            "reasons": REJECT_REASONS,
        },
    )


@staff_required("billing.run")
def sepa_download(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(SepaBatch, pk=pk)
    if not batch.file:
        raise Http404
    with batch.file.open("rb") as handle:
        return attachment_response(handle.read(), f"{batch.message_id}.xml", "application/xml")


@require_POST
@staff_required("billing.run")
def sepa_settle(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(SepaBatch, pk=pk)
    now = timezone.now()
    sepa_batch_settle(
        batch=batch,
        by=cast(User, request.user),
        now=now,
        today=timezone.localdate(now),
        context=AuditContext.from_request(request),
    )
    messages.success(request, _("The batch is settled: its invoices are paid."))
    return redirect("billing:sepa_detail", batch.pk)


@require_POST
@staff_required("billing.run")
def sepa_reject(request: HttpRequest, pk: int) -> HttpResponse:
    debit = get_object_or_404(SepaDebit, pk=pk)
    now = timezone.now()
    sepa_debit_reject(
        debit=debit,
        code=request.POST.get("code", ""),
        fee=request.POST.get("fee", ""),
        rejected_on=timezone.localdate(now),
        by=cast(User, request.user),
        now=now,
        today=timezone.localdate(now),
        context=AuditContext.from_request(request),
    )
    messages.success(request, _("The debit is rejected: the invoice is unpaid again."))
    return redirect("billing:sepa_detail", debit.batch_id)


@require_POST
@staff_required("billing.run")
def sepa_return_file(request: HttpRequest) -> HttpResponse:
    """The bank's return file: what it says is recorded; a file it cannot read is said on the page."""
    upload = request.FILES.get("file")
    try:
        if upload is None or (upload.size or 0) > 20 * 1024 * 1024:
            raise ApplicationError(_("Choose the bank's return file (pain.002 or camt.054, at most 20 MB)."))
        now = timezone.now()
        result = sepa_return_file_import(
            data=upload.read(),
            fee=request.POST.get("fee", ""),
            by=cast(User, request.user),
            now=now,
            today=timezone.localdate(now),
            context=AuditContext.from_request(request),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("billing:sepa_list")
    messages.success(
        request,
        _("%(rejected)s debit(s) rejected, %(already)s already recorded, %(unknown)s unknown.")
        % {k: len(v) for k, v in result.items()},
    )
    return redirect("billing:sepa_list")


# --- exports ------------------------------------------------------------------------------------


class ExportForm(forms.Form):
    period = forms.RegexField(
        label=gettext_lazy("Month"),
        regex=r"^\d{4}-\d{2}$",
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": gettext_lazy("Give the month as YYYY-MM, e.g. 2025-03.")},
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("File"),
        choices=[
            ("csv", gettext_lazy("Recap (CSV)")),
            ("xlsx", gettext_lazy("Recap (XLSX)")),
            ("fec", gettext_lazy("Sales journal (FEC)")),
        ],
    )


def _export(request: HttpRequest, period: str, kind: str) -> HttpResponse:
    today = timezone.localdate()
    if kind == "csv":
        return attachment_response(exports.recap_csv(period, today=today), f"recap-{period}.csv", "text/csv")
    if kind == "xlsx":
        return attachment_response(
            exports.recap_xlsx(period, today=today),
            f"recap-{period}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    siren = request.tenant.siren  # type: ignore[attr-defined]
    return attachment_response(
        exports.fec_journal(period, today=today),
        exports.fec_filename(siren, period),
        "text/plain; charset=utf-8",
    )


@staff_required("billing.run")
def export_page(request: HttpRequest) -> HttpResponse:
    """The accountant's files of a month: the recap (CSV, XLSX) and the FEC sales journal."""
    form = ExportForm(request.GET or None)
    if request.GET and form.is_valid():
        response = call_service(
            form, _export, request=request, period=form.cleaned_data["period"], kind=form.cleaned_data["kind"]
        )
        if response is not None:
            return response
    return render(request, "billing/exports.html", {"form": form})


# --- settings -----------------------------------------------------------------------------------


class CollectionSettingsForm(forms.ModelForm):
    class Meta:
        model = BillingSettings
        fields = [
            "email_delivery",
            "vat_on_debits",
            "large_change_percent",
            "reminder_days",
            "due_days_transfer",
            "due_days_cheque",
            "due_days_card",
            "sepa_version",
            "sepa_debit_day",
            "sepa_prenotification_days",
            "sepa_lead_days",
            "sepa_reject_fee",
            "paypal_enabled",
            "paypal_email",
            "paypal_amounts",
            "paypal_verify_url",
            "account_customer",
            "account_vat",
            "account_revenue",
            "journal_code",
        ]


@staff_required("settings.manage")
def collection_settings(request: HttpRequest) -> HttpResponse:
    current = billing_settings_get()
    form = CollectionSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        saved = call_service(
            form,
            billing_settings_update,
            changes=changes,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        if saved is not None:
            messages.success(request, _("The billing settings are saved."))
            return redirect("billing:settings")
    return render(request, "billing/settings.html", {"form": form})


def invoice_collection_context(invoice: Invoice) -> dict:
    """What the invoice page shows of its delivery and collection."""
    return {
        "allocations": invoice.allocations.select_related("payment"),
        "emails": invoice.emails.order_by("-created_at"),
        "debits": invoice.sepa_debits.select_related("batch"),
        "is_issued": invoice.status not in (InvoiceStatus.DRAFT,),
    }
