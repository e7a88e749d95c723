"""Collection: payments received (transfer, cheque, card, cash, SEPA, PayPal) allocated to
invoices, the invoice states that follow (issued, sent, partially paid, paid, overdue), rejected
payments, and the overdue invoices' reminders.

A payment is a `Payment` row and an entry of the customer's ledger (one balance, one history);
its allocations raise the invoices' `amount_paid`. A rejected payment is reversed in the ledger,
its allocations are taken back (the invoice is unpaid again) and an optional fee is charged.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from billing.chain import PaymentRejection, chain_append, chain_head_lock
from billing.models import (
    FINALIZED_STATUSES,
    UNPAID_STATUSES,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentChannel,
    PaymentStatus,
)
from core.errors import ApplicationError, Problems
from core.money import ZERO, quantize_price, vat_amount
from customers.models import Customer, EntryKind, PaymentMethod
from customers.services import ledger_entry_add

# Channels a member of staff records by hand (SEPA and PayPal come from their own flows).
STANDARD_VAT = Decimal("20")
MANUAL_CHANNELS = (PaymentChannel.TRANSFER, PaymentChannel.CHEQUE, PaymentChannel.CARD, PaymentChannel.CASH)


def invoice_state(invoice: Invoice, *, today: dt.date) -> str:
    """The state an issued invoice is in, from what was paid, its due date and whether it was sent."""
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED):
        return invoice.status
    if invoice.amount_paid >= invoice.total_incl_vat:
        return InvoiceStatus.PAID
    if invoice.due_date is not None and invoice.due_date < today:
        return InvoiceStatus.OVERDUE
    if invoice.amount_paid > ZERO:
        return InvoiceStatus.PARTIALLY_PAID
    if invoice.sent_at is not None:
        return InvoiceStatus.SENT
    return InvoiceStatus.ISSUED


def _restate(invoice: Invoice, *, today: dt.date, now: dt.datetime) -> None:
    state = invoice_state(invoice, today=today)
    invoice.status = state
    invoice.paid_at = now if state == InvoiceStatus.PAID else None
    invoice.save(update_fields=["status", "amount_paid", "paid_at"])


def _amount(value: Any, *, field: str = "amount") -> Decimal:
    if isinstance(value, float):
        raise ApplicationError(_("Amounts must be given as decimals, not floats."), field=field)
    try:
        amount = Decimal(str(value).replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("%(value)s is not an amount.") % {"value": value}, field=field) from None
    if not amount.is_finite():
        raise ApplicationError(_("%(value)s is not an amount.") % {"value": value}, field=field)
    return quantize_price(amount)


def payment_record(
    *,
    customer: Customer,
    channel: str,
    amount: Any,
    received_on: dt.date,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    reference: str = "",
    external_id: str | None = None,
    invoices: list[Invoice] | None = None,
    context: AuditContext | None = None,
) -> Payment:
    """Record money received from `customer` and allocate it: to `invoices` in that order, or to
    its unpaid invoices oldest first. What is left stays on the customer's balance (prepaid).
    A second payment with the same `external_id` (bank or PayPal transaction) is refused."""
    problems = Problems()
    value = ZERO
    with problems.check():
        value = _amount(amount)
        if value <= ZERO:
            raise ApplicationError(_("A payment must be a positive amount."), field="amount")
    if channel not in PaymentChannel.values:
        problems.add(_("Unknown value %(value)s.") % {"value": channel}, field="channel")
    if received_on > today:
        problems.add(_("The payment date cannot be in the future."), field="received_on")
    for invoice in invoices or []:
        if invoice.customer_id != customer.pk or invoice.status not in UNPAID_STATUSES:
            problems.add(
                _("Invoice %(number)s is not an unpaid invoice of this customer.") % {"number": invoice},
                field="invoices",
            )
    problems.raise_if_any()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                customer=customer,
                channel=channel,
                amount_incl_vat=value,
                received_on=received_on,
                reference=reference.strip()[:100],
                external_id=external_id or None,
                created_by=by if by is not None and by.is_authenticated else None,
                created_at=now,
            )
            payment.ledger_entry = ledger_entry_add(
                customer=customer,
                by=by,
                now=now,
                kind=EntryKind.PAYMENT,
                amount_ttc=value,
                entry_date=received_on,
                method=channel if channel in PaymentMethod.values else "",
                description=_("Payment %(channel)s %(reference)s")
                % {"channel": payment.get_channel_display(), "reference": payment.reference},
                context=context,
            )
            payment.save(update_fields=["ledger_entry"])
            chain_append(payment, head=chain_head_lock())  # the inalterability chain
            allocated = _allocate(payment, invoices=invoices, today=today, now=now)
            audit_record(
                actor=by,
                action="payment.recorded",
                obj=payment,
                changes={
                    "customer": customer.number,
                    "channel": channel,
                    "amount": str(value),
                    "allocated": {number: str(amount) for number, amount in allocated.items()},
                },
                context=context,
            )
    except IntegrityError:
        raise ApplicationError(
            _("A payment with this transaction id is already recorded."), field="external_id"
        ) from None
    return payment


def _allocate(
    payment: Payment, *, invoices: list[Invoice] | None, today: dt.date, now: dt.datetime
) -> dict[str, Decimal]:
    """Spread the payment over the invoices (locked), never beyond what each still owes."""
    if invoices:
        ids = [invoice.pk for invoice in invoices]
        locked = {i.pk: i for i in Invoice.objects.select_for_update().filter(pk__in=ids)}
        targets = [locked[pk] for pk in ids]
    else:
        targets = list(
            Invoice.objects.select_for_update()
            .filter(customer_id=payment.customer_id, status__in=UNPAID_STATUSES)
            .order_by("issue_date", "sequence", "id")
        )
    left = payment.amount_incl_vat
    allocated: dict[str, Decimal] = {}
    for invoice in targets:
        if left <= ZERO:
            break
        share = min(left, invoice.amount_due)
        if share <= ZERO:
            continue
        PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount_incl_vat=share)
        invoice.amount_paid += share
        _restate(invoice, today=today, now=now)
        allocated[str(invoice)] = share
        left -= share
    return allocated


def payment_reject(
    *,
    payment: Payment,
    code: str,
    rejected_on: dt.date,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    fee: Any = None,
    context: AuditContext | None = None,
) -> Payment:
    """A payment that did not go through (a cheque returned, a debit rejected with its ISO reason
    code): reversed in the ledger, its invoices unpaid again, an optional fee charged (excl. VAT,
    billed with the next invoice)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == PaymentStatus.REJECTED:
            raise ApplicationError(_("This payment is already rejected."))
        fee_value = _amount(fee, field="fee") if fee not in (None, "") else ZERO
        if fee_value < ZERO:
            raise ApplicationError(_("The fee cannot be negative."), field="fee")
        for allocation in payment.allocations.select_related("invoice").select_for_update(of=("self",)):
            invoice = Invoice.objects.select_for_update().get(pk=allocation.invoice_id)
            invoice.amount_paid -= allocation.amount_incl_vat
            _restate(invoice, today=today, now=now)
        was_received = payment.status == PaymentStatus.RECEIVED
        payment.status = PaymentStatus.REJECTED
        payment.reject_code = code.strip().upper()[:4]
        payment.rejected_on = rejected_on
        payment.save(update_fields=["status", "reject_code", "rejected_on"])
        chain_append(PaymentRejection(payment), head=chain_head_lock())
        if was_received and payment.ledger_entry is not None:
            ledger_entry_add(
                customer=payment.customer,
                by=by,
                now=now,
                kind=EntryKind.REVERSAL,
                amount_ttc=-payment.amount_incl_vat,
                entry_date=rejected_on,
                description=_("Payment rejected (%(code)s)") % {"code": payment.reject_code},
                reverses=payment.ledger_entry,
                context=context,
            )
        if fee_value > ZERO:
            reject_fee_charge(
                customer=payment.customer,
                fee=fee_value,
                code=payment.reject_code,
                on=rejected_on,
                by=by,
                now=now,
            )
        audit_record(
            actor=by,
            action="payment.rejected",
            obj=payment,
            changes={"code": payment.reject_code, "fee": str(fee_value)},
            context=context,
        )
    return payment


