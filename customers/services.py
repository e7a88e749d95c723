"""Writes about customers: the customer record, contacts, SEPA mandates, the portal account,
the ledger and the balance policy, archiving."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.hooks import register_login_reservation
from accounts.models import Role, User
from accounts.permissions import user_can
from accounts.selectors import login_is_taken
from accounts.services import password_reset_link, user_create
from audit.context import AuditContext
from audit.services import audit_changes, audit_record
from core.errors import ApplicationError, Problems
from core.identifiers import (
    bic_matches_iban,
    clean_bic,
    clean_iban,
    clean_siren,
    clean_vat_number,
    format_iban,
    mask_iban,
)
from core.money import ZERO, format_amount, quantize_price, vat_amount
from core.tenancy import in_public_schema
from core.text import name_check
from customers import hooks
from customers.hooks import register_archive_blocker, register_balance_policy_handler  # noqa: F401
from customers.models import (
    BalanceMode,
    BalancePolicy,
    Contact,
    ContactRole,
    Customer,
    CustomerKind,
    CustomerNumberCounter,
    CustomerStatus,
    EntryKind,
    LedgerEntry,
    Mandate,
    MandateStatus,
    PaymentMethod,
    PaymentMode,
    SequenceType,
)
from customers.selectors import customer_archive_blockers, customer_balance, phone_digits
from tenants.links import tenant_url
from tenants.settings.mail import EmailKind, email_send
from tenants.settings.selectors import tenant_current

NUMBER_PREFIX = "C"
NUMBER_DIGITS = 6
_NUMBER_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")

# The fields of the record a page, the API or an import may set.
CUSTOMER_FIELDS = (
    "kind",
    "company_name",
    "siren",
    "vat_number",
    "first_name",
    "last_name",
    "billing_line1",
    "billing_line2",
    "billing_postal_code",
    "billing_city",
    "billing_country",
    "delivery_differs",
    "delivery_line1",
    "delivery_line2",
    "delivery_postal_code",
    "delivery_city",
    "delivery_country",
    "payment_mode",
    "no_detailed_invoice",
    "full_called_numbers",
    "balance_mode",
    "balance_policy",
)
_CHOICES = {
    "kind": CustomerKind,
    "payment_mode": PaymentMode,
    "balance_mode": BalanceMode,
    "balance_policy": BalancePolicy,
}


# --- The customer record ----------------------------------------------------------------------
def customer_number_next() -> str:
    """The next free generated number (C000123), taken under a row lock so two sales people
    creating customers at the same time never get the same one."""
    with transaction.atomic():
        CustomerNumberCounter.objects.get_or_create(pk=1)  # created by the migration; kept for safety
        counter = CustomerNumberCounter.objects.select_for_update().get(pk=1)
        while True:
            counter.last += 1
            number = f"{NUMBER_PREFIX}{counter.last:0{NUMBER_DIGITS}d}"
            if not Customer.objects.filter(number=number).exists():
                break
        counter.save(update_fields=["last"])
    return number


def _clean_number(value: str) -> str:
    number = (value or "").strip().upper()
    if not _NUMBER_RE.match(number):
        raise ApplicationError(
            _("The customer number %(number)s is not valid: up to 20 letters, digits, - or _.")
            % {"number": value},
            field="number",
        )
    if Customer.objects.filter(number=number).exists():
        raise ApplicationError(
            _("The customer number %(number)s is already taken.") % {"number": number}, field="number"
        )
    return number


_ADDRESS_FIELDS = (
    "billing_line1",
    "billing_line2",
    "billing_city",
    "delivery_line1",
    "delivery_line2",
    "delivery_city",
)


def _clean_fields(values: dict[str, Any], problems: Problems | None = None) -> dict[str, Any]:
    """The record's fields checked against the rules. Every broken rule is collected in
    `problems` (raised at the end when the caller gives none)."""
    own = problems is None
    problems = problems if problems is not None else Problems()
    for name, choices in _CHOICES.items():
        if name in values and values[name] not in choices.values:
            problems.add(_("Unknown value %(value)s.") % {"value": values[name]}, field=name)
    for name in CUSTOMER_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    if values.get("kind") == CustomerKind.BUSINESS:
        if not values.get("company_name"):
            problems.add(_("A business customer needs its company name."), field="company_name")
        else:
            with problems.check():
                values["company_name"] = name_check(values["company_name"], field="company_name")
        if values.get("siren"):
            with problems.check():
                values["siren"] = clean_siren(values["siren"])
        if values.get("vat_number"):
            with problems.check():
                values["vat_number"] = clean_vat_number(values["vat_number"])
    elif values.get("kind") is not None:  # None: the kind itself failed (a form), nothing to check
        if not values.get("last_name"):
            problems.add(_("A consumer customer needs a last name."), field="last_name")
        values["siren"] = values["vat_number"] = ""
        if values.get("company_name"):
            with problems.check():
                values["company_name"] = name_check(values["company_name"], field="company_name")
    for name in _ADDRESS_FIELDS:  # the operator's character rule applies to addresses too
        if values.get(name):
            with problems.check():
                values[name] = name_check(values[name], field=name)
    if values.get("delivery_differs"):
        for name in ("delivery_line1", "delivery_postal_code", "delivery_city"):
            if not values.get(name):
                problems.add(
                    _("The delivery address differs: give its street, postal code and city."), field=name
                )
    else:
        for name in ("delivery_line1", "delivery_line2", "delivery_postal_code", "delivery_city"):
            values[name] = ""
    if own:
        problems.raise_if_any()
    return values


def _clean_contact(data: dict[str, Any] | None, *, role: str) -> dict[str, str] | None:
    if not data or not any((data.get(k) or "").strip() for k in ("name", "email", "phone")):
        return None
    contact = {k: (data.get(k) or "").strip() for k in ("name", "email", "phone")}
    field = f"{role}_email"
    if contact["email"]:
        try:
            validate_email(contact["email"])
        except ValidationError:
            raise ApplicationError(
                _("The e-mail address %(email)s is not valid.") % {"email": contact["email"]}, field=field
            ) from None
    elif role == ContactRole.LOGIN:
        raise ApplicationError(
            _("The login contact needs an e-mail address (the password recovery goes there)."), field=field
        )
    if contact["phone"] and len(phone_digits(contact["phone"])) < 6:
        raise ApplicationError(
            _("The phone number %(phone)s is too short.") % {"phone": contact["phone"]}, field=f"{role}_phone"
        )
    return contact


def _login_email_check_unique(*, customer: Customer | None, role: str, email: str) -> None:
    """A login contact's e-mail address is unique within the tenant (the ISM manual's record rules)."""
    if role != ContactRole.LOGIN or not email:
        return
    others = Contact.objects.filter(role=ContactRole.LOGIN, email__iexact=email)
    if customer is not None:
        others = others.exclude(customer=customer)
    if others.exists():
        raise ApplicationError(
            _("The e-mail address %(email)s is already the login contact of another customer.")
            % {"email": email},
            field="login_email",
        )


def _contact_upsert(*, customer: Customer, role: str, data: dict[str, str] | None) -> Contact | None:
    contact = Contact.objects.filter(customer=customer, role=role).first()
    if data is None:
        return contact
    _login_email_check_unique(customer=customer, role=role, email=data["email"])
    contact = contact or Contact(customer=customer, role=role)
    contact.name, contact.email, contact.phone = data["name"], data["email"], data["phone"]
    contact.phone_digits = phone_digits(contact.phone)
    contact.save()
    return contact


def _customer_problems(
    *,
    values: dict[str, Any],
    now: datetime,
    customer: Customer | None = None,
    number: str = "",
    login: str = "",
    billing_contact: dict[str, Any] | None = None,
    login_contact: dict[str, Any] | None = None,
    mandate: dict[str, Any] | None = None,
    send_logins: bool = False,
) -> tuple[Problems, dict[str, Any]]:
    """Every rule of a customer record checked, without writing: the broken ones and the
    normalised values (`values`, `billing`, `login_data`, `number`, `login`)."""
    problems = Problems()
    values = _clean_fields(values, problems)
    billing = login_data = None
    with problems.check():
        billing = _clean_contact(billing_contact, role=ContactRole.BILLING)
    with problems.check():
        login_data = _clean_contact(login_contact, role=ContactRole.LOGIN)
    if login_data and not problems.has("login_email"):
        with problems.check():
            _login_email_check_unique(customer=customer, role=ContactRole.LOGIN, email=login_data["email"])
    if send_logins and not login_data and not problems.has("login_email"):
        problems.add(
            _("To send the logins by e-mail, give the login contact's e-mail address."), field="login_email"
        )
    number = number.strip()
    if number:
        with problems.check():
            number = _clean_number(number)
    login = (login or "").strip() or number
    if login and login_is_taken(login=login):
        problems.add(_("The login %(login)s is already taken.") % {"login": login}, field="login")
    if mandate:
        with problems.check():
            mandate_check(
                iban=mandate.get("iban") or "",
                bic=mandate.get("bic") or "",
                signed_on=mandate.get("signed_on"),
                now=now,
            )
    cleaned = {
        "values": values,
        "billing": billing,
        "login_data": login_data,
        "number": number,
        "login": login,
    }
    return problems, cleaned


def customer_check(
    *,
    data: dict[str, Any],
    now: datetime,
    customer: Customer | None = None,
    number: str = "",
    login: str = "",
    billing_contact: dict[str, Any] | None = None,
    login_contact: dict[str, Any] | None = None,
    mandate: dict[str, Any] | None = None,
    send_logins: bool = False,
) -> None:
    """The rules of a new or changed customer record, checked without writing; every broken one
    raised at once. `data` may lack fields (a form's that failed their own validation): the
    rules that need them are skipped."""
    values = {name: data[name] for name in CUSTOMER_FIELDS if name in data}
    if customer is None:
        values.setdefault("kind", CustomerKind.BUSINESS)
    problems, _cleaned = _customer_problems(
        values=values,
        now=now,
        customer=customer,
        number=number,
        login=login,
        billing_contact=billing_contact,
        login_contact=login_contact,
        mandate=mandate,
        send_logins=send_logins,
    )
    problems.raise_if_any()


@transaction.atomic
def customer_create(
    *,
    by: User,
    now: datetime,
    data: dict[str, Any],
    number: str = "",
    login: str = "",
    billing_contact: dict[str, Any] | None = None,
    login_contact: dict[str, Any] | None = None,
    mandate: dict[str, Any] | None = None,
    send_logins: bool = False,
    context: AuditContext | None = None,
) -> Customer:
    """Create a customer: its number is generated unless typed in (take-over from another system);
    the login contact gets a portal account whose login defaults to the customer number."""
    values = {name: data[name] for name in CUSTOMER_FIELDS if name in data}
    values.setdefault("kind", CustomerKind.BUSINESS)
    # Every broken rule is reported at once: a form shows them all after one submit.
    problems, cleaned = _customer_problems(
        values=values,
        now=now,
        number=number,
        login=login,
        billing_contact=billing_contact,
        login_contact=login_contact,
        mandate=mandate,
        send_logins=send_logins,
    )
    problems.raise_if_any()
    values, billing, login_data = cleaned["values"], cleaned["billing"], cleaned["login_data"]
    number, login = cleaned["number"], cleaned["login"]
    number = number or customer_number_next()
    customer = Customer(number=number, **values)
    customer.login = login or number
    if login_is_taken(login=customer.login):
        raise ApplicationError(
            _("The login %(login)s is already taken.") % {"login": customer.login}, field="login"
        )
    customer.save()
    _contact_upsert(customer=customer, role=ContactRole.BILLING, data=billing)
    _contact_upsert(customer=customer, role=ContactRole.LOGIN, data=login_data)
    audit_record(
        actor=by,
        action="customer.created",
        obj=customer,
        changes={"number": number, "kind": customer.kind, "payment_mode": customer.payment_mode},
        context=context,
    )
    if login_data:
        customer_portal_account_ensure(customer=customer, by=by)
    if mandate:
        mandate_create(customer=customer, by=by, now=now, context=context, **mandate)
    if send_logins:
        transaction.on_commit(partial(customer_send_logins, customer=customer, by=by, context=context))
    return customer


def _snapshot(customer: Customer) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in CUSTOMER_FIELDS}


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    by: User,
    now: datetime,
    data: dict[str, Any],
    billing_contact: dict[str, Any] | None = None,
    login_contact: dict[str, Any] | None = None,
    context: AuditContext | None = None,
) -> Customer:
    """Change the record with the same rules as at creation; every change is in the audit."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.is_archived:
        raise ApplicationError(_("This customer is archived: it cannot be changed."))
    before = _snapshot(customer)
    values = {**before, **{name: data[name] for name in CUSTOMER_FIELDS if name in data}}
    problems, checked = _customer_problems(
        values=values,
        now=now,
        customer=customer,
        billing_contact=billing_contact,
        login_contact=login_contact,
    )
    problems.raise_if_any()
    values = checked["values"]
    for name, value in values.items():
        setattr(customer, name, value)
    customer.save()
    changes = audit_changes(before, _snapshot(customer))
    for role, contact_data in ((ContactRole.BILLING, billing_contact), (ContactRole.LOGIN, login_contact)):
        if contact_data is None:
            continue
        cleaned = _clean_contact(contact_data, role=role)
        old = Contact.objects.filter(customer=customer, role=role).first()
        old_values = {k: getattr(old, k) for k in ("name", "email", "phone")} if old else {}
        _contact_upsert(customer=customer, role=role, data=cleaned)
        if cleaned and cleaned != old_values:
            changes[f"{role}_contact"] = [old_values.get("email", ""), cleaned["email"]]
    if changes:
        audit_record(actor=by, action="customer.updated", obj=customer, changes=changes, context=context)
    customer_portal_account_ensure(customer=customer, by=by)
    if "balance_policy" in changes:
        _balance_policy_apply(customer=customer, now=now)
    return customer


def contact_update_by_customer(
    *,
    customer: Customer,
    by: User,
    role: str,
    name: str,
    email: str,
    phone: str,
    context: AuditContext | None = None,
) -> Contact:
    """The portal's own edit of a contact (billing or login), with the same checks as the staff's."""
    if role not in (ContactRole.BILLING, ContactRole.LOGIN):
        raise ApplicationError(_("Unknown contact."))
    cleaned = _clean_contact({"name": name, "email": email, "phone": phone}, role=role)
    if cleaned is None:
        raise ApplicationError(_("Give at least a name, an e-mail address or a phone number."))
    with transaction.atomic():
        contact = _contact_upsert(customer=customer, role=role, data=cleaned)
        assert contact is not None
        audit_record(
            actor=by,
            action="customer.contact_updated",
            obj=customer,
            changes={role: cleaned["email"]},
            context=context,
        )
        customer_portal_account_ensure(customer=customer, by=by)
    return contact


def contact_create(
    *,
    customer: Customer,
    by: User,
    role: str,
    name: str,
    email: str,
    phone: str,
    context: AuditContext | None = None,
) -> Contact:
    """Add a contact; a customer has at most one billing and one login contact."""
    if role not in ContactRole.values:
        raise ApplicationError(_("Unknown value %(value)s.") % {"value": role}, field="role")
    if role != ContactRole.OTHER and Contact.objects.filter(customer=customer, role=role).exists():
        raise ApplicationError(_("This customer already has this contact; change it instead."), field="role")
    cleaned = _clean_contact({"name": name, "email": email, "phone": phone}, role=role)
    if cleaned is None:
        raise ApplicationError(_("Give at least a name, an e-mail address or a phone number."))
    with transaction.atomic():
        contact = _contact_upsert(customer=customer, role=role, data=cleaned)
        assert contact is not None
        audit_record(
            actor=by,
            action="customer.contact_added",
            obj=customer,
            changes={role: cleaned["email"]},
            context=context,
        )
        if role == ContactRole.LOGIN:
            customer_portal_account_ensure(customer=customer, by=by)
    return contact


def contact_update(
    *,
    contact: Contact,
    by: User,
    name: str,
    email: str,
    phone: str,
    context: AuditContext | None = None,
) -> Contact:
    """Change a contact with the same checks as at creation; the portal login follows the login contact."""
    cleaned = _clean_contact({"name": name, "email": email, "phone": phone}, role=contact.role)
    if cleaned is None:
        raise ApplicationError(_("Give at least a name, an e-mail address or a phone number."))
    _login_email_check_unique(customer=contact.customer, role=contact.role, email=cleaned["email"])
    with transaction.atomic():
        contact.name, contact.email, contact.phone = cleaned["name"], cleaned["email"], cleaned["phone"]
        contact.phone_digits = phone_digits(contact.phone)
        contact.save()
        audit_record(
            actor=by,
            action="customer.contact_updated",
            obj=contact.customer,
            changes={contact.role: email},
            context=context,
        )
        customer_portal_account_ensure(customer=contact.customer, by=by)
    return contact


# --- The portal account ---------------------------------------------------------------------
def _login_reserved_by_a_customer(login: str, reserved_by: object | None) -> bool:
    """A customer's login identifier is reserved from its creation, before its portal account
    exists: no other account (staff or customer) may take it, in any case."""
    if in_public_schema():
        return False
    customers = Customer.objects.filter(Q(login__iexact=login) | Q(login="", number__iexact=login))
    if isinstance(reserved_by, Customer):
        customers = customers.exclude(pk=reserved_by.pk)
    return customers.exists()


register_login_reservation(_login_reserved_by_a_customer)


def customer_portal_account_ensure(*, customer: Customer, by: User | None) -> User | None:
    """The customer's portal account (role "customer"), created once it has a login contact; its
    e-mail follows the login contact's, so password recovery reaches them."""
    contact = Contact.objects.filter(customer=customer, role=ContactRole.LOGIN).first()
    if contact is None or not contact.email:
        return customer.portal_user
    user = customer.portal_user
    if user is None:
        user = user_create(
            username=customer.login or customer.number,
            reserved_by=customer,
            email=contact.email,
            role=Role.CUSTOMER,
            by=by,
            last_name=customer.display_name[:150],
        )
        customer.portal_user = user
        customer.save(update_fields=["portal_user"])
    elif user.email != contact.email:
        user.email = contact.email
        user.save(update_fields=["email"])
    return user


def customer_send_logins(*, customer: Customer, by: User, context: AuditContext | None = None) -> None:
    """E-mail the login contact the tenant's account-opening message: their login and a link to
    choose their password on the portal (links on the tenant's main domain, not a request's host)."""
    user = customer.portal_user
    if user is None or not user.email:
        raise ApplicationError(_("This customer has no portal account with an e-mail address."))
    base_url = tenant_url(tenant_current(), "/")
    link = password_reset_link(user=user, base_url=base_url)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        email_send(
            kind=EmailKind.ACCOUNT_OPENING,
            to=[user.email],
            context={
                "customer_name": customer.display_name,
                "login": user.username,
                "set_password_link": link,
                "site_url": f"{base_url}portal/",
            },
        )
    audit_record(
        actor=by, action="customer.logins_sent", obj=customer, changes={"email": user.email}, context=context
    )


# --- Archiving --------------------------------------------------------------------------------
def _unpaid_balance_blocker(customer: Customer) -> list[str]:
    balance = customer_balance(customer=customer)
    if balance < ZERO:
        return [
            _("Its balance is %(amount)s unpaid: record the payment (or a reversing entry) first.")
            % {"amount": format_amount(quantize_price(-balance), places=2)}
        ]
    return []


register_archive_blocker(_unpaid_balance_blocker)


@transaction.atomic
def customer_archive(
    *, customer: Customer, by: User, now: datetime, context: AuditContext | None = None
) -> Customer:
    """Delete a customer the only way allowed: archived (never erased with its invoices), and only
    once nothing is left to end (lines, numbers, unpaid invoices, unpaid balance)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.is_archived:
        return customer
    reasons = customer_archive_blockers(customer=customer)
    if reasons:
        raise ApplicationError(
            _("This customer cannot be deleted yet. %(reasons)s") % {"reasons": " ".join(reasons)},
            extra={"reasons": reasons},
        )
    customer.status = CustomerStatus.ARCHIVED
    customer.archived_at = now
    customer.save(update_fields=["status", "archived_at", "updated_at"])
    if customer.portal_user is not None and customer.portal_user.is_active:
        customer.portal_user.is_active = False
        customer.portal_user.save(update_fields=["is_active"])
    audit_record(actor=by, action="customer.archived", obj=customer, context=context)
    return customer


# --- SEPA mandates ------------------------------------------------------------------------------
def _rum_for(customer: Customer) -> str:
    count = Mandate.objects.filter(customer=customer).count()
    while True:
        count += 1
        rum = f"{customer.number}-M{count:03d}"
        if not Mandate.objects.filter(rum=rum).exists():
            return rum


def mandate_check(*, iban: str, bic: str, signed_on: date | None, now: datetime) -> tuple[str, str]:
    """A mandate's bank details and date checked together (every broken rule at once); returns
    the normalised IBAN and BIC."""
    problems = Problems()
    with problems.check():
        iban = clean_iban(iban)
    with problems.check():
        bic = clean_bic(bic)
    if not problems and not bic_matches_iban(iban=iban, bic=bic):
        problems.add(
            _("The BIC %(bic)s is not of the IBAN's country (%(country)s).")
            % {"bic": bic, "country": iban[:2]},
            field="bic",
        )
    if signed_on and signed_on > timezone.localdate(now):
        problems.add(_("The signature date cannot be in the future."), field="signed_on")
    problems.raise_if_any()
    return iban, bic


@transaction.atomic
def mandate_create(
    *,
    customer: Customer,
    by: User,
    now: datetime,
    iban: str,
    bic: str,
    signed_on: date | None = None,
    account_holder: str = "",
    context: AuditContext | None = None,
) -> Mandate:
    """A new SEPA mandate with a platform-generated unique reference (RUM); the customer's
    previous active mandate is kept, marked replaced with its end date."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.is_archived:
        raise ApplicationError(_("This customer is archived: it cannot be changed."))
    iban, bic = mandate_check(iban=iban, bic=bic, signed_on=signed_on, now=now)
    previous = Mandate.objects.filter(customer=customer, status=MandateStatus.ACTIVE).first()
    if previous is not None:
        previous.status = MandateStatus.REPLACED
        previous.ended_at = now
        previous.save(update_fields=["status", "ended_at"])
    mandate = Mandate.objects.create(
        customer=customer,
        rum=_rum_for(customer),
        iban=iban,
        bic=bic,
        account_holder=(account_holder or customer.display_name)[:140],
        signed_on=signed_on,
        sequence_type=SequenceType.FIRST,
    )
    audit_record(
        actor=by,
        action="customer.mandate_created",
        obj=customer,
        changes={"rum": mandate.rum, "iban": mask_iban(iban), "replaces": previous.rum if previous else ""},
        context=context,
    )
    return mandate


def mandate_iban_reveal(*, mandate: Mandate, by: User, context: AuditContext | None = None) -> str:
    """The full IBAN of a mandate, for a role allowed to see secrets (`secrets.reveal`); every
    reveal is recorded (who, which mandate). Everyone else only ever sees it masked."""
    if not user_can(by, "secrets.reveal"):
        raise PermissionDenied
    audit_record(
        actor=by,
        action="customer.mandate_iban_revealed",
        obj=mandate.customer,
        changes={"rum": mandate.rum},
        context=context,
    )
    return format_iban(mandate.iban)


def mandate_set_signed(
    *, mandate: Mandate, by: User, signed_on: date, today: date, context: AuditContext | None = None
) -> Mandate:
    """Record the date the customer signed the printed mandate (not after `today`)."""
    if signed_on > today:
        raise ApplicationError(_("The signature date cannot be in the future."), field="signed_on")
    mandate.signed_on = signed_on
    mandate.save(update_fields=["signed_on"])
    audit_record(
        actor=by,
        action="customer.mandate_signed",
        obj=mandate.customer,
        changes={"rum": mandate.rum, "on": signed_on},
        context=context,
    )
    return mandate


def mandate_revoke(
    *, mandate: Mandate, by: User, now: datetime, context: AuditContext | None = None
) -> Mandate:
    """End a mandate (the customer withdrew it); it stays in the history."""
    if mandate.status != MandateStatus.ACTIVE:
        raise ApplicationError(_("This mandate is no longer active."))
    mandate.status = MandateStatus.REVOKED
    mandate.ended_at = now
    mandate.save(update_fields=["status", "ended_at"])
    audit_record(
        actor=by,
        action="customer.mandate_revoked",
        obj=mandate.customer,
        changes={"rum": mandate.rum},
        context=context,
    )
    return mandate


def mandate_record_debit(*, mandate: Mandate) -> Mandate:
    """After a first debit has been sent, the next ones are recurring (FRST → RCUR)."""
    if mandate.sequence_type == SequenceType.FIRST:
        mandate.sequence_type = SequenceType.RECURRING
        mandate.save(update_fields=["sequence_type"])
    return mandate


# --- Ledger and balance -------------------------------------------------------------------------
def _decimal(value: Any, *, field: str) -> Decimal:
    if isinstance(value, float):
        raise ApplicationError(_("Amounts must be given as decimals, not floats."), field=field)
    try:
        amount = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("%(value)s is not an amount.") % {"value": value}, field=field) from None
    if not amount.is_finite():
        raise ApplicationError(_("%(value)s is not an amount.") % {"value": value}, field=field)
    return amount


