"""The workers' heartbeat. Periodic work reaches every tenant through the dispatcher in
tenants/tasks.py (jobs sits below tenants and does not know them)."""

import socket

from celery import shared_task
from django.utils import timezone

from core.tenancy import current_schema
from jobs.services import heartbeat_record


@shared_task(name="jobs.tasks.tenant_heartbeat")
def tenant_heartbeat() -> str:
    """Record, in the schema the task runs in, that a worker is alive there."""
    heartbeat_record(worker=socket.gethostname(), now=timezone.now())
    return current_schema()
