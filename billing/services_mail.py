"""Invoices by e-mail: a run's invoices (a mailing, in the background) or one invoice, and the
reminders of overdue invoices.

Never twice by accident: every e-mail is an `InvoiceEmail` row (one per invoice and mailing, one
per invoice and reminder level: database constraints). A worker takes a row by a conditional
update from `queued` to `sending`, committed before the message goes out; only then does it talk
to the mail server. A task retried, or a worker killed and restarted, finds the row no longer
queued and leaves it: at most one message per row. A row left `sending` by a killed worker is
shown as interrupted (the message may or may not have left) and is only sent again by hand. An
SMTP failure (nothing sent) puts the row back to `queued` for a later attempt, up to
`MAX_ATTEMPTS`, then `failed`.
"""

import datetime as dt
import secrets
import smtplib
import time
from collections.abc import Callable

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from billing.models import (
    FINALIZED_STATUSES,
    UNPAID_STATUSES,
    BillingRun,
    EmailDelivery,
    EmailStatus,
    Invoice,
    InvoiceEmail,
    InvoiceMailing,
    InvoiceStatus,
)
from billing.selectors import billing_settings_get
from billing.services_payments import invoice_mark_sent, reminder_delays
from core.errors import ApplicationError
from core.money import format_amount
from jobs.services import job_create, job_finish, job_progress
from tenants.links import tenant_url
from tenants.models import EmailKind, Tenant
from tenants.settings.mail import email_send

MAX_ATTEMPTS = 3
SMTP_ERRORS = (smtplib.SMTPException, OSError)


def mailing_create(
    *,
    by: User | None,
    now: dt.datetime,
    run: BillingRun | None = None,
    invoice: Invoice | None = None,
    context: AuditContext | None = None,
) -> InvoiceMailing:
    """Queue the e-mails of a run's finalized invoices (or of one invoice); each invoice once per
    mailing. An invoice without a billing e-mail is recorded as failed, with why."""
    if (run is None) == (invoice is None):
        raise ApplicationError(_("Send either a run's invoices or one invoice."))
    invoices = (
        Invoice.objects.filter(run=run, status__in=FINALIZED_STATUSES)
        if run is not None
        else Invoice.objects.filter(pk=invoice.pk if invoice else 0, status__in=FINALIZED_STATUSES)
    ).exclude(status=InvoiceStatus.CANCELLED)
    rows = list(invoices.values_list("id", "customer_email").order_by("sequence", "id"))
    if not rows:
        raise ApplicationError(_("There is no finalized invoice to send."))
    with transaction.atomic():
        label = (
            _("Invoices of %(period)s by e-mail") % {"period": run.period} if run else _("Invoice by e-mail")
        )
        job = job_create(kind="billing.mailing", label=label, by=by, total=len(rows))
        mailing = InvoiceMailing.objects.create(run=run, job=job, created_by=by, created_at=now)
        InvoiceEmail.objects.bulk_create(
            [
                InvoiceEmail(
                    invoice_id=invoice_id,
                    mailing=mailing,
                    to=email or "",
                    status=EmailStatus.QUEUED if email else EmailStatus.FAILED,
                    error="" if email else _("The customer has no billing e-mail."),
                    created_at=now,
                )
                for invoice_id, email in rows
            ],
            batch_size=1000,
        )
        audit_record(
            actor=by,
            action="invoice_mailing.created",
            obj=mailing,
            changes={"run": run.period if run else "", "invoices": len(rows)},
            context=context,
        )
    return mailing


def _portal_url(tenant: Tenant, invoice: Invoice) -> str:
    try:
        return tenant_url(tenant, f"/portal/invoices/{invoice.pk}/")
    except ApplicationError:
        return ""


