"""Worker tasks of the billing app (run in the schema of the tenant that queued them), and the
entry points that start a run's work on a worker once the request commits."""

import datetime as dt
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from billing.issuing import (
    billing_run_finalize,
    billing_run_finalize_check,
    run_pdfs_job_create,
    run_pdfs_render,
)
from billing.models import BillingRun, Invoice, InvoiceStatus, RunStatus
from billing.services import billing_run_execute, billing_run_redo, billing_run_start
from core.errors import ApplicationError
from jobs.models import Job
from jobs.services import job_fail
from tenants.models import Tenant


@shared_task(name="billing.tasks.billing_run_execute_task", acks_late=True, reject_on_worker_lost=True)
def billing_run_execute_task(run_id: int) -> str:
    """Settle and build the drafts of a run; a repeated or concurrent task does nothing twice."""
    now = timezone.now()
    run = billing_run_execute(run_id=run_id, now=now, today=timezone.localdate(now))
    return run.status if run is not None else "busy"


def _queue(run: BillingRun) -> BillingRun:
    run_id = run.pk
    transaction.on_commit(lambda: billing_run_execute_task.delay(run_id))
    return run


def billing_run_begin(**kwargs: Any) -> BillingRun:
    """Start a run (`services.billing_run_start`) and queue its work."""
    return _queue(billing_run_start(**kwargs))


def billing_run_redo_begin(**kwargs: Any) -> BillingRun:
    """Redo a run (`services.billing_run_redo`) and queue its work."""
    return _queue(billing_run_redo(**kwargs))


@shared_task(
    name="billing.tasks.billing_run_finalize_task", bind=True, acks_late=True, reject_on_worker_lost=True
)
def billing_run_finalize_task(self: Any, run_id: int, job_id: int, by_id: int | None, now: str) -> str:
    """Number and issue a run's drafts, then render their PDFs with `BILLING_PDF_WORKERS - 1`
    helper tasks (on the same queue) rendering beside it. Repeated after a worker died, it goes on
    from where it stopped: no number is skipped or given twice, no PDF made twice."""
    at = dt.datetime.fromisoformat(now)
    tenant: Tenant = connection.tenant  # type: ignore[attr-defined]  # set by the tenant-aware task
    run = BillingRun.objects.get(pk=run_id)
    by = User.objects.filter(pk=by_id).first() if by_id else None
    if run.status != RunStatus.FINALIZED:
        try:
            run = billing_run_finalize(
                run=run, tenant=tenant, by=by, now=at, today=timezone.localdate(at), job_id=job_id
            )
        except Exception as exc:  # the job page must say it failed; the worker logs the trace
            job_fail(job_id=job_id, message=str(exc), now=timezone.now())
            raise
    queue = (self.request.delivery_info or {}).get("routing_key")  # the queue this task came from
    routing = {"queue": queue} if queue else {}
    for _helper in range(max(0, settings.BILLING_PDF_WORKERS - 1)):
        billing_run_pdfs_task.apply_async(args=(run.pk, job_id), **routing)
    return str(run_pdfs_render(run_id=run.pk, job_id=job_id, tenant=tenant, now=timezone.now()))


@shared_task(name="billing.tasks.billing_run_pdfs_task", acks_late=True, reject_on_worker_lost=True)
def billing_run_pdfs_task(run_id: int, job_id: int) -> str:
    """Render, beside the finalization's task, the PDFs of a finalized run that no other worker
    holds; nothing to do once they are all rendered."""
    tenant: Tenant = connection.tenant  # type: ignore[attr-defined]  # set by the tenant-aware task
    return str(run_pdfs_render(run_id=run_id, job_id=job_id, tenant=tenant, now=timezone.now()))


