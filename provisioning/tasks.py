"""Periodic work of the provisioning app, run in each tenant's schema by the beat's dispatcher."""

from celery import shared_task
from django.utils import timezone

from provisioning.services.snapshots import line_actions_flag_unconfirmed


@shared_task(name="provisioning.tasks.flag_unconfirmed_actions")
def flag_unconfirmed_actions() -> int:
    """Flag the actions the operator has not confirmed within the tenant's timeout."""
    return len(line_actions_flag_unconfirmed(now=timezone.now(), by=None))
