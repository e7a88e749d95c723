"""The customer portal's invoices (list, view, PDF, pay online with PayPal, top up). Each view looks invoices up within the logged-in customer: another
customer's id is a 404."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import portal_required
from billing.models import FINALIZED_STATUSES, UNPAID_STATUSES, Invoice
from billing.paypal import paypal_amounts, paypal_link
from billing.selectors import billing_settings_get
from core.downloads import attachment_response
from customers.selectors import customer_balance, portal_customer


def _issued(customer: Any) -> Any:
    return Invoice.objects.filter(customer=customer, status__in=FINALIZED_STATUSES).order_by(
        "-issue_date", "-id"
    )


def _pay_link(request: HttpRequest, *, amount: Any, item: str, custom: str) -> str:
    settings = billing_settings_get()
    if not settings.paypal_enabled or not settings.paypal_email:
        return ""
    return paypal_link(
        settings=settings,
        amount=amount,
        item=item,
        custom=custom,
        notify_url=request.build_absolute_uri(reverse("paypal_ipn")),
        return_url=request.build_absolute_uri(reverse("portal_billing:invoice_list")),
    )


@portal_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    customer = portal_customer(user=request.user)
    settings = billing_settings_get()
    top_ups = []
    if settings.paypal_enabled and settings.paypal_email:
        top_ups = [
            (amount, _pay_link(request, amount=amount, item=_("Top-up"), custom=f"topup:{customer.pk}"))
            for amount in paypal_amounts(settings)
        ]
    return render(
        request,
        "portal/invoice_list.html",
        {
            "customer": customer,
            "invoices": _issued(customer)[:200],
            "balance": customer_balance(customer=customer),
            "top_ups": top_ups,
        },
    )


@portal_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = portal_customer(user=request.user)
    invoice = get_object_or_404(_issued(customer), pk=pk)
    pay = ""
    if invoice.status in UNPAID_STATUSES and invoice.amount_due > 0 and invoice.payment_mode != "sepa":
        pay = _pay_link(
            request,
            amount=invoice.amount_due,
            item=_("Invoice %(number)s") % {"number": invoice.number},
            custom=f"invoice:{invoice.pk}",
        )
    return render(
        request,
        "portal/invoice_detail.html",
        {
            "customer": customer,
            "invoice": invoice,
            "lines": invoice.lines.order_by("position"),
            "vat_lines": invoice.vat_lines.all(),
            "pay_link": pay,
        },
    )


@portal_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    customer = portal_customer(user=request.user)
    invoice = get_object_or_404(_issued(customer), pk=pk)
    if not invoice.pdf:
        raise Http404
    with invoice.pdf.open("rb") as handle:
        return attachment_response(handle.read(), f"{invoice.number}.pdf", "application/pdf")
