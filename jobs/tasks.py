"""Periodic work: dispatched from the public schema to each active tenant's schema."""

import importlib
import socket

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.tenancy import current_schema
from jobs.services import heartbeat_record


@shared_task(name="jobs.tasks.dispatch_to_tenants")
def dispatch_to_tenants(task_name: str, *args: object) -> int:
    """Queue `task_name` once in the schema of every active tenant; return how many."""
    from celery import current_app

    from tenants.platform.selectors import tenant_list_active

    # The task's module may not be imported yet in this process (autodiscovery is lazy).
    importlib.import_module(task_name.rsplit(".", 1)[0])
    task = current_app.tasks[task_name]
    count = 0
    for tenant in tenant_list_active():
        with tenant_context(tenant):
            task.delay(*args)
        count += 1
    return count


@shared_task(name="jobs.tasks.tenant_heartbeat")
def tenant_heartbeat() -> str:
    """Record, in the schema the task runs in, that a worker is alive there."""
    heartbeat_record(worker=socket.gethostname(), now=timezone.now())
    return current_schema()
