from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from jobs.models import Heartbeat, Job


def job_list_recent(*, limit: int = 10) -> QuerySet[Job]:
    return Job.objects.select_related("created_by")[:limit]


def heartbeat_latest() -> Heartbeat | None:
    return Heartbeat.objects.filter(pk=1).first()


def worker_is_alive(*, within: timedelta = timedelta(minutes=3)) -> bool:
    beat = heartbeat_latest()
    return beat is not None and beat.beat_at >= timezone.now() - within
