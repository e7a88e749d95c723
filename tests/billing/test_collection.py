"""Payments allocated to invoices, the invoice states, rejections with a fee, overdue and reminders."""

import datetime as dt
from decimal import Decimal

import pytest

from billing.models import EmailStatus, InvoiceEmail, InvoiceStatus, Payment, PaymentStatus
from billing.services_mail import email_deliver, reminders_queue
from billing.services_payments import invoices_restate, payment_record, payment_reject
from core.errors import ApplicationError
from customers.models import EntryKind, LedgerEntry
from tests.billing.conftest import customer
from tests.billing.issued import NOW, issued_invoice
from tests.conftest import in_schema

TODAY = dt.date(2027, 2, 10)


def test_a_payment_is_allocated_oldest_first_and_moves_the_states(acme):
    with in_schema(acme):
        cust = customer("C1")
        first = issued_invoice(cust, number="FA-1")  # 24.00
        second = issued_invoice(cust, number="FA-2", lines=[("subscription", "50.00", "20")])  # 60.00
        payment = payment_record(
            customer=cust, channel="cheque", amount="30,00", received_on=TODAY, by=None, now=NOW, today=TODAY
        )
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == InvoiceStatus.PAID and first.amount_paid == Decimal("24.00")
        assert second.status == InvoiceStatus.PARTIALLY_PAID and second.amount_paid == Decimal("6.00")
        assert (
            payment.ledger_entry.amount_ttc == Decimal("30.00")
            and payment.ledger_entry.kind == EntryKind.PAYMENT
        )
        # The rest of the second invoice, then more: the surplus stays on the balance.
        payment_record(
            customer=cust, channel="transfer", amount="100", received_on=TODAY, by=None, now=NOW, today=TODAY
        )
        second.refresh_from_db()
        assert second.status == InvoiceStatus.PAID and second.amount_due == Decimal("0.00")


def test_payment_refusals_are_all_said_at_once(acme):
    with in_schema(acme):
        cust = customer("C1")
        with pytest.raises(ApplicationError) as refused:
            payment_record(
                customer=cust, channel="bitcoin", amount="-3", received_on=TODAY + dt.timedelta(days=1),
                by=None, now=NOW, today=TODAY,
            )  # fmt: skip
        fields = {field for field, _message in refused.value.field_errors}
        assert fields == {"amount", "channel", "received_on"}
        payment_record(
            customer=cust, channel="transfer", amount="10", received_on=TODAY, external_id="BANK-1",
            by=None, now=NOW, today=TODAY,
        )  # fmt: skip
        with pytest.raises(ApplicationError):
            payment_record(
                customer=cust, channel="transfer", amount="10", received_on=TODAY, external_id="BANK-1",
                by=None, now=NOW, today=TODAY,
            )  # fmt: skip
        assert Payment.objects.count() == 1


def test_a_rejected_payment_puts_the_invoice_back_to_unpaid_with_a_fee(acme):
    with in_schema(acme):
        cust = customer("C1")
        invoice = issued_invoice(cust, number="FA-1")
        payment = payment_record(
            customer=cust, channel="cheque", amount="24", received_on=TODAY, by=None, now=NOW, today=TODAY
        )
        payment_reject(
            payment=payment, code="am04", rejected_on=TODAY, fee="5,00", by=None, now=NOW, today=TODAY
        )
        invoice.refresh_from_db()
        payment.refresh_from_db()
        assert invoice.status == InvoiceStatus.ISSUED and invoice.amount_paid == Decimal("0.00")
        assert payment.status == PaymentStatus.REJECTED and payment.reject_code == "AM04"
        entries = {e.kind: e.amount_ttc for e in LedgerEntry.objects.filter(customer=cust)}
        assert entries == {
            EntryKind.PAYMENT: Decimal("24.00"),
            EntryKind.REVERSAL: Decimal("-24.00"),
            EntryKind.CHARGE: Decimal("-6.00"),  # 5.00 + 20 % VAT
        }
        with pytest.raises(ApplicationError):
            payment_reject(payment=payment, code="AM04", rejected_on=TODAY, by=None, now=NOW, today=TODAY)


def test_overdue_invoices_get_each_reminder_once(acme, mailoutbox):
    with in_schema(acme):
        cust = customer("C1")
        invoice = issued_invoice(cust, number="FA-1", due_date=dt.date(2027, 2, 1))
        paid = issued_invoice(cust, number="FA-2", due_date=dt.date(2027, 2, 1))
        payment_record(
            customer=cust, channel="card", amount="24", received_on=TODAY, invoices=[paid],
            by=None, now=NOW, today=TODAY,
        )  # fmt: skip
        assert invoices_restate(today=dt.date(2027, 2, 5), now=NOW) == 1
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.OVERDUE
        assert reminders_queue(now=NOW, today=dt.date(2027, 2, 5)) == []  # 4 days late: before the 7-day one
        first = reminders_queue(now=NOW, today=dt.date(2027, 2, 9))  # 8 days late
        assert len(first) == 1
        assert email_deliver(email_id=first[0], tenant=acme, now=NOW, today=dt.date(2027, 2, 9)) == "sent"
        assert reminders_queue(now=NOW, today=dt.date(2027, 2, 10)) == []  # the same level: once
        assert len(reminders_queue(now=NOW, today=dt.date(2027, 2, 17))) == 1  # 16 days: the second
        assert InvoiceEmail.objects.filter(kind="reminder", invoice=invoice).count() == 2
        assert not InvoiceEmail.objects.filter(invoice=paid).exists()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "FA-1" in message.subject and "24,00" in message.body and message.to == ["compta@client.example"]
    with in_schema(acme):
        assert InvoiceEmail.objects.get(pk=first[0]).status == EmailStatus.SENT
