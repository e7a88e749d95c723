"""Worker tasks of the billing app (run in the schema of the tenant that queued them), and the
entry points that start a run's work on a worker once the request commits."""

import datetime as dt
from typing import Any

from celery import shared_task
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


@shared_task(name="billing.tasks.billing_run_execute_task")
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


@shared_task(name="billing.tasks.billing_run_finalize_task")
def billing_run_finalize_task(run_id: int, job_id: int, by_id: int | None, now: str) -> str:
    """Number and issue a run's drafts, then render their PDFs. Repeated after a worker died, it
    goes on from where it stopped: no number is skipped or given twice, no PDF made twice."""
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
    rendered = run_pdfs_render(run_id=run.pk, job_id=job_id, tenant=tenant, now=timezone.now())
    return "busy" if rendered is None else str(rendered)


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
