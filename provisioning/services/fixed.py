"""Fixed numbers (a VNO's fixed lines, DIDs): the inventory, each with an offer and a rate table,
assigned to a customer, unassigned, moved. Every change is audited (the number's history)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from core.errors import ApplicationError
from customers.models import Customer
from offers.models import Offer, RateTable
from provisioning.models import FixedNumber, FixedNumberStatus

LIVE = (FixedNumberStatus.ACTIVE, FixedNumberStatus.SUSPENDED)


def fixed_number_clean(number: str) -> str:
    """A fixed number in national (0…) or international (+33… / 33…) form, digits only but a leading +."""
    text = "".join(ch for ch in (number or "") if ch.isdigit() or ch == "+")
    digits = text.lstrip("+")
    if not digits.isdigit() or not 8 <= len(digits) <= 15 or "+" in text[1:]:
        raise ApplicationError(_("%(number)s is not a phone number.") % {"number": number}, field="number")
    return text


def fixed_number_check(*, number: str) -> str:
    """A new number of the inventory checked (a phone number, not already in the inventory), no
    write; returns it cleaned. (The number is the form's one rule the fields do not hold.)"""
    cleaned = fixed_number_clean(number)
    if FixedNumber.objects.filter(number=cleaned).exists():
        raise ApplicationError(
            _("The number %(number)s is already in the inventory.") % {"number": cleaned}, field="number"
        )
    return cleaned


def fixed_number_create(
    *,
    number: str,
    offer: Offer | None,
    rate_table: RateTable | None,
    by: User | None,
    context: AuditContext | None = None,
) -> FixedNumber:
    """Add a number to the inventory (available); its rate table defaults to the offer's."""
    cleaned = fixed_number_check(number=number)
    if rate_table is None and offer is not None:
        rate_table = offer.default_rate_table
    fixed = FixedNumber.objects.create(number=cleaned, offer=offer, rate_table=rate_table)
    audit_record(
        actor=by,
        action="fixed_number.created",
        obj=fixed,
        changes={"offer": offer.code if offer else "", "rate_table": rate_table.code if rate_table else ""},
        context=context,
    )
    return fixed


def fixed_number_update(
    *,
    fixed: FixedNumber,
    offer: Offer | None,
    rate_table: RateTable | None,
    by: User | None,
    context: AuditContext | None = None,
) -> FixedNumber:
    """Change the number's offer (monthly fee) and rate table."""
    fixed.offer, fixed.rate_table = offer, rate_table or (offer.default_rate_table if offer else None)
    fixed.save(update_fields=["offer", "rate_table", "updated_at"])
    audit_record(
        actor=by,
        action="fixed_number.updated",
        obj=fixed,
        changes={
            "offer": offer.code if offer else "",
            "rate_table": fixed.rate_table.code if fixed.rate_table else "",
        },
        context=context,
    )
    return fixed


def _locked(fixed: FixedNumber) -> FixedNumber:
    return FixedNumber.objects.select_for_update().get(pk=fixed.pk)


def fixed_number_assign(
    *,
    fixed: FixedNumber,
    customer: Customer,
    by: User | None,
    today: dt.date,
    context: AuditContext | None = None,
) -> FixedNumber:
    """Give an available number to a customer; it needs an offer (the monthly fee)."""
    with transaction.atomic():
        fixed = _locked(fixed)
        if fixed.customer_id is not None:
            raise ApplicationError(_("This number is already assigned: move it instead."))
        if fixed.status == FixedNumberStatus.TERMINATED:
            raise ApplicationError(_("This number is terminated."))
        if fixed.offer_id is None:
            raise ApplicationError(_("Give the number an offer before assigning it."), field="offer")
        if customer.is_archived:
            raise ApplicationError(_("This customer is archived."), field="customer")
        fixed.customer, fixed.status, fixed.assigned_on, fixed.unassigned_on = (
            customer,
            FixedNumberStatus.ACTIVE,
            today,
            None,
        )
        fixed.save(update_fields=["customer", "status", "assigned_on", "unassigned_on", "updated_at"])
        audit_record(
            actor=by,
            action="fixed_number.assigned",
            obj=fixed,
            changes={"customer": customer.number},
            context=context,
        )
    return fixed


def fixed_number_unassign(
    *, fixed: FixedNumber, by: User | None, today: dt.date, context: AuditContext | None = None
) -> FixedNumber:
    """Take the number back from its customer: it is available again."""
    with transaction.atomic():
        fixed = _locked(fixed)
        if fixed.customer_id is None:
            raise ApplicationError(_("This number is not assigned."))
        previous = fixed.customer.number if fixed.customer else ""
        fixed.customer, fixed.status, fixed.unassigned_on = None, FixedNumberStatus.AVAILABLE, today
        fixed.save(update_fields=["customer", "status", "unassigned_on", "updated_at"])
        audit_record(
            actor=by,
            action="fixed_number.unassigned",
            obj=fixed,
            changes={"customer": previous},
            context=context,
        )
    return fixed


def fixed_number_move(
    *,
    fixed: FixedNumber,
    customer: Customer,
    by: User | None,
    today: dt.date,
    context: AuditContext | None = None,
) -> FixedNumber:
    """Move an assigned number to another customer of the tenant."""
    with transaction.atomic():
        fixed = _locked(fixed)
        if fixed.customer_id is None:
            raise ApplicationError(_("This number is not assigned: assign it instead."))
        if fixed.customer_id == customer.pk:
            raise ApplicationError(_("The number already belongs to this customer."), field="customer")
        if customer.is_archived:
            raise ApplicationError(_("This customer is archived."), field="customer")
        previous = fixed.customer.number if fixed.customer else ""
        fixed.customer, fixed.assigned_on = customer, today
        fixed.save(update_fields=["customer", "assigned_on", "updated_at"])
        changes: dict[str, Any] = {"customer": [previous, customer.number]}
        audit_record(actor=by, action="fixed_number.moved", obj=fixed, changes=changes, context=context)
    return fixed