def _context(invoice: Invoice, tenant: Tenant, *, today: dt.date) -> dict[str, str]:
    return {
        "customer_name": invoice.customer_name,
        "invoice_number": invoice.number or "",
        "invoice_date": invoice.issue_date.strftime("%d/%m/%Y") if invoice.issue_date else "",
        "amount_ttc": format_amount(invoice.total_incl_vat, places=2),
        "amount_due": format_amount(invoice.amount_due, places=2),
        "due_date": invoice.due_date.strftime("%d/%m/%Y") if invoice.due_date else "",
        "days_late": str((today - invoice.due_date).days) if invoice.due_date else "",
        "portal_url": _portal_url(tenant, invoice),
    }


def _attachments(invoice: Invoice, delivery: str) -> list[tuple[str, bytes, str]]:
    if delivery != EmailDelivery.ATTACHMENT or not invoice.pdf:
        return []
    with invoice.pdf.open("rb") as handle:
        return [(f"{invoice.number}.pdf", handle.read(), "application/pdf")]


def message_id_make(*, email_id: int, tenant: Tenant) -> str:
    """A Message-ID naming the tenant and the e-mail, unguessable (a forged report matches nothing)."""
    domain = django_settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "ism.localhost"
    return f"<invoice-email.{tenant.schema_name}.{email_id}.{secrets.token_hex(8)}@{domain}>"


def _take(email_id: int) -> bool:
    """Take a queued e-mail for sending (committed at once): False when it is not queued any more."""
    with transaction.atomic():
        return (
            InvoiceEmail.objects.filter(pk=email_id, status=EmailStatus.QUEUED).update(
                status=EmailStatus.SENDING, attempts=F("attempts") + 1
            )
            == 1
        )


def email_deliver(*, email_id: int, tenant: Tenant, now: dt.datetime, today: dt.date) -> str:
    """Send one queued invoice e-mail or reminder (at most once); returns its status afterwards."""
    if not _take(email_id):
        return InvoiceEmail.objects.filter(pk=email_id).values_list("status", flat=True).first() or ""
    email = InvoiceEmail.objects.select_related("invoice").get(pk=email_id)
    invoice = email.invoice
    # Our own Message-ID, kept before sending: a bounce report quotes it (`services_bounces`).
    email.message_id = message_id_make(email_id=email.pk, tenant=tenant)
    InvoiceEmail.objects.filter(pk=email_id).update(message_id=email.message_id)
    delivery = billing_settings_get().email_delivery
    kind = EmailKind.PAYMENT_REMINDER if email.kind == InvoiceEmail.Kind.REMINDER else EmailKind.INVOICE
    try:
        email_send(
            kind=kind,
            to=[email.to],
            context=_context(invoice, tenant, today=today),
            tenant=tenant,
            attachments=_attachments(invoice, delivery) if kind == EmailKind.INVOICE else [],
            headers={"Message-ID": email.message_id},
        )
    except SMTP_ERRORS as exc:
        # Nothing left the server: it may be tried again, a few times.
        again = email.attempts < MAX_ATTEMPTS
        InvoiceEmail.objects.filter(pk=email_id).update(
            status=EmailStatus.QUEUED if again else EmailStatus.FAILED, error=str(exc)[:500]
        )
        return EmailStatus.QUEUED if again else EmailStatus.FAILED
    except ApplicationError as exc:
        InvoiceEmail.objects.filter(pk=email_id).update(status=EmailStatus.FAILED, error=str(exc)[:500])
        return EmailStatus.FAILED
    InvoiceEmail.objects.filter(pk=email_id).update(status=EmailStatus.SENT, sent_at=now, error="")
    if kind == EmailKind.INVOICE:
        invoice_mark_sent(invoice_id=invoice.pk, now=now, today=today)
    return EmailStatus.SENT


