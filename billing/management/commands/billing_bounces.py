"""`manage.py billing_bounces --tenant SCHEMA --maildir PATH`: read the bounce reports waiting in
a Maildir folder (the mailbox the tenant's bounces are delivered to, e.g. by the mail server's
local delivery), mark the invoice e-mails they name as bounced, move each read message to `cur/`.
Run it from cron (or a beat entry) as often as wanted; prints one JSON line of counts."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from billing.services_bounces import maildir_bounces_read
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Read the bounce reports of a Maildir folder and mark the invoice e-mails they name."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant's schema")
        parser.add_argument("--maildir", required=True, help="the Maildir folder (with new/ and cur/)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(schema_name=options["tenant"]).first()
        if tenant is None or tenant.schema_name == "public":
            raise CommandError(f"no tenant {options['tenant']}")
        folder = Path(options["maildir"])
        if not folder.is_dir():
            raise CommandError(f"no folder {folder}")
        with schema_context(tenant.schema_name):
            result = maildir_bounces_read(folder=folder)
        self.stdout.write(json.dumps(result.counts()))
