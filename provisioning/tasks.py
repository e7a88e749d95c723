"""Worker tasks of the provisioning app: actions on many lines at once, and the periodic work of
the operator link (run in each tenant's schema by the beat's dispatcher): polling the gateway for
its answers, and flagging the actions the operator has not confirmed in time."""

import datetime as dt
from collections.abc import Sequence

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.context import AuditContext
from jobs.models import Job
from jobs.services import job_fail, job_finish, job_progress, job_start
from provisioning.services.lines import line_actions_bulk, line_actions_bulk_job_create, line_actions_poll
from provisioning.services.snapshots import line_actions_flag_unconfirmed


@shared_task(name="provisioning.tasks.line_actions_bulk_run")
def line_actions_bulk_run(job_id: int, line_ids: list[int], kind: str, by_id: int | None, now: str) -> int:
    """Run a bulk line action job: create the actions in batches and hand them to the operator."""
    if not job_start(job_id=job_id, now=timezone.now()):
        return 0
    at = dt.datetime.fromisoformat(now)
    by = User.objects.filter(pk=by_id).first() if by_id else None
    try:
        reference, count = line_actions_bulk(
            line_ids=line_ids,
            kind=kind,
            by=by,
            now=at,
            today=timezone.localdate(at),
            progress=lambda done, total: job_progress(job_id=job_id, done=done, total=total),
        )
    except Exception as exc:  # the job page must say it failed; the worker logs the trace
        job_fail(job_id=job_id, message=str(exc), now=timezone.now())
        raise
    job_finish(
        job_id=job_id, message=reference, result={"batch": reference, "actions": count}, now=timezone.now()
    )
    return count


def line_actions_bulk_start(
    *,
    line_ids: Sequence[int],
    kind: str,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> Job:
    """Create the job of a bulk action and queue it on the worker once the request commits."""
    job, ids = line_actions_bulk_job_create(line_ids=line_ids, kind=kind, by=by, context=context)
    by_id = by.pk if by is not None else None
    transaction.on_commit(lambda: line_actions_bulk_run.delay(job.pk, ids, kind, by_id, now.isoformat()))
    return job


@shared_task(name="provisioning.tasks.flag_unconfirmed_actions")
def flag_unconfirmed_actions() -> int:
    """Flag the actions the operator has not confirmed within the tenant's timeout."""
    return len(line_actions_flag_unconfirmed(now=timezone.now(), by=None))


@shared_task(name="provisioning.tasks.poll_operator")
def poll_operator() -> int:
    """Record the operator's answers to the sent actions (and hand over those left requested)."""
    return len(line_actions_poll(now=timezone.now()))