def reject_fee_charge(
    *,
    customer: Customer,
    fee: Any,
    code: str,
    on: dt.date,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> None:
    """Charge the fee of a rejected payment (excl. VAT, standard rate) on the customer's ledger:
    the next invoice bills it with the ledger's other charges."""
    value = _amount(fee, field="fee")
    if value <= ZERO:
        return
    vat = vat_amount(value, STANDARD_VAT)
    ledger_entry_add(
        customer=customer,
        by=by,
        now=now,
        kind=EntryKind.CHARGE,
        amount_ht=value,
        vat_rate=STANDARD_VAT,
        amount_vat=vat,
        amount_ttc=-(value + vat),
        entry_date=on,
        description=_("Rejected payment fee (%(code)s)") % {"code": code},
        context=context,
    )


def invoices_restate(*, today: dt.date, now: dt.datetime) -> int:
    """Mark overdue the unpaid invoices whose due date has passed (daily); returns how many."""
    changed = (
        Invoice.objects.filter(status__in=UNPAID_STATUSES, due_date__lt=today)
        .exclude(status=InvoiceStatus.OVERDUE)
        .filter(amount_paid__lt=F("total_incl_vat"))
        .update(status=InvoiceStatus.OVERDUE)
    )
    if changed:
        audit_record(
            actor=None, action="invoice.overdue_marked", obj=None, changes={"count": changed}, context=None
        )
    return changed


def invoice_mark_sent(*, invoice_id: int, now: dt.datetime, today: dt.date) -> None:
    """An invoice e-mail went out: an issued invoice becomes sent (the e-mail is its record)."""
    Invoice.objects.filter(pk=invoice_id, sent_at__isnull=True).filter(
        Q(status__in=FINALIZED_STATUSES)
    ).update(sent_at=now)
    Invoice.objects.filter(pk=invoice_id, status=InvoiceStatus.ISSUED).update(status=InvoiceStatus.SENT)


def reminder_delays(text: str) -> list[int]:
    """The reminder delays of the settings ("7,15,30"): positive whole days, increasing."""
    delays = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) <= 0:
            raise ApplicationError(
                _("“%(value)s” is not a number of days.") % {"value": part}, field="reminder_days"
            )
        delays.append(int(part))
    return sorted(set(delays))
