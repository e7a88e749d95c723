"""Staff pages of the customers app: list and search, the customer page and its tabs, creation
and edition, mandates, ledger entries, archiving. Views parse and call services/selectors."""

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import staff_required, user_can
from audit.context import AuditContext
from audit.selectors import audit_event_list
from core.downloads import attachment_response
from core.errors import call_service
from core.text import name_normalise
from customers import selectors, services
from customers.forms import (
    ChargeForm,
    CustomerFilterForm,
    CustomerForm,
    MandateForm,
    PaymentForm,
    ReverseForm,
)
from customers.models import ContactRole, LedgerEntry, Mandate
from customers.pdf import mandate_pdf

TABS = [
    ("overview", gettext_lazy("Record")),
    ("lines", gettext_lazy("Lines")),
    ("orders", gettext_lazy("Orders")),
    ("invoices", gettext_lazy("Invoices")),
    ("payments", gettext_lazy("Payments")),
    ("balance", gettext_lazy("Balance")),
    ("documents", gettext_lazy("Documents")),
    ("history", gettext_lazy("History")),
]
PAGE_SIZE = 50


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@staff_required("customers.view")
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    status = filters.get("status") or "active"
    sort = request.GET.get("sort", "number")
    customers = selectors.customer_list(
        search=filters.get("q") or "",
        kind=filters.get("kind") or "",
        payment_mode=filters.get("payment_mode") or "",
        balance_policy=filters.get("balance_policy") or "",
        status="" if status == "all" else status,
        sort=sort,
    )
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "customers/customer_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "sort": sort,
            "can_write": user_can(request.user, "customers.write"),
        },
    )


@staff_required("customers.write")
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        customer = call_service(
            form,
            services.customer_create,
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
            portal_base_url=_base_url(request),
            **form.service_kwargs(),
        )
        if customer is not None:
            messages.success(request, _("Customer %(number)s is created.") % {"number": customer.number})
            if form.cleaned_data.get("send_logins"):
                messages.info(request, _("The logins were sent to the login contact."))
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "creating": True})