def billing_run_finalize_start(
    *,
    run: BillingRun,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> Job:
    """Queue the finalization of a run (numbers, issuing, PDFs) as a job, once the request commits."""
    with transaction.atomic():
        locked = BillingRun.objects.select_for_update().get(pk=run.pk)
        billing_run_finalize_check(run=locked)
        if (
            locked.status == RunStatus.FINALIZING
            and locked.job
            and locked.job.status in ("queued", "running")
        ):
            raise ApplicationError(_("This run is being finalized."))
        job = run_pdfs_job_create(run=locked, by=by, finalize=True)
        audit_record(actor=by, action="billing_run.finalize_requested", obj=locked, context=context)
    by_id = by.pk if by is not None and by.is_authenticated else None
    transaction.on_commit(lambda: billing_run_finalize_task.delay(locked.pk, job.pk, by_id, now.isoformat()))
    return job


def run_pdfs_resume(
    *, run: BillingRun, by: User | None, now: dt.datetime, context: AuditContext | None = None
) -> Job:
    """Render the PDFs a finalized run still lacks (after a worker died, say), as a new job."""
    if run.status != RunStatus.FINALIZED:
        raise ApplicationError(_("Only a finalized run has invoices to render."))
    missing = Invoice.objects.filter(run=run, pdf="").exclude(status=InvoiceStatus.DRAFT).count()
    job = run_pdfs_job_create(run=run, by=by, finalize=False)
    audit_record(
        actor=by, action="billing_run.pdfs_resumed", obj=run, changes={"missing": missing}, context=context
    )
    by_id = by.pk if by is not None and by.is_authenticated else None
    transaction.on_commit(lambda: billing_run_finalize_task.delay(run.pk, job.pk, by_id, now.isoformat()))
    return job


# --- delivery and collection ------------------------------------------------------------------


@shared_task(
    name="billing.tasks.invoice_mailing_send",
    bind=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
)
def invoice_mailing_send(self: Any, mailing_id: int) -> dict[str, int]:
    """Send a mailing's queued e-mails. Retried (later) while some wait after an SMTP failure; a
    retried or restarted task never sends an e-mail twice (see `services_mail`)."""
    from django.db import connection

    from billing.models import EmailStatus
    from billing.services_mail import mailing_execute

    counts = mailing_execute(
        mailing_id=mailing_id,
        tenant=connection.tenant,  # type: ignore[attr-defined]
        now=timezone.now,
        today=timezone.localdate(),
    )
    if counts.get(EmailStatus.QUEUED) and self.request.retries < self.max_retries:
        raise self.retry(countdown=60 * (self.request.retries + 1))
    return counts


def invoice_mailing_begin(**kwargs: Any) -> Any:
    """Create a mailing (`services_mail.mailing_create`) and queue its sending after the commit."""
    from billing.services_mail import mailing_create

    mailing = mailing_create(**kwargs)
    mailing_id = mailing.pk
    transaction.on_commit(lambda: invoice_mailing_send.delay(mailing_id))
    return mailing


@shared_task(name="billing.tasks.sepa_batch_generate_task", acks_late=True, reject_on_worker_lost=True)
def sepa_batch_generate_task(job_id: int, run_id: int | None, by_id: int | None) -> int:
    """Generate the SEPA file of a run (or of every SEPA invoice to collect) in the background."""
    from django.db import connection

    from accounts.models import User
    from billing.services_sepa import sepa_batch_generate
    from core.errors import ApplicationError
    from jobs.models import Job, JobStatus
    from jobs.services import job_fail, job_finish

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
        return 0
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now())
    run = BillingRun.objects.filter(pk=run_id).first() if run_id else None
    by = User.objects.filter(pk=by_id).first() if by_id else None
    now = timezone.now()
    try:
        batch = sepa_batch_generate(
            tenant=connection.tenant,  # type: ignore[attr-defined]
            run=run,
            by=by,
            now=now,
            today=timezone.localdate(now),
        )
    except ApplicationError as exc:
        job_fail(job_id=job_id, message=exc.message, now=timezone.now())
        return 0
    if batch.job_id is None:
        from billing.models import SepaBatch

        SepaBatch.objects.filter(pk=batch.pk).update(job_id=job_id)
    job_finish(job_id=job_id, now=timezone.now(), message=batch.message_id, result={"batch": batch.pk})
    return batch.pk


def sepa_batch_begin(*, run: BillingRun | None, by: Any, label: str) -> Any:
    """Queue the generation of a SEPA file; returns its job."""
    from jobs.services import job_create

    job = job_create(kind="billing.sepa", label=label, by=by)
    job_id, run_id, by_id = job.pk, run.pk if run else None, by.pk if by is not None else None
    transaction.on_commit(lambda: sepa_batch_generate_task.delay(job_id, run_id, by_id))
    return job


@shared_task(name="billing.tasks.billing_daily")
def billing_daily() -> dict[str, int]:
    """Each day in each tenant: overdue invoices marked, reminders due sent, old mandates expired."""
    from django.db import connection

    from billing.services_mail import email_deliver, reminders_queue
    from billing.services_payments import invoices_restate
    from billing.services_sepa import mandates_expire

    now = timezone.now()
    today = timezone.localdate(now)
    overdue = invoices_restate(today=today, now=now)
    expired = mandates_expire(today=today, now=now)
    sent = 0
    for email_id in reminders_queue(now=now, today=today):
        sent += (
            email_deliver(
                email_id=email_id,
                tenant=connection.tenant,  # type: ignore[attr-defined]
                now=timezone.now(),
                today=today,
            )
            == "sent"
        )
    return {"overdue": overdue, "reminders": sent, "mandates_expired": len(expired)}
