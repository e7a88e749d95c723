"""Writes about jobs. A job is taken by a conditional update, so two workers never run it twice."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import F

from jobs.models import Heartbeat, Job, JobStatus

if TYPE_CHECKING:
    from accounts.models import User


def job_create(*, kind: str, label: str, by: "User | None", total: int = 0) -> Job:
    """Queue a job started by `by` (None: by the platform itself)."""
    return Job.objects.create(kind=kind, label=label[:255], created_by=by, progress_total=total)


def job_start(*, job_id: int, now: datetime) -> bool:
    """Take a queued job; False when another worker already took it (or it is finished)."""
    taken = Job.objects.filter(id=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now
    )
    return taken == 1


def job_progress(
    *,
    job_id: int,
    done: int | None = None,
    total: int | None = None,
    step: int = 0,
    message: str | None = None,
) -> None:
    fields: dict[str, Any] = {}
    if done is not None:
        fields["progress_done"] = done
    elif step:
        fields["progress_done"] = F("progress_done") + step
    if total is not None:
        fields["progress_total"] = total
    if message is not None:
        fields["message"] = message[:500]
    if fields:
        Job.objects.filter(id=job_id).update(**fields)


def job_finish(
    *, job_id: int, now: datetime, message: str = "", result: dict[str, Any] | None = None
) -> None:
    Job.objects.filter(id=job_id).update(
        status=JobStatus.DONE, finished_at=now, message=message[:500], result=result or {}
    )


def job_fail(*, job_id: int, message: str, now: datetime, result: dict[str, Any] | None = None) -> None:
    """End a job as failed; `result` may say why in detail (a refused file's faults)."""
    fields: dict[str, Any] = {"status": JobStatus.FAILED, "finished_at": now, "message": message[:500]}
    if result is not None:
        fields["result"] = result
    Job.objects.filter(id=job_id).update(**fields)


def heartbeat_record(*, worker: str, now: datetime) -> Heartbeat:
    """Record that a worker is alive in this schema."""
    beat, _created = Heartbeat.objects.update_or_create(pk=1, defaults={"worker": worker, "beat_at": now})
    return beat
