"""Worker tasks of the catalogue: large rate-file uploads (a job with its progress). The operator's
wholesale tables are taken from the feed by the feed poller (cdr_import), which calls
`offers.services.wholesale_table_import`."""

import datetime as dt
from typing import Any

from celery import shared_task
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from core.errors import ApplicationError
from jobs.models import Job
from jobs.services import job_fail, job_finish, job_progress, job_start
from offers.models import RateTable
from offers.services import rate_table_import, rate_table_import_queue


@shared_task(name="offers.tasks.rate_table_import_run")
def rate_table_import_run(
    job_id: int, table_id: int, stored_name: str, filename: str, by_id: int | None, today: str
) -> int:
    """Apply a stored rate file to its table (all or nothing), following the job's progress. A
    refused file ends the job as failed, with its faults (the first ones, their total and the
    link to the whole list) in the job's result; the stored file is then removed."""
    if not job_start(job_id=job_id, now=timezone.now()):
        return 0
    table = RateTable.objects.get(pk=table_id)
    by = User.objects.filter(pk=by_id).first() if by_id else None
    table_url = reverse("offers:table_detail", args=[table.pk])
    try:
        with default_storage.open(stored_name, "rb") as handle:
            upload = rate_table_import(
                table=table,
                data=handle,
                filename=filename,
                stored_name=stored_name,
                by=by,
                today=dt.date.fromisoformat(today),
                progress=lambda percent, message: job_progress(
                    job_id=job_id, done=percent, total=100, message=message
                ),
            )
    except ApplicationError as exc:
        default_storage.delete(stored_name)
        token = exc.extra.get("errors_token", "")
        result: dict[str, Any] = {
            "file": filename,
            "errors": exc.extra.get("errors", []),
            "error_count": exc.extra.get("error_count", 0),
            "next_url": table_url,
        }
        if token:
            result["errors_url"] = reverse("offers:upload_errors", args=[table.pk, token])
        job_fail(job_id=job_id, message=exc.message, now=timezone.now(), result=result)
        return 0
    except Exception:  # the job page must say it failed; the worker logs the trace
        default_storage.delete(stored_name)
        job_fail(job_id=job_id, message=_("The file could not be read."), now=timezone.now())
        raise
    job_finish(
        job_id=job_id,
        message=_("%(count)s rows applied from %(file)s.") % {"count": upload.row_count, "file": filename},
        result={
            "file": filename,
            "rows": upload.row_count,
            "upload": upload.pk,
            "notes": list(getattr(upload, "notes", [])),
            "next_url": table_url,
        },
        now=timezone.now(),
    )
    return upload.row_count


def rate_table_import_start(
    *,
    table: RateTable,
    upload: Any,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> Job:
    """Store a large rate file, create its job and queue it on the worker once the request commits."""
    job, stored = rate_table_import_queue(table=table, upload=upload, by=by, now=now, context=context)
    filename = (upload.name or "rates.csv")[:255]
    by_id = by.pk if by is not None else None
    today = timezone.localdate(now).isoformat()
    transaction.on_commit(
        lambda: rate_table_import_run.delay(job.pk, table.pk, stored, filename, by_id, today)
    )
    return job