def mailing_execute(
    *,
    mailing_id: int,
    tenant: Tenant,
    now: Callable[[], dt.datetime],
    today: dt.date,
    rate_per_second: float | None = None,
) -> dict[str, int]:
    """Send the mailing's queued e-mails, throttled; returns the count per status. Safe to run again
    (after a retry or a crash): rows already taken are left alone."""
    mailing = InvoiceMailing.objects.get(pk=mailing_id)
    rate = rate_per_second or float(getattr(django_settings, "BILLING_MAIL_RATE", 10))
    pause = 1.0 / rate if rate > 0 else 0.0
    queued = list(
        mailing.emails.filter(status=EmailStatus.QUEUED).order_by("id").values_list("id", flat=True)
    )
    for email_id in queued:
        started = time.monotonic()
        email_deliver(email_id=email_id, tenant=tenant, now=now(), today=today)
        if mailing.job_id:
            job_progress(
                job_id=mailing.job_id,
                done=mailing.emails.exclude(status=EmailStatus.QUEUED).count(),
            )
        wait = pause - (time.monotonic() - started)
        if wait > 0:
            time.sleep(wait)
    counts = mailing_counts(mailing)
    if mailing.job_id and not counts.get(EmailStatus.QUEUED):
        job_finish(
            job_id=mailing.job_id,
            now=now(),
            message=_("%(sent)s sent, %(failed)s failed")
            % {"sent": counts.get(EmailStatus.SENT, 0), "failed": counts.get(EmailStatus.FAILED, 0)},
            result=counts,
        )
    return counts


def mailing_counts(mailing: InvoiceMailing) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in mailing.emails.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def email_mark_bounced(
    *, email: InvoiceEmail, by: User | None, reason: str = "", context: AuditContext | None = None
) -> InvoiceEmail:
    """The mail server returned the message (a bounce report): recorded on the e-mail."""
    if email.status != EmailStatus.SENT:
        raise ApplicationError(_("Only a sent e-mail can bounce."))
    email.status = EmailStatus.BOUNCED
    email.error = (reason or _("Returned by the recipient's server."))[:500]
    email.save(update_fields=["status", "error"])
    audit_record(
        actor=by, action="invoice_email.bounced", obj=email.invoice, changes={"to": email.to}, context=context
    )
    return email


def email_requeue(
    *, email: InvoiceEmail, by: User | None, context: AuditContext | None = None
) -> InvoiceEmail:
    """Send again, on purpose, an e-mail that failed, bounced or was interrupted."""
    if email.status not in (EmailStatus.FAILED, EmailStatus.BOUNCED, EmailStatus.SENDING):
        raise ApplicationError(_("This e-mail is not to be sent again."))
    if not email.to:
        raise ApplicationError(_("The customer has no billing e-mail."))
    email.status = EmailStatus.QUEUED
    email.attempts = 0
    email.save(update_fields=["status", "attempts"])
    audit_record(
        actor=by,
        action="invoice_email.requeued",
        obj=email.invoice,
        changes={"to": email.to},
        context=context,
    )
    return email


def reminders_queue(*, now: dt.datetime, today: dt.date, by: User | None = None) -> list[int]:
    """Queue the reminders now due: for each unpaid invoice past its due date, each delay of the
    settings reached and not yet reminded (once per invoice and level, a database constraint)."""
    delays = reminder_delays(billing_settings_get().reminder_days)
    if not delays:
        return []
    created: list[int] = []
    overdue = Invoice.objects.filter(status__in=UNPAID_STATUSES, due_date__lt=today).exclude(
        customer_email=""
    )
    for invoice in overdue.only("id", "due_date", "customer_email"):
        late = (today - invoice.due_date).days if invoice.due_date else 0
        reached = [level for level, delay in enumerate(delays, start=1) if late >= delay]
        if not reached:
            continue
        level = max(reached)  # the latest level reached; earlier ones missed are not sent late
        if InvoiceEmail.objects.filter(
            invoice=invoice, kind=InvoiceEmail.Kind.REMINDER, reminder_level__gte=level
        ).exists():
            continue
        try:
            with transaction.atomic():
                email = InvoiceEmail.objects.create(
                    invoice=invoice,
                    kind=InvoiceEmail.Kind.REMINDER,
                    reminder_level=level,
                    to=invoice.customer_email,
                    created_at=now,
                )
        except IntegrityError:
            continue
        created.append(email.pk)
    if created:
        audit_record(
            actor=by,
            action="invoice_reminders.queued",
            obj=None,
            changes={"count": len(created)},
            context=None,
        )
    return created
