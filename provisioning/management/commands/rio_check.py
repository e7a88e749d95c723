"""Check a RIO against the number to port: prints `valid` (exit 0) or `invalid: reason` (exit 1)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from provisioning.rio import rio_check


class Command(BaseCommand):
    help = "Check a RIO (portability identifier) against its number: prints 'valid' or 'invalid: <reason>'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", help="the number to port: 06…, 07…, +33…, 0033…")
        parser.add_argument("rio", help="the 12-character RIO")

    def handle(self, *args: Any, **options: Any) -> None:
        result = rio_check(options["number"], options["rio"])
        if result.valid:
            self.stdout.write("valid")
            return
        self.stdout.write(f"invalid: {result.reason}")
        sys.exit(1)
