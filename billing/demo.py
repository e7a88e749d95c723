"""Demo billing: the month before the demo's date is billed and finalized for each demo tenant
(issued invoices with numbers). Idempotent: a tenant that has a run is left as it is."""

import datetime as dt
from typing import Any

from django.utils import timezone

from billing.models import BillingRun
from billing.services import billing_run_execute, billing_run_finalize, billing_run_start


def seed_tenant(tenant: Any, *, now: dt.datetime | None = None) -> None:
    """Bill and finalize the previous month (usage settled, drafts built, numbered, issued)."""
    now = now or timezone.now()
    if BillingRun.objects.exists():
        return
    today = timezone.localdate(now)
    previous = today.replace(day=1) - dt.timedelta(days=1)
    run = billing_run_start(period=f"{previous:%Y-%m}", by=None, now=now, today=today, tenant=tenant)
    done = billing_run_execute(run_id=run.pk, now=now, today=today)
    if done is not None and done.invoices_count:
        billing_run_finalize(run=done, tenant=tenant, by=None, now=now, today=today)
