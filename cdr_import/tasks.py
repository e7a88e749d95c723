"""Worker tasks of the cdr_import app (each runs in the schema of the tenant that queued it).

- `feed_poll_due` (every 5 minutes, through the beat's dispatcher): polls the folders whose rhythm,
  retry or recheck has come; `feed_folder_fetch`: "fetch now" of one folder;
- `import_deposit_run`, `import_reprocess_run`: a deposited file, a reprocessing;
- `import_file_task`: one received import read, rated and stored on a worker; `imports_sweep`
  (periodic, and once when a worker starts): imports whose worker died are taken up again.

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
from django.db import connections, transaction
from django.utils import timezone

from accounts.models import User
from cdr_import.models import FeedFolder, Import
from cdr_import.selectors import feed_tenant, imports_unfinished_free
from cdr_import.services import import_process
from cdr_import.services_deposits import import_reprocess, import_run
from cdr_import.services_polling import (
    feed_folder_poll,
    feed_folders_due,
    feed_folders_ensure,
    import_report_if_asked,
)
from tenants.models import FeedAccess

log = logging.getLogger(__name__)


def _user(by_id: int | None) -> User | None:
    return User.objects.filter(pk=by_id).first() if by_id else None


@shared_task(name="cdr_import.tasks.feed_poll_due")
def feed_poll_due() -> int:
    """Poll the folders that are due in this tenant's feed; returns how many files were taken."""
    tenant = feed_tenant()
    if not FeedAccess.objects.filter(tenant=tenant).exists():
        return 0
    feed_folders_ensure(kind=tenant.kind)
    now = timezone.now()
    taken = 0
    for folder in feed_folders_due(now=now):
        taken += len(feed_folder_poll(folder=folder, tenant=tenant, by=None, now=now).imports)
    return taken


@shared_task(name="cdr_import.tasks.feed_folder_fetch")
def feed_folder_fetch(folder_id: int, by_id: int | None = None) -> int:
    """Fetch now: poll one folder whatever its rhythm."""
    folder = FeedFolder.objects.filter(pk=folder_id).first()
    if folder is None:
        return 0
    result = feed_folder_poll(folder=folder, tenant=feed_tenant(), by=_user(by_id), now=timezone.now())
    return len(result.imports)


@shared_task(name="cdr_import.tasks.import_deposit_run")
def import_deposit_run(import_id: int, by_id: int | None = None) -> str:
    """Run a deposited file through the pipeline (then its report to `Retours/`, if asked)."""
    feed_import = Import.objects.filter(pk=import_id).first()
    if feed_import is None:
        return ""
    done = import_run(feed_import=feed_import, by=_user(by_id), now=timezone.now())
    import_report_if_asked(feed_import=done, now=timezone.now())
    return done.status


@shared_task(name="cdr_import.tasks.import_reprocess_run")
def import_reprocess_run(import_id: int, by_id: int | None = None, feed_type: str = "") -> str:
    feed_import = Import.objects.filter(pk=import_id).first()
    if feed_import is None:
        return ""
    done = import_reprocess(feed_import=feed_import, by=_user(by_id), now=timezone.now(), feed_type=feed_type)
    import_report_if_asked(feed_import=done, now=timezone.now())
    return done.status


def queue_after_commit(task: object, *args: object) -> None:
    """Queue a task once the current transaction commits (the worker must see the rows)."""
    transaction.on_commit(lambda: task.delay(*args))  # type: ignore[attr-defined]


@shared_task(name="cdr_import.tasks.import_file_task")
def import_file_task(import_id: int, by_id: int | None = None) -> str:
    """Read, rate and store a received import (again, if a worker died on it); its status."""
    feed_import = Import.objects.filter(pk=import_id).first()
    if feed_import is None:
        return "missing"
    done = import_process(feed_import=feed_import, by=_user(by_id), now=timezone.now())
    import_report_if_asked(feed_import=done, now=timezone.now())  # a resumed import reports too
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
