"""`manage.py billing_verify --tenant SCHEMA`: check the chain of finalized invoices, credit notes
and payments; name every record that was changed, removed or reordered behind the application's
back. Exit status 1 when the chain is broken."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from billing.chain import chain_verify
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Check the chain of finalized invoices, credit notes and payments of a tenant."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant's schema")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(schema_name=options["tenant"]).first()
        if tenant is None or tenant.schema_name == "public":
            raise CommandError(f"no tenant {options['tenant']}")
        with schema_context(tenant.schema_name):
            count, breaks = chain_verify()
        if not breaks:
            self.stdout.write(f"OK: {count} records, the chain is unbroken.")
            return
        for problem in breaks:
            self.stdout.write(f"BROKEN {problem}")
        self.stdout.write(f"{len(breaks)} break(s) in {count} records.")
        sys.exit(1)
