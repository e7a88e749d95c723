from datetime import datetime, timedelta

from django.db.models import QuerySet

from jobs.models import Heartbeat, Job


def job_list_recent(*, limit: int = 10) -> QuerySet[Job]:
    return Job.objects.select_related("created_by")[:limit]


def heartbeat_latest() -> Heartbeat | None:
    return Heartbeat.objects.filter(pk=1).first()


def worker_is_alive(
    *, now: datetime, within: timedelta = timedelta(minutes=3), beat: Heartbeat | None = None
) -> bool:
    """Whether a worker recorded a heartbeat in this schema within `within` before `now` (`beat`:
    the heartbeat already read, if the caller has it)."""
    beat = beat or heartbeat_latest()
    return beat is not None and beat.beat_at >= now - within
