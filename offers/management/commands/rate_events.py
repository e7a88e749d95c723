"""Rate a file of events (RatedCDRs columns) with a tenant's table; print one JSON line per event."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from offers.models import Offer, RateTable
from offers.parsing import FeedFileError
from offers.selectors import RateFileTotals, rating_rate_events
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Rate a CSV of events in the RatedCDRs columns; print one JSON object per event, then a summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--tenant", required=True, help="the tenant's schema name")
        parser.add_argument("--table", required=True, help="the rate table's code")
        parser.add_argument(
            "--offer", help="an offer's code: its allowances are consumed per line, in time order"
        )
        parser.add_argument(
            "--no-roam-like-at-home",
            action="store_true",
            help="rate EU/EEA roaming from the EU origin zone instead of HOME",
        )
        parser.add_argument(
            "--country-zone",
            action="append",
            default=[],
            metavar="CC=ZONE",
            help="the tenant's country map, e.g. --country-zone US=WORLD1 (repeat; replaces the default map)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(schema_name=options["tenant"]).exclude(schema_name="public").first()
        if tenant is None:
            raise CommandError(f"unknown tenant {options['tenant']!r}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        country_zones = None
        if options["country_zone"]:
            try:
                country_zones = {
                    cc.strip().upper(): zone.strip().upper()
                    for cc, zone in (item.split("=", 1) for item in options["country_zone"])
                }
            except ValueError:
                raise CommandError("--country-zone takes CC=ZONE, e.g. US=WORLD1") from None
        with tenant_context(tenant):
            table = RateTable.objects.filter(code=options["table"]).first()
            if table is None:
                raise CommandError(f"no rate table {options['table']!r} in {tenant.schema_name}")
            offer = None
            if options.get("offer"):
                offer = Offer.objects.filter(code=options["offer"]).first()
                if offer is None:
                    raise CommandError(f"no offer {options['offer']!r} in {tenant.schema_name}")
            totals = RateFileTotals()
            try:
                # Streamed: each result is written as it is rated (the file is checked whole first).
                for result in rating_rate_events(
                    source=path,
                    filename=path.name,
                    table=table,
                    offer=offer,
                    roam_like_at_home=not options["no_roam_like_at_home"],
                    country_zones=country_zones,
                    totals=totals,
                ):
                    self.stdout.write(json.dumps(result, ensure_ascii=False))
            except FeedFileError as exc:  # a file the parser refuses whole
                raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps({"summary": totals.as_dict()}, ensure_ascii=False))
