"""Worker tasks of the cdr_import app (each runs in the schema of the tenant that queued it).

- `feed_poll_due` (every 5 minutes, through the beat's dispatcher): polls the folders whose rhythm,
  retry or recheck has come;
- `feed_folder_fetch`: "fetch now" of one folder;
- `import_deposit_run`, `import_reprocess_run`: a deposited file, a reprocessing.
"""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cdr_import.models import FeedFolder, Import
from cdr_import.selectors import feed_import_settings_get, feed_tenant
from cdr_import.services_deposits import import_reprocess, import_run
from cdr_import.services_polling import (
    feed_folder_poll,
    feed_folders_due,
    feed_folders_ensure,
    import_report_put,
)
from tenants.models import FeedAccess


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
    if done.is_finished and feed_import_settings_get().report_to_retours:
        import_report_put(feed_import=done, by=None, now=timezone.now())
    return done.status


@shared_task(name="cdr_import.tasks.import_reprocess_run")
def import_reprocess_run(import_id: int, by_id: int | None = None, feed_type: str = "") -> str:
    feed_import = Import.objects.filter(pk=import_id).first()
    if feed_import is None:
        return ""
    done = import_reprocess(feed_import=feed_import, by=_user(by_id), now=timezone.now(), feed_type=feed_type)
    if feed_import_settings_get().report_to_retours:
        import_report_put(feed_import=done, by=None, now=timezone.now())
    return done.status


def queue_after_commit(task: object, *args: object) -> None:
    """Queue a task once the current transaction commits (the worker must see the rows)."""
    transaction.on_commit(lambda: task.delay(*args))  # type: ignore[attr-defined]
