"""`manage.py import_feed --tenant SCHEMA [--type TYPE] [--customer NUMBER] FILE…`: one JSON line per file."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from cdr_import.models import FeedType, ImportSource
from cdr_import.services import import_file
from customers.models import Customer


class Command(BaseCommand):
    help = (
        "Import operator feed files (RatedCDRs, BilledCDRs, …) into a tenant; prints one JSON line per file."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant's schema")
        parser.add_argument("--type", choices=FeedType.values, help="the feed type (default: from the name)")
        parser.add_argument("--customer", help="the customer number, for a customer's own file")
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        with schema_context(options["tenant"]):
            customer = None
            if options["customer"]:
                customer = Customer.objects.filter(number=options["customer"]).first()
                if customer is None:
                    raise CommandError(f"no customer {options['customer']}")
            for path in options["files"]:
                if not path.is_file():
                    raise CommandError(f"no such file: {path}")
                done = import_file(
                    path=path,
                    feed_type=options["type"],
                    customer=customer,
                    source=ImportSource.COMMAND,
                    by=None,
                    now=timezone.now(),
                )
                line = {
                    "file": str(path),
                    "import_id": done.pk,
                    "status": done.status,
                    "rows": done.rows,
                    "imported": done.imported,
                    "known": done.known,
                    "corrected": done.corrected,
                    "rejected": done.rejected,
                    "unrated": done.unrated,
                    "unknown_line": done.unknown_line,
                }
                self.stdout.write(json.dumps(line))