@staff_required("customers.write")
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    initial: dict[str, Any] = {}
    for role in (ContactRole.BILLING, ContactRole.LOGIN):
        contact = selectors.contact_get(customer=customer, role=role)
        if contact:
            initial.update(
                {f"{role}_name": contact.name, f"{role}_email": contact.email, f"{role}_phone": contact.phone}
            )
    form = CustomerForm(request.POST or None, instance=customer, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        # The ModelForm has already put the typed values on the instance: the service re-reads it.
        result = call_service(
            form,
            services.customer_update,
            customer=customer,
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
            **kwargs,
        )
        if result is not None:
            messages.success(request, _("The customer is saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request, "customers/customer_form.html", {"form": form, "creating": False, "customer": customer}
    )


@staff_required("customers.write")
def name_normalised(request: HttpRequest) -> HttpResponse:
    """htmx: the company name field again, with the name put to the operator's rule."""
    value = name_normalise(request.GET.get("company_name", ""))
    return HttpResponse(
        format_html(
            '<input type="text" name="company_name" value="{}" maxlength="200" id="id_company_name" data-name-rule="1">',
            value,
        )
    )


@staff_required("customers.view")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    tab = request.GET.get("tab", "overview")
    if tab not in dict(TABS):
        tab = "overview"
    context: dict[str, Any] = {
        "customer": customer,
        "tab": tab,
        "tabs": TABS,
        "contacts": {c.role: c for c in selectors.contact_list(customer=customer)},
        "mandate": selectors.mandate_active(customer=customer),
        "can_write": user_can(request.user, "customers.write"),
        "can_pay": user_can(request.user, "payments.write"),
    }
    if tab in ("payments", "balance"):
        entries = selectors.ledger_entry_list(customer=customer)
        if tab == "payments":
            entries = entries.filter(kind__in=["payment", "reversal"])
        context["page"] = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        context["query"] = f"tab={tab}"
        context["payment_form"] = PaymentForm(
            initial={"entry_date": timezone.localdate(), "method": customer.payment_mode}
        )
        context["charge_form"] = ChargeForm(initial={"entry_date": timezone.localdate()})
    if tab == "documents":
        context["mandates"] = selectors.mandate_list(customer=customer)
        context["mandate_form"] = MandateForm()
    if tab == "history":
        context["page"] = Paginator(audit_event_list(obj=customer), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context["query"] = "tab=history"
    if tab == "overview":
        context["blockers"] = selectors.customer_archive_blockers(customer=customer)
    return render(request, "customers/customer_detail.html", context)


@staff_required("customers.write")
def mandate_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    form = MandateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mandate = call_service(
            form,
            services.mandate_create,
            customer=customer,
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
            **form.cleaned_data,
        )
        if mandate is not None:
            messages.success(
                request,
                _("Mandate %(rum)s is created: print it for the customer to sign.") % {"rum": mandate.rum},
            )
            return redirect(f"{customer_url(customer.pk)}?tab=documents")
    return render(request, "customers/mandate_form.html", {"form": form, "customer": customer})


def customer_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("customers:detail", kwargs={"pk": pk})


@staff_required("customers.view")
def mandate_download(request: HttpRequest, pk: int, mandate_id: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    mandate = get_object_or_404(Mandate, pk=mandate_id, customer=customer)
    return _pdf_response(request, mandate)


def _pdf_response(request: HttpRequest, mandate: Mandate) -> HttpResponse:
    pdf = mandate_pdf(mandate=mandate, creditor=getattr(request, "tenant", None))
    return attachment_response(pdf, f"mandat-{mandate.rum}.pdf", "application/pdf", inline=True)


@staff_required("customers.write")
@require_POST
def mandate_revoke(request: HttpRequest, pk: int, mandate_id: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    mandate = get_object_or_404(Mandate, pk=mandate_id, customer=customer)
    services.mandate_revoke(
        mandate=mandate,
        by=cast(User, request.user),
        now=timezone.now(),
        context=AuditContext.from_request(request),
    )
    messages.success(request, _("Mandate %(rum)s is revoked.") % {"rum": mandate.rum})
    return redirect(f"{customer_url(customer.pk)}?tab=documents")


@staff_required("customers.write")
@require_POST
def mandate_signed(request: HttpRequest, pk: int, mandate_id: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    mandate = get_object_or_404(Mandate, pk=mandate_id, customer=customer)
    form = MandateForm(request.POST)
    form.is_valid()
    signed_on = form.cleaned_data.get("signed_on")
    if signed_on is None:
        messages.error(request, _("Give the signature date."))
    else:
        services.mandate_set_signed(
            mandate=mandate,
            by=cast(User, request.user),
            signed_on=signed_on,
            today=timezone.localdate(),
            context=AuditContext.from_request(request),
        )
        messages.success(request, _("The signature date is recorded."))
    return redirect(f"{customer_url(customer.pk)}?tab=documents")


@staff_required("payments.write")
@require_POST
def payment_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        services.payment_record(
            customer=customer,
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
            **form.cleaned_data,
        )
        messages.success(request, _("The payment is recorded."))
    else:
        messages.error(request, _("The payment is incomplete: give its amount, date and method."))
    return redirect(f"{customer_url(customer.pk)}?tab=balance")


@staff_required("payments.write")
@require_POST
def charge_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    form = ChargeForm(request.POST)
    if form.is_valid():
        services.charge_record(
            customer=customer,
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
            **form.cleaned_data,
        )
        messages.success(request, _("The charge is recorded."))
    else:
        messages.error(
            request, _("The charge is incomplete: give its amount, VAT rate, date and description.")
        )
    return redirect(f"{customer_url(customer.pk)}?tab=balance")


@staff_required("payments.write")
@require_POST
def entry_reverse(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    entry = get_object_or_404(LedgerEntry, pk=entry_id, customer=customer)
    form = ReverseForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    services.ledger_entry_reverse(
        entry=entry,
        by=cast(User, request.user),
        now=timezone.now(),
        reason=reason,
        context=AuditContext.from_request(request),
    )
    messages.success(request, _("The entry is reversed."))
    return redirect(f"{customer_url(customer.pk)}?tab=balance")


@staff_required("customers.write")
def customer_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what deleting means and what to end first; POST: archive."""
    customer = selectors.customer_get(pk=pk)
    if request.method == "POST":
        services.customer_archive(
            customer=customer,
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        messages.success(request, _("Customer %(number)s is archived.") % {"number": customer.number})
        return redirect("customers:list")
    blockers = selectors.customer_archive_blockers(customer=customer)
    return render(request, "customers/customer_archive.html", {"customer": customer, "blockers": blockers})


@staff_required("customers.write")
@require_POST
def send_logins(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    services.customer_send_logins(
        customer=customer,
        base_url=_base_url(request),
        by=cast(User, request.user),
        context=AuditContext.from_request(request),
    )
    messages.success(
        request,
        _("The logins were sent to %(email)s.")
        % {"email": customer.portal_user.email if customer.portal_user else ""},
    )
    return redirect("customers:detail", pk=customer.pk)
