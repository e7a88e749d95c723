"""Staff pages of the billing app."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from accounts.permissions import staff_required
from billing.specimen import invoice_specimen_context
from core.choices import PaymentMode
from core.documents import render_pdf
from core.downloads import attachment_response


@staff_required("settings.manage")
def invoice_preview(request: HttpRequest) -> HttpResponse:
    """A sample invoice (SPECIMEN) with the tenant's branding and invoice settings, as a PDF."""
    tenant = request.tenant  # type: ignore[attr-defined]
    mode = request.GET.get("mode", "")
    if mode not in PaymentMode.values:
        mode = PaymentMode.SEPA
    context = invoice_specimen_context(tenant=tenant, today=timezone.localdate(), payment_mode=mode)
    with translation.override("fr"):  # invoices are French documents, whatever the admin's language
        pdf = render_pdf("billing/invoice.html", context)
    return attachment_response(pdf, "specimen-facture.pdf", "application/pdf", inline=True)
