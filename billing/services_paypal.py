"""Online payment with PayPal (Payments Standard): the links the portal offers ("pay this
invoice", "top up" with the tenant's preset amounts), and the instant payment notification (IPN).

A notification credits nothing until PayPal itself confirms it: its exact body is posted back,
prefixed with `cmd=_notify-validate`, to the configured verification address, which answers
`VERIFIED` or `INVALID`. Then it must be a completed payment in euros to the tenant's own PayPal
account, and its transaction id must be new (`Payment.external_id` is unique): a replayed or
forged notification is recorded, with its outcome, and credits nothing.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

import requests
from django.db import IntegrityError, transaction

from audit.services import audit_record
from billing.models import UNPAID_STATUSES, Invoice, Payment, PaymentChannel, PayPalNotification
from billing.selectors import billing_settings_get
from billing.services_payments import payment_record
from core.errors import ApplicationError
from customers.models import Customer

VERIFY_TIMEOUT = 15
PAYPAL_ACTIONS: dict[str, str] = {
    PayPalNotification.Outcome.CREDITED: "paypal.credited",
    PayPalNotification.Outcome.INVALID: "paypal.invalid",
    PayPalNotification.Outcome.REPLAYED: "paypal.replayed",
    PayPalNotification.Outcome.IGNORED: "paypal.ignored",
    PayPalNotification.Outcome.RECEIVED: "paypal.received",
}


def _verify(raw: bytes, url: str) -> bool:
    body = b"cmd=_notify-validate&" + raw
    answer = requests.post(
        url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "ISM-IPN"},
        timeout=VERIFY_TIMEOUT,
    )
    return answer.status_code == 200 and answer.text.strip() == "VERIFIED"


def _outcome(note: PayPalNotification, outcome: str, payment: Payment | None = None) -> PayPalNotification:
    note.outcome = outcome
    note.payment = payment
    note.save(update_fields=["outcome", "payment"])
    audit_record(
        actor=None,
        action=PAYPAL_ACTIONS[outcome],
        obj=payment,
        object_type="billing.paypalnotification",
        object_id=str(note.pk),
        changes={"txn_id": note.txn_id},
        context=None,
    )
    return note


def paypal_ipn_receive(*, raw: bytes, now: dt.datetime, today: dt.date) -> PayPalNotification:
    """Record a notification, check it with PayPal, and credit the customer once if it holds."""
    fields = dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    settings = billing_settings_get()
    note = PayPalNotification.objects.create(
        txn_id=fields.get("txn_id", "")[:64], payload=fields, received_at=now
    )
    if not settings.paypal_enabled or not settings.paypal_email:
        return _outcome(note, PayPalNotification.Outcome.IGNORED)
    try:
        verified = _verify(raw, settings.paypal_verify_url)
    except requests.RequestException:
        verified = False
    if not verified:
        return _outcome(note, PayPalNotification.Outcome.INVALID)
    if (
        fields.get("payment_status") != "Completed"
        or fields.get("mc_currency") != "EUR"
        or fields.get("receiver_email", "").lower() != settings.paypal_email.lower()
        or not note.txn_id
    ):
        return _outcome(note, PayPalNotification.Outcome.IGNORED)
    if Payment.objects.filter(external_id=f"paypal:{note.txn_id}").exists():
        return _outcome(note, PayPalNotification.Outcome.REPLAYED)
    target = _target(fields.get("custom", ""))
    try:
        amount = Decimal(fields.get("mc_gross", ""))
    except InvalidOperation:
        return _outcome(note, PayPalNotification.Outcome.IGNORED)
    if target is None or not amount.is_finite() or amount <= 0:
        return _outcome(note, PayPalNotification.Outcome.IGNORED)
    customer, invoice = target
    try:
        with transaction.atomic():
            payment = payment_record(
                customer=customer,
                channel=PaymentChannel.PAYPAL,
                amount=amount,
                received_on=today,
                reference=fields.get("payer_email", "")[:100],
                external_id=f"paypal:{note.txn_id}",
                invoices=[invoice] if invoice is not None and invoice.status in UNPAID_STATUSES else None,
                by=None,
                now=now,
                today=today,
            )
    except ApplicationError:  # the same transaction credited meanwhile (unique id)
        return _outcome(note, PayPalNotification.Outcome.REPLAYED)
    except IntegrityError:
        return _outcome(note, PayPalNotification.Outcome.REPLAYED)
    return _outcome(note, PayPalNotification.Outcome.CREDITED, payment)


def _target(custom: str) -> tuple[Customer, Invoice | None] | None:
    """`invoice:<id>` or `topup:<customer id>`, as the portal's links put it."""
    kind, _sep, ident = custom.partition(":")
    if not ident.isdigit():
        return None
    if kind == "invoice":
        invoice = Invoice.objects.select_related("customer").filter(pk=int(ident)).first()
        return (invoice.customer, invoice) if invoice is not None else None
    if kind == "topup":
        customer = Customer.objects.filter(pk=int(ident)).first()
        return (customer, None) if customer is not None else None
    return None
