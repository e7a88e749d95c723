"""`manage.py usage_rebuild --schema acme --from 2026-10-01 --to 2026-10-31`: the daily usage of a
period summed again from the stored CDRs (after a repair of the store, or once after install)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django_tenants.utils import schema_context

from reports.services import daily_usage_rebuild


class Command(BaseCommand):
    help = "Rebuild the daily usage per line of a period from the stored CDRs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True)
        parser.add_argument("--from", dest="first", required=True, type=dt.date.fromisoformat)
        parser.add_argument("--to", dest="last", required=True, type=dt.date.fromisoformat)

    def handle(self, *args: Any, **options: Any) -> None:
        with schema_context(options["schema"]):
            written = daily_usage_rebuild(first=options["first"], last=options["last"], now=timezone.now())
        self.stdout.write(f"{written} daily figures written")
