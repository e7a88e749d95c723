"""Worker tasks of the reports app (run in the schema of the tenant that queued them)."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from reports.models import WhatIfRun


@shared_task(name="reports.tasks.whatif_execute_task")
def whatif_execute_task(run_id: int) -> int:
    """Rate a what-if run's CDRs and store its comparison (`reports.whatif.whatif_execute`)."""
    from reports.whatif import whatif_execute

    now = timezone.now()
    run = whatif_execute(run_id=run_id, now=now, today=timezone.localdate(now))
    return run.pk if run is not None else 0


def whatif_queue(run: WhatIfRun) -> WhatIfRun:
    """Queue the run's work on a worker once the request commits."""
    run_id = run.pk
    transaction.on_commit(lambda: whatif_execute_task.delay(run_id))
    return run
