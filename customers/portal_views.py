"""The end-customer portal (`/portal/` on the tenant's domain). A portal account sees only its
own customer's data: every object is looked up within that customer, so any other id is a 404."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.models import User
from accounts.permissions import portal_required
from accounts.views import LoginView
from audit.context import AuditContext
from core.identifiers import mask_iban
from customers import selectors, services
from customers.forms import PortalContactForm
from customers.models import ContactRole, LedgerEntry, Mandate
from customers.views import _pdf_response


class PortalLoginView(LoginView):
    template_name = "portal/login.html"


@method_decorator(portal_required, name="dispatch")
class PortalPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:home")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        account_services.user_password_changed(
            user=form.user, by=form.user, recovered=False, context=AuditContext.from_request(self.request)
        )
        messages.success(self.request, _("Your password is changed."))
        return response


def _contact_forms(customer: Any, data: dict[str, Any] | None = None) -> dict[str, PortalContactForm]:
    forms: dict[str, PortalContactForm] = {}
    for role in (ContactRole.BILLING, ContactRole.LOGIN):
        contact = selectors.contact_get(customer=customer, role=role)
        initial: dict[str, str] = {"role": role}
        if contact:
            initial.update(name=contact.name, email=contact.email, phone=contact.phone)
        bound = data if data and data.get("role") == role else None
        forms[role] = PortalContactForm(bound, initial=initial, auto_id=f"id_{role}_%s")
    return forms


@portal_required
def home(request: HttpRequest) -> HttpResponse:
    customer = selectors.portal_customer_or_none(user=request.user)
    if customer is None:  # an end-customer account not (or no longer) attached to a customer record
        return render(request, "portal/unlinked.html", {})
    mandate = selectors.mandate_active(customer=customer)
    return render(
        request,
        "portal/home.html",
        {
            "customer": customer,
            "balance": selectors.customer_balance(customer=customer),
            "entries": selectors.ledger_entry_list(customer=customer)[:10],
            "mandate": mandate,
            "masked_iban": mask_iban(mandate.iban) if mandate else "",
            "contact_forms": _contact_forms(customer),
        },
    )


@portal_required
@require_POST
def contact_edit(request: HttpRequest) -> HttpResponse:
    customer = selectors.portal_customer(user=request.user)
    form = PortalContactForm(request.POST)
    if form.is_valid():
        services.contact_update_by_customer(
            customer=customer,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **form.cleaned_data,
        )
        messages.success(request, _("Your contact details are saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("portal:home")


@portal_required
def entry_list(request: HttpRequest) -> HttpResponse:
    customer = selectors.portal_customer(user=request.user)
    page = Paginator(selectors.ledger_entry_list(customer=customer), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/entry_list.html",
        {"customer": customer, "page": page, "balance": selectors.customer_balance(customer=customer)},
    )


@portal_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    customer = selectors.portal_customer(user=request.user)
    entry = get_object_or_404(LedgerEntry, pk=entry_id, customer=customer)
    return render(request, "portal/entry_detail.html", {"customer": customer, "entry": entry})


@portal_required
def mandate_pdf(request: HttpRequest, mandate_id: int) -> HttpResponse:
    customer = selectors.portal_customer(user=request.user)
    mandate = get_object_or_404(Mandate, pk=mandate_id, customer=customer)
    return _pdf_response(request, mandate)
