"""`manage.py billing_run --tenant SCHEMA --period YYYY-MM [--finalize]`: one JSON line.

Starts the period's run (or takes up the live one: a crashed run resumes, it is never doubled),
settles the usage and builds the drafts in this process, and with `--finalize` numbers and issues
them. Prints {"run_id", "status", "invoices", "total_excl_vat", "total_vat", "total_incl_vat",
"first_number", "last_number"}.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import BillingRun, RunStatus
from billing.selectors import run_summary
from billing.services import billing_run_execute, billing_run_finalize, billing_run_start
from core.errors import ApplicationError
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Run the billing of a month for a tenant (drafts; --finalize to number and issue); one JSON line."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant's schema")
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--finalize", action="store_true", help="number and issue the drafts")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(schema_name=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"no tenant {options['tenant']}")
        now = timezone.now()
        today = timezone.localdate(now)
        with schema_context(tenant.schema_name):
            try:
                run = (
                    BillingRun.objects.exclude(status=RunStatus.CANCELLED)
                    .filter(period=options["period"])
                    .first()
                )
                if run is None:
                    run = billing_run_start(
                        period=options["period"], by=None, now=now, today=today, tenant=tenant
                    )
                if run.status in (RunStatus.QUEUED, RunStatus.SETTLING, RunStatus.BUILDING):
                    done = billing_run_execute(run_id=run.pk, now=now, today=today)
                    if done is None:
                        raise CommandError(f"run {run.pk} is being executed by another process")
                    run = done
                if options["finalize"] and run.status in (RunStatus.DRAFT, RunStatus.FINALIZING):
                    run = billing_run_finalize(run=run, tenant=tenant, by=None, now=now, today=today)
            except ApplicationError as exc:
                raise CommandError(str(exc)) from exc
            run.refresh_from_db()
            self.stdout.write(json.dumps(run_summary(run)))
