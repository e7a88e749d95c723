"""Invoices by e-mail: each e-mail at most once (a task retried after the send sends nothing more),
SMTP failures tried again then failed, invoices without an address reported, bounces recorded."""

import datetime as dt
import smtplib

import pytest

from billing import services_mail
from billing.models import BillingRun, EmailStatus, InvoiceEmail, InvoiceStatus
from billing.services_mail import email_mark_bounced, email_requeue, mailing_create, mailing_execute
from billing.tasks import invoice_mailing_begin
from core.errors import ApplicationError
from tests.billing.conftest import customer
from tests.billing.issued import NOW, issued_invoice
from tests.conftest import in_schema

TODAY = dt.date(2027, 2, 2)


def _run_with_invoices(n=3, *, emails=None):
    run = BillingRun.objects.create(
        period="2027-01", period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 1, 31),
        status="finalized", created_at=NOW,
    )  # fmt: skip
    invoices = []
    for i in range(n):
        email = emails[i] if emails else f"client{i}@example.com"
        invoices.append(issued_invoice(customer(f"C{i}"), number=f"FA-{i + 1}", email=email, run=run))
    return run, invoices


def _execute(tenant, mailing):
    return mailing_execute(
        mailing_id=mailing.pk, tenant=tenant, now=lambda: NOW, today=TODAY, rate_per_second=1000
    )


def test_a_runs_invoices_are_sent_once_each_even_when_the_task_runs_again(
    acme, mailoutbox, django_capture_on_commit_callbacks
):
    with in_schema(acme):
        run, invoices = _run_with_invoices(3, emails=["a@example.com", "", "c@example.com"])
        with django_capture_on_commit_callbacks(execute=True):  # the task runs in process
            mailing = invoice_mailing_begin(run=run, by=None, now=NOW)
        assert len(mailoutbox) == 2
        counts = _execute(acme, mailing)  # a retried task: nothing more
        assert counts == {EmailStatus.SENT: 2, EmailStatus.FAILED: 1}
        assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "c@example.com"]
        invoices[0].refresh_from_db()
        invoices[1].refresh_from_db()
        assert invoices[0].status == InvoiceStatus.SENT and invoices[0].sent_at is not None
        assert invoices[1].status == InvoiceStatus.ISSUED
        failed = InvoiceEmail.objects.get(invoice=invoices[1])
        assert failed.error == "The customer has no billing e-mail."
        message = mailoutbox[0]
        assert "FA-1" in message.subject and "24,00" in message.body
        mailing.job.refresh_from_db()
        assert mailing.job.status == "done" and mailing.job.progress_done == 3


def test_a_task_that_dies_after_the_send_does_not_send_again_when_retried(acme, mailoutbox, monkeypatch):
    with in_schema(acme):
        run, _invoices = _run_with_invoices(2)
        mailing = mailing_create(run=run, by=None, now=NOW)
        real = services_mail.email_send
        calls = {"n": 0}

        def crash_once(**kwargs):
            sent = real(**kwargs)
            calls["n"] += 1
            if calls["n"] == 1:
                raise RuntimeError("worker lost after the first message left")
            return sent

        monkeypatch.setattr(services_mail, "email_send", crash_once)
        with pytest.raises(RuntimeError):
            _execute(acme, mailing)
        assert len(mailoutbox) == 1
        counts = _execute(acme, mailing)  # the retry
        assert len(mailoutbox) == 2 and sorted(m.to[0] for m in mailoutbox) == [
            "client0@example.com", "client1@example.com",
        ]  # fmt: skip
        # The first row was taken before the crash: shown as interrupted, never sent again on its own.
        assert counts == {EmailStatus.SENDING: 1, EmailStatus.SENT: 1}
        interrupted = InvoiceEmail.objects.get(status=EmailStatus.SENDING)
        _execute(acme, mailing)
        assert len(mailoutbox) == 2
        email_requeue(email=interrupted, by=None)
        _execute(acme, mailing)
        assert len(mailoutbox) == 3  # sent again only on purpose


def test_smtp_failures_are_tried_again_then_failed(acme, mailoutbox, monkeypatch):
    with in_schema(acme):
        run, _invoices = _run_with_invoices(1)
        mailing = mailing_create(run=run, by=None, now=NOW)
        real = services_mail.email_send
        failures = {"left": 1}

        def flaky(**kwargs):
            if failures["left"]:
                failures["left"] -= 1
                raise smtplib.SMTPServerDisconnected("connection lost")
            return real(**kwargs)

        monkeypatch.setattr(services_mail, "email_send", flaky)
        assert _execute(acme, mailing) == {EmailStatus.QUEUED: 1}
        assert _execute(acme, mailing) == {EmailStatus.SENT: 1} and len(mailoutbox) == 1
        email = InvoiceEmail.objects.get()
        assert email.attempts == 2
        email_mark_bounced(email=email, by=None, reason="550 mailbox unknown")
        assert InvoiceEmail.objects.get().status == EmailStatus.BOUNCED

        failures["left"] = 10
        single = mailing_create(invoice=_invoices[0], by=None, now=NOW)
        for _attempt in range(3):
            _execute(acme, single)
        assert (
            single.emails.get().status == EmailStatus.FAILED
            and "connection lost" in single.emails.get().error
        )


def test_nothing_to_send_is_refused(acme):
    with in_schema(acme):
        run = BillingRun.objects.create(
            period="2027-01", period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 1, 31),
            status="draft", created_at=NOW,
        )  # fmt: skip
        with pytest.raises(ApplicationError):
            mailing_create(run=run, by=None, now=NOW)
