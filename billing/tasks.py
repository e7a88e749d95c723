"""Worker tasks of the billing app (run in the schema of the tenant that queued them)."""

from celery import shared_task
from django.utils import timezone

from billing.services import billing_run_execute


@shared_task(name="billing.tasks.billing_run_execute_task")
def billing_run_execute_task(run_id: int) -> str:
    """Settle and build the drafts of a run; a repeated or concurrent task does nothing twice."""
    now = timezone.now()
    run = billing_run_execute(run_id=run_id, now=now, today=timezone.localdate(now))
    return run.status if run is not None else "busy"
