"""The dispatcher of periodic work: the one task that knows the tenants, so that the apps below
them (jobs) do not. The beat sends it from the public schema; it queues the named task once in
each active tenant's schema."""

import importlib

from celery import shared_task
from django_tenants.utils import tenant_context

from tenants.platform.selectors import tenant_list_active


@shared_task(name="tenants.tasks.dispatch_to_tenants")
def dispatch_to_tenants(task_name: str, *args: object) -> int:
    """Queue `task_name` once in the schema of every active tenant; return how many."""
    from celery import current_app

    # The task's module may not be imported yet in this process (autodiscovery is lazy).
    importlib.import_module(task_name.rsplit(".", 1)[0])
    task = current_app.tasks[task_name]
    count = 0
    for tenant in tenant_list_active():
        with tenant_context(tenant):
            task.delay(*args)
        count += 1
    return count
