"""Import the operator's wholesale tables waiting in a VNO's feed (`Tables tarifaires/`)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import ApplicationError
from offers.services import wholesale_tables_fetch
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Import every file of the tenant's feed folder 'Tables tarifaires/' not imported yet into its "
        "wholesale table (all or nothing per file); prints one line per imported file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant's schema name")
        parser.add_argument("--code", default="WHOLESALE", help="the wholesale table's code")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(schema_name=options["tenant"]).exclude(schema_name="public").first()
        if tenant is None:
            raise CommandError(f"unknown tenant {options['tenant']!r}")
        with tenant_context(tenant):
            try:
                uploads = wholesale_tables_fetch(
                    tenant=tenant, by=None, today=timezone.localdate(), code=options["code"]
                )
            except ApplicationError as exc:
                detail = "".join(
                    f"\n  line {e['line'] or '-'}, {e['column'] or '-'}: {e['reason']}"
                    for e in exc.extra.get("errors", [])
                )
                raise CommandError(f"{exc.message}{detail}") from exc
        for upload in uploads:
            self.stdout.write(f"{upload.filename}: {upload.row_count} rows")
        self.stdout.write(f"{len(uploads)} file(s) imported into {options['code']}")