@transaction.atomic
def ledger_entry_add(
    *,
    customer: Customer,
    by: User | None,
    now: datetime,
    kind: str,
    amount_ttc: Decimal,
    entry_date: date | None = None,
    description: str = "",
    method: str = "",
    amount_ht: Decimal | None = None,
    vat_rate: Decimal | None = None,
    amount_vat: Decimal = ZERO,
    reverses: LedgerEntry | None = None,
    context: AuditContext | None = None,
) -> LedgerEntry:
    """Append an entry to the ledger (never changed afterwards) and apply the balance policy.
    Billing posts its invoices and rated usage here too (`by` None: the system). The entry is
    dated `entry_date`, or the day of `now`."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    entry = LedgerEntry.objects.create(
        customer=customer,
        kind=kind,
        entry_date=entry_date or timezone.localdate(now),
        description=description.strip()[:255],
        method=method,
        amount_ht=amount_ht,
        vat_rate=vat_rate,
        amount_vat=amount_vat,
        amount_ttc=quantize_price(amount_ttc),
        reverses=reverses,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    audit_record(
        actor=by,
        action=f"customer.ledger_{kind}",
        obj=customer,
        changes={"entry": entry.pk, "amount_ttc": str(entry.amount_ttc), "description": entry.description},
        context=context,
    )
    _balance_policy_apply(customer=customer, now=now)
    return entry


def payment_check(*, amount: Any = None, method: str | None = None) -> Decimal:
    """A payment's rules (a positive amount, a known method), every broken one raised at once;
    returns the amount rounded. `None`: not known yet (a form's field that failed), not checked."""
    problems = Problems()
    value = ZERO
    if amount is not None:
        with problems.check():
            value = quantize_price(_decimal(amount, field="amount"))
            if value <= ZERO:
                raise ApplicationError(_("A payment must be a positive amount."), field="amount")
    if method is not None and method not in PaymentMethod.values:
        problems.add(_("Unknown value %(value)s.") % {"value": method}, field="method")
    problems.raise_if_any()
    return value


def charge_check(
    *, amount_ht: Any = None, vat_rate: Any = None, description: str | None = None
) -> tuple[Decimal, Decimal]:
    """A charge's rules (a positive amount, a VAT rate from 0 to 100 %, what it is for), every
    broken one raised at once; returns the amount rounded and the rate. `None`: not known yet."""
    problems = Problems()
    base = rate = ZERO
    if amount_ht is not None:
        with problems.check():
            base = quantize_price(_decimal(amount_ht, field="amount_ht"))
            if base <= ZERO:
                raise ApplicationError(_("A charge must be a positive amount."), field="amount_ht")
    if vat_rate is not None:
        with problems.check():
            rate = _decimal(vat_rate, field="vat_rate")
            if rate < ZERO or rate > Decimal("100"):
                raise ApplicationError(_("The VAT rate must be between 0 and 100 %."), field="vat_rate")
    if description is not None and not description.strip():
        problems.add(_("Say what the charge is for."), field="description")
    problems.raise_if_any()
    return base, rate


def payment_record(
    *,
    customer: Customer,
    by: User,
    now: datetime,
    amount: Any,
    entry_date: date | None = None,
    method: str = PaymentMethod.TRANSFER,
    description: str = "",
    context: AuditContext | None = None,
) -> LedgerEntry:
    """A payment received (amount TTC, positive): it raises the balance."""
    value = payment_check(amount=amount, method=method)
    return ledger_entry_add(
        customer=customer,
        by=by,
        now=now,
        kind=EntryKind.PAYMENT,
        amount_ttc=value,
        entry_date=entry_date,
        method=method,
        description=description or _("Payment"),
        context=context,
    )


def charge_record(
    *,
    customer: Customer,
    by: User,
    now: datetime,
    amount_ht: Any,
    vat_rate: Any = Decimal("20"),
    description: str,
    entry_date: date | None = None,
    context: AuditContext | None = None,
) -> LedgerEntry:
    """A manual charge (amount excl. VAT and VAT rate): the balance drops by its amount incl. VAT."""
    base, rate = charge_check(amount_ht=amount_ht, vat_rate=vat_rate, description=description)
    vat = vat_amount(base, rate)
    return ledger_entry_add(
        customer=customer,
        by=by,
        now=now,
        kind=EntryKind.CHARGE,
        amount_ttc=-(base + vat),
        amount_ht=base,
        vat_rate=rate,
        amount_vat=vat,
        entry_date=entry_date,
        description=description,
        context=context,
    )


def ledger_entry_reverse(
    *,
    entry: LedgerEntry,
    by: User,
    now: datetime,
    reason: str = "",
    context: AuditContext | None = None,
) -> LedgerEntry:
    """Correct a mistaken entry the only way a ledger allows: a reversing entry of the opposite amount."""
    if entry.kind == EntryKind.REVERSAL:
        raise ApplicationError(_("A reversing entry cannot itself be reversed; record a new entry instead."))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ApplicationError(_("This entry has already been reversed."))
    description = _("Reversal of: %(description)s") % {"description": entry.description}
    if reason.strip():
        description = f"{description} ({reason.strip()})"
    return ledger_entry_add(
        customer=entry.customer,
        by=by,
        now=now,
        kind=EntryKind.REVERSAL,
        amount_ttc=-entry.amount_ttc,
        amount_ht=-entry.amount_ht if entry.amount_ht is not None else None,
        vat_rate=entry.vat_rate,
        amount_vat=-entry.amount_vat,
        method=entry.method,
        description=description,
        reverses=entry,
        context=context,
    )


def _notify_balance_handlers(customer: Customer, action: str) -> None:
    for handler in list(hooks.balance_policy_handlers):
        handler(customer, action)


def _balance_policy_apply(*, customer: Customer, now: datetime) -> None:
    """A strict customer whose balance falls to zero or below is suspended (its lines, through the
    registered handlers); a payment that brings it back above zero reactivates it. Each crossing
    is audited (actor system) and notified once, after commit."""
    balance = customer_balance(customer=customer)
    action = ""
    if (
        customer.balance_policy == BalancePolicy.STRICT
        and balance <= ZERO
        and not customer.suspended_for_balance
    ):
        customer.suspended_for_balance = True
        customer.suspended_for_balance_at = now
        action = "suspend"
        audit_action = "customer.suspended_for_balance"
    elif customer.suspended_for_balance and (
        balance > ZERO or customer.balance_policy != BalancePolicy.STRICT
    ):
        customer.suspended_for_balance = False
        customer.suspended_for_balance_at = None
        action = "reactivate"
        audit_action = (
            "customer.reactivated_after_payment"
            if balance > ZERO
            else "customer.reactivated_policy_permissive"
        )
    if not action:
        return
    customer.save(update_fields=["suspended_for_balance", "suspended_for_balance_at"])
    audit_record(actor=None, action=audit_action, obj=customer, changes={"balance": str(balance)})
    transaction.on_commit(partial(_notify_balance_handlers, customer, action))
