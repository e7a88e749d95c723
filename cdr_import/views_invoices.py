"""Staff pages of operator invoices (the cost side), their references and profiles, the operator's
PDFs (Factures/Intégrateur) for the accountant, and the customer's tab; the portal's page."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import portal_required, staff_required, user_can
from audit.context import AuditContext
from cdr_import import operator_invoices, operator_pdfs, selectors_invoices, usage
from cdr_import.forms_invoices import OperatorInvoiceProfileForm, ReferenceAssignForm, RoamingCapForm
from cdr_import.models_invoices import OperatorInvoice, OperatorInvoiceProfile, OperatorPdf, OperatorReference
from core.downloads import attachment_response
from core.errors import call_service
from customers.models import Customer
from customers.selectors import portal_customer


@staff_required("billing.view")
def invoice_list(request: HttpRequest) -> HttpResponse:
    unassigned = request.GET.get("unassigned") == "1"
    page = Paginator(selectors_invoices.operator_invoice_list(unassigned=unassigned), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cdr_import/operator_invoice_list.html",
        {
            "page": page,
            "unassigned": unassigned,
            "waiting": selectors_invoices.operator_reference_list().count(),
        },
    )


@staff_required("billing.view")
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = get_object_or_404(OperatorInvoice.objects.select_related("customer"), pk=invoice_id)
    lines = selectors_invoices.operator_invoice_lines(invoice=invoice)
    return render(request, "cdr_import/operator_invoice_detail.html", {"invoice": invoice, "lines": lines})


@staff_required("billing.view")
def invoice_output(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = get_object_or_404(OperatorInvoice, pk=invoice_id)
    name, content = operator_invoices.operator_invoice_output(invoice=invoice)
    return attachment_response(content, name, "text/csv; charset=utf-8")


@staff_required("billing.view")
def reference_list(request: HttpRequest) -> HttpResponse:
    refs = selectors_invoices.operator_reference_list(waiting=request.GET.get("all") != "1")
    return render(
        request,
        "cdr_import/operator_reference_list.html",
        {"page": Paginator(refs, 100).get_page(request.GET.get("page")), "form": ReferenceAssignForm()},
    )


@require_POST
@staff_required("customers.write")
def reference_assign(request: HttpRequest, reference_id: int) -> HttpResponse:
    reference = get_object_or_404(OperatorReference, pk=reference_id)
    form = ReferenceAssignForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["customer_number"].strip()
        customer = Customer.objects.filter(number=number).first() if number else None
        if number and customer is None:
            messages.error(request, _("No customer has the number %(number)s.") % {"number": number})
        else:
            operator_invoices.operator_reference_assign(
                reference=reference,
                customer=customer,
                by=request.user,  # type: ignore[arg-type]
                now=timezone.now(),
                context=AuditContext.from_request(request),
            )
            messages.success(request, _("The reference %(ref)s is attached.") % {"ref": reference.value})
    return redirect("cdr_import:operator_reference_list")


@staff_required("billing.view")
def profile_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cdr_import/operator_profile_list.html",
        {"profiles": selectors_invoices.operator_invoice_profile_list()},
    )


@staff_required("imports.run")
def profile_edit(request: HttpRequest, profile_id: int | None = None) -> HttpResponse:
    profile = get_object_or_404(OperatorInvoiceProfile, pk=profile_id) if profile_id else None
    form = OperatorInvoiceProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        common: dict[str, Any] = {
            "values": form.cleaned_data,
            "by": request.user,
            "context": AuditContext.from_request(request),
        }
        saved = (
            call_service(form, operator_invoices.operator_invoice_profile_update, profile=profile, **common)
            if profile is not None
            else call_service(form, operator_invoices.operator_invoice_profile_create, **common)
        )
        if saved is not None:
            messages.success(request, _("The profile is saved."))
            return redirect("cdr_import:operator_profile_list")
    return render(request, "cdr_import/operator_profile_form.html", {"form": form, "profile": profile})


@staff_required("billing.view")
def pdf_list(request: HttpRequest) -> HttpResponse:
    pdfs = operator_pdfs.operator_pdf_list()
    months: dict[Any, list[OperatorPdf]] = {}
    for pdf in pdfs[:600]:
        months.setdefault(pdf.month, []).append(pdf)
    return render(request, "cdr_import/operator_pdf_list.html", {"months": months})


@staff_required("billing.view")
def pdf_download(request: HttpRequest, pdf_id: int) -> HttpResponse:
    pdf = get_object_or_404(OperatorPdf, pk=pdf_id)
    with pdf.file.open("rb") as handle:
        return attachment_response(handle.read(), pdf.name, "application/pdf")


def customer_costs_tab(request: HttpRequest, customer: Any) -> str:
    """The customer page's "operator costs" tab: its operator invoices, usage alerts and roaming cap."""
    lifted = usage.RoamingCapLift.objects.filter(customer=customer).exists()
    return render_to_string(
        "cdr_import/customer_costs_tab.html",
        {
            "customer": customer,
            "invoices": selectors_invoices.operator_invoice_list(customer_id=customer.pk)[:100],
            "alerts": selectors_invoices.consumption_alert_list(customer_id=customer.pk)[:50],
            "cap_form": RoamingCapForm(initial={"lifted": lifted}),
            "can_write": user_can(request.user, "customers.write"),
        },
        request=request,
    )


@require_POST
@staff_required("customers.write")
def customer_roaming_cap(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_id)
    form = RoamingCapForm(request.POST)
    if form.is_valid():
        usage.roaming_cap_lift_set(
            customer=customer,
            lifted=form.cleaned_data["lifted"],
            by=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        messages.success(request, _("The roaming data cap is saved."))
    return redirect(reverse("customers:detail", args=[customer.pk]) + "?tab=costs")


# --- The portal ------------------------------------------------------------------------------------
@portal_required
def portal_invoice_list(request: HttpRequest) -> HttpResponse:
    customer = portal_customer(user=request.user)
    page = Paginator(selectors_invoices.operator_invoice_list(customer_id=customer.pk), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "cdr_import/portal_operator_invoices.html", {"customer": customer, "page": page})


@portal_required
def portal_invoice_output(request: HttpRequest, invoice_id: int) -> HttpResponse:
    customer = portal_customer(user=request.user)
    invoice = get_object_or_404(OperatorInvoice, pk=invoice_id, customer=customer)
    name, content = operator_invoices.operator_invoice_output(invoice=invoice)
    return attachment_response(content, name, "text/csv; charset=utf-8")
