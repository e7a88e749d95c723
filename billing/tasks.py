"""Worker tasks of the billing app (run in the schema of the tenant that queued them), and the
entry points that start a run's work on a worker once the request commits."""

from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from billing.models import BillingRun
from billing.services import billing_run_execute, billing_run_redo, billing_run_start


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
