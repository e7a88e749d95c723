"""The Celery app: tenant-aware, so a task queued in a tenant's schema runs in that schema."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ism.settings")

app = CeleryApp("ism")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
