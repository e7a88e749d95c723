"""Reads about customers: lists and search, balances, ledgers, mandates, the portal's scope."""

import re
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from core.money import ZERO
from core.search import text_search_q
from customers import hooks
from customers.models import (
    Contact,
    ContactRole,
    Customer,
    CustomerStatus,
    LedgerEntry,
    Mandate,
    MandateStatus,
)

SORTS = {
    "number": "number",
    "-number": "-number",
    "name": "sort_name",
    "-name": "-sort_name",
    "created": "created_at",
    "-created": "-created_at",
    "balance": "balance",
    "-balance": "-balance",
}


def phone_digits(value: str) -> str:
    """A phone number in national digits (+33 6 12… and 0033612… become 0612…), for search."""
    digits = re.sub(r"\D", "", value or "")
    if (value or "").strip().startswith("+") and digits.startswith("33"):
        digits = "0" + digits[2:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    return digits


def balance_annotation() -> Coalesce:
    """A customer's balance (TTC) as an annotation, for lists: the balance PostgreSQL keeps with
    the ledger (`CustomerBalance`; a customer without entries is at 0), so a list sorted or filtered
    by balance reads one row per customer instead of summing every ledger."""
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(F("ledger_balance__balance"), Value(ZERO), output_field=money)


def customer_search_q(query: str) -> Q:
    """Customers matching `query` by number, name, e-mail, phone number (and what later apps add);
    names ignore accents, case and punctuation."""
    query = query.strip()
    contacts = Contact.objects.filter(customer=OuterRef("pk"))
    q = (
        Q(number__icontains=query)
        | text_search_q(query, normalised_fields=("company_name",), fields=("last_name", "first_name"))
        | Q(login__iexact=query)
        | Q(Exists(contacts.filter(email__icontains=query)))
        | Q(Exists(contacts.filter(text_search_q(query, fields=("name",)))))
    )
    digits = phone_digits(query)
    if len(digits) >= 4 and re.fullmatch(r"[\d\s.+()/-]+", query):
        q |= Q(Exists(contacts.filter(phone_digits__contains=digits)))
    for extend in hooks.search_filters:
        extra = extend(query)
        if extra is not None:
            q |= extra
    return q


def customer_list(
    *,
    search: str = "",
    kind: str = "",
    status: str = CustomerStatus.ACTIVE,
    payment_mode: str = "",
    balance_policy: str = "",
    sort: str = "number",
) -> QuerySet[Customer]:
    """Customers filtered and sorted as the list page and the API allow, with their balance."""
    customers = Customer.objects.annotate(
        balance=balance_annotation(),
        sort_name=Coalesce("company_name", Value("")),
    )
    if status:
        customers = customers.filter(status=status)
    if kind:
        customers = customers.filter(kind=kind)
    if payment_mode:
        customers = customers.filter(payment_mode=payment_mode)
    if balance_policy:
        customers = customers.filter(balance_policy=balance_policy)
    if search.strip():
        customers = customers.filter(customer_search_q(search))
    return customers.order_by(SORTS.get(sort, "number"), "id")


def customer_get(*, pk: int) -> Customer:
    """One customer of this tenant, or a 404."""
    try:
        return Customer.objects.annotate(balance=balance_annotation()).get(pk=pk)
    except Customer.DoesNotExist:
        raise Http404 from None


def customer_balance(*, customer: Customer) -> Decimal:
    """The balance (TTC): the sum of the ledger; positive means the customer is in credit."""
    total = LedgerEntry.objects.filter(customer=customer).aggregate(total=Sum("amount_ttc"))["total"]
    return total if total is not None else ZERO


def ledger_entry_list(*, customer: Customer) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(customer=customer)
        .select_related("created_by", "reverses")
        .annotate(reversed=Exists(LedgerEntry.objects.filter(reverses=OuterRef("pk"))))
    )


def mandate_list(*, customer: Customer) -> QuerySet[Mandate]:
    return Mandate.objects.filter(customer=customer)


def mandate_active(*, customer: Customer) -> Mandate | None:
    return Mandate.objects.filter(customer=customer, status=MandateStatus.ACTIVE).first()


def contact_get(*, customer: Customer, role: str) -> Contact | None:
    return Contact.objects.filter(customer=customer, role=role).first()


def contact_list(*, customer: Customer) -> QuerySet[Contact]:
    return Contact.objects.filter(customer=customer)


def customer_archive_blockers(*, customer: Customer) -> list[str]:
    """Why this customer cannot be archived yet (empty when it can): every registered blocker's
    reasons, e.g. active lines or unpaid invoices."""
    reasons: list[str] = []
    for blocker in hooks.archive_blockers:
        reasons.extend(blocker(customer))
    return reasons


def portal_customer_or_none(*, user: Any) -> Customer | None:
    """The active customer a portal account belongs to, if any."""
    return Customer.objects.filter(portal_user=user, status=CustomerStatus.ACTIVE).first()


def portal_customer(*, user: Any) -> Customer:
    """The customer a portal account belongs to; a 404 for any other account."""
    customer = portal_customer_or_none(user=user)
    if customer is None:
        raise Http404
    return customer


def billing_contact_email(*, customer: Customer) -> str:
    """Where the invoices go: the billing contact's e-mail."""
    contact = Contact.objects.filter(customer=customer, role=ContactRole.BILLING).first()
    return contact.email if contact else ""
