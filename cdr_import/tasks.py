"""Worker tasks of the feed import: one import run on a worker, and the taking up of imports
whose worker died (a periodic sweep in each tenant, and once when a worker starts).

A task's import is recorded (`import_receive`) before the task is queued, so a task delivered
twice (the broker redelivers an unacknowledged one) finds it finished and does nothing. An import
interrupted by a killed worker keeps its `parsing` status; its session lock died with the worker's
database session, so the sweep sees it free and queues it again: the CDR work is one transaction,
so it restarts from scratch and ends as an undisturbed run would.
"""

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.db import connections
from django.utils import timezone

from accounts.models import User
from cdr_import.models import Import
from cdr_import.selectors import imports_unfinished_free
from cdr_import.services import import_process

log = logging.getLogger(__name__)


@shared_task(name="cdr_import.tasks.import_file_task")
def import_file_task(import_id: int, by_id: int | None = None) -> str:
    """Read, rate and store a received import (again, if a worker died on it); its status."""
    feed_import = Import.objects.filter(pk=import_id).first()
    if feed_import is None:
        return "missing"
    by = User.objects.filter(pk=by_id).first() if by_id else None
    done = import_process(feed_import=feed_import, by=by, now=timezone.now())
    return str(done.status)


@shared_task(name="cdr_import.tasks.imports_sweep")
def imports_sweep(queue: str | None = None) -> int:
    """Queue again the unfinished imports of this tenant that no worker is processing."""
    found = imports_unfinished_free()
    for pk in found:
        options: dict[str, Any] = {"queue": queue} if queue else {}
        import_file_task.apply_async((pk,), **options)
    return len(found)


def imports_sweep_everywhere(*, queue: str | None) -> int:
    """The sweep in every active tenant, at once (a worker starting: the dead one's imports)."""
    from django_tenants.utils import tenant_context

    from tenants.platform.selectors import tenant_list_active

    count = 0
    for tenant in tenant_list_active():
        with tenant_context(tenant):
            count += imports_sweep(queue)
    return count


@worker_ready.connect
def _sweep_on_start(sender: Any = None, **_kwargs: Any) -> None:
    """A worker starting takes up what a dead worker left, on the queue it consumes."""
    try:
        queues = list(sender.app.amqp.queues.consume_from) if sender is not None else []
        count = imports_sweep_everywhere(queue=queues[0] if queues else None)
        if count:
            log.warning("feed imports taken up again after a worker stopped: %s", count)
    except Exception:  # a sweep failing must not stop the worker; the periodic one follows
        log.exception("the feed import sweep failed at worker start")
    finally:
        connections.close_all()  # no connection shared with forked pool processes
