"""Import an operator snapshot (AccountStatus or Account_VGA) into a tenant; prints the counts as JSON."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import ApplicationError
from provisioning.services.snapshots import SnapshotKind, snapshot_import
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Import an AccountStatus or Account_VGA snapshot into a tenant and print the counts as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant's schema name, e.g. acme")
        parser.add_argument(
            "--kind", choices=SnapshotKind.ALL, default="", help="default: from the file name"
        )
        parser.add_argument("file", help="the snapshot file")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(schema_name=options["tenant"]).exclude(schema_name="public").first()
        if tenant is None:
            raise CommandError(f"unknown tenant {options['tenant']}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        with tenant_context(tenant):
            try:
                result = snapshot_import(source=path, kind=options["kind"], by=None, now=timezone.now())
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
