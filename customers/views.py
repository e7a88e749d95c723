"""Staff pages of the customers app: list and search, the customer page and its tabs, creation
and edition, mandates, ledger entries, archiving. Views parse and call services/selectors."""

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
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
from customers import hooks, selectors, services
from customers.forms import (
    ChargeForm,
    CustomerFilterForm,
    CustomerForm,
    MandateForm,
    MandateSignedForm,
    PaymentForm,
    ReverseForm,
)
from customers.models import ContactRole, LedgerEntry, Mandate
from customers.pdf import mandate_pdf

TABS = [
    ("overview", gettext_lazy("Record")),
    ("lines", gettext_lazy("Lines")),
    ("usage", gettext_lazy("Consumption")),
    ("orders", gettext_lazy("Orders")),
    ("invoices", gettext_lazy("Invoices")),
    ("costs", gettext_lazy("Operator costs")),
    ("payments", gettext_lazy("Payments")),
    ("balance", gettext_lazy("Balance")),
    ("documents", gettext_lazy("Documents")),
    ("history", gettext_lazy("History")),
]
PAGE_SIZE = 50


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
    return _detail_page(request, customer, request.GET.get("tab", "overview"))


def _detail_page(
    request: HttpRequest,
    customer: Any,
    tab: str,
    *,
    payment_form: PaymentForm | None = None,
    charge_form: ChargeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The customer page on `tab`; a payment or charge form given is shown as typed (with its errors)."""
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
        "can_reveal": user_can(request.user, "secrets.reveal"),
    }
    if tab in ("payments", "balance"):
        entries = selectors.ledger_entry_list(customer=customer)
        if tab == "payments":
            entries = entries.filter(kind__in=["payment", "reversal"])
        context["page"] = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        context["query"] = f"tab={tab}"
        # Prefixed: the two forms share the page, each input keeps its own id and label.
        context["payment_form"] = payment_form or PaymentForm(
            prefix="payment", initial={"entry_date": timezone.localdate(), "method": customer.payment_mode}
        )
        context["charge_form"] = charge_form or ChargeForm(
            prefix="charge", initial={"entry_date": timezone.localdate()}
        )
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
    if tab in hooks.tab_contents:
        context["tab_content"] = mark_safe(hooks.tab_contents[tab](request, customer))  # noqa: S308
    return render(request, "customers/customer_detail.html", context, status=status)


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
    """The printable mandate for the customer to sign. A role allowed to see secrets gets the full
    IBAN (the download is recorded as a reveal); any other role gets it masked."""
    customer = selectors.customer_get(pk=pk)
    mandate = get_object_or_404(Mandate, pk=mandate_id, customer=customer)
    reveal = user_can(request.user, "secrets.reveal")
    if reveal:
        services.mandate_iban_reveal(
            mandate=mandate, by=cast(User, request.user), context=AuditContext.from_request(request)
        )
    return _pdf_response(request, mandate, reveal_iban=reveal)


@staff_required("customers.view")
@require_POST
def mandate_iban_reveal(request: HttpRequest, pk: int, mandate_id: int) -> HttpResponse:
    """Show a mandate's full IBAN to a role allowed to see secrets (recorded); htmx swaps it in."""
    customer = selectors.customer_get(pk=pk)
    mandate = get_object_or_404(Mandate, pk=mandate_id, customer=customer)
    iban = services.mandate_iban_reveal(
        mandate=mandate, by=cast(User, request.user), context=AuditContext.from_request(request)
    )
    template = (
        "customers/_iban_revealed.html"
        if request.headers.get("HX-Request")
        else "customers/mandate_iban.html"
    )
    return render(request, template, {"customer": customer, "mandate": mandate, "iban": iban})


def _pdf_response(request: HttpRequest, mandate: Mandate, *, reveal_iban: bool = False) -> HttpResponse:
    pdf = mandate_pdf(mandate=mandate, creditor=getattr(request, "tenant", None), reveal_iban=reveal_iban)
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
    form = MandateSignedForm(request.POST)
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


def _ledger_entry_post(
    request: HttpRequest, customer: Any, form: PaymentForm | ChargeForm, *, service: Any, done: str
) -> HttpResponse:
    """A payment or charge in two steps: "review" shows the parsed amount to confirm, "edit" goes
    back to the form as typed, anything else records it. An error shows the form again, as typed."""
    step = request.POST.get("step", "")
    kind = "payment" if isinstance(form, PaymentForm) else "charge"
    if step == "edit":
        again = type(form)(prefix=form.prefix, initial={name: form[name].value() for name in form.fields})
        return _detail_page(request, customer, "balance", **{f"{kind}_form": again})  # type: ignore[arg-type]
    if form.is_valid() and step == "review":
        form.run_service_check()  # a refused amount is said now, not after "Confirmer"
    if form.is_valid():
        if step == "review":
            return render(
                request,
                "customers/entry_confirm.html",
                {"customer": customer, "form": form, "kind": kind, "summary": form.summary()},
            )
        entry = call_service(
            form,
            service,
            customer=customer,
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
            **form.cleaned_data,
        )
        if entry is not None:
            messages.success(request, done)
            return redirect(f"{customer_url(customer.pk)}?tab=balance")
    return _detail_page(request, customer, "balance", status=400, **{f"{kind}_form": form})  # type: ignore[arg-type]


@staff_required("payments.write")
@require_POST
def payment_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    form = PaymentForm(request.POST, prefix="payment")
    return _ledger_entry_post(
        request, customer, form, service=services.payment_record, done=_("The payment is recorded.")
    )


@staff_required("payments.write")
@require_POST
def charge_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(pk=pk)
    form = ChargeForm(request.POST, prefix="charge")
    return _ledger_entry_post(
        request, customer, form, service=services.charge_record, done=_("The charge is recorded.")
    )


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
        by=cast(User, request.user),
        context=AuditContext.from_request(request),
    )
    messages.success(
        request,
        _("The logins were sent to %(email)s.")
        % {"email": customer.portal_user.email if customer.portal_user else ""},
    )
    return redirect("customers:detail", pk=customer.pk)
