"""Benchmark of the draft billing run: 10,000 customers, 12,000 lines, 1,000,000 CDRs (no PDF).

    make bench   # or: .venv/bin/python scripts/bench_billing.py [--customers 10000] [--lines 12000] [--rows 1000000]

Uses its own database (`ism_bench_billing`, created and migrated if missing; DATABASE_URL
overrides) and a `bench_billing` tenant: 10,000 customers, 12,000 mobile lines (2,000 customers
have two) on two offers (one with a voice allowance, some lines with an option), a rate table, and
a month of 1,000,000 CDRs loaded through `import_feed` (not timed). Then times `billing_run`
(`manage.py billing_run --period 2026-10`, in process): the settling of the month's CDRs in time
order and the drafts of every customer. Prints the figures as one JSON line; fails over 60 s.
"""

import argparse
import datetime as dt
import io
import json
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ism.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ism_bench_billing")

from bench_import import ensure_database, generate  # noqa: E402  (scripts/ is the script's own folder)

LIMIT_SECONDS = 60


def populate(*, customers: int, lines: int) -> list[str]:
    """Customers, offers, lines (current schema); returns the lines' numbers."""
    from customers.models import Customer
    from offers.models import Allowance, Offer, Option, RateTable
    from offers.services import rate_table_import
    from provisioning.models import LineStatus, MobileLine

    table = RateTable.objects.create(code="BENCH", label="Bench")
    sample = Path(__file__).resolve().parent.parent / "tests/cdr_import/data/grille_minutes_ACME_20261001.csv"
    rate_table_import(
        table=table, data=sample.read_bytes(), filename=sample.name, by=None, today=dt.date(2026, 10, 1)
    )
    small = Offer.objects.create(
        code="B-SMALL", label="Forfait 2h", price=Decimal("9.99"), default_rate_table=table
    )
    Allowance.objects.create(
        offer=small, event_type="VOICE", zones="FR_MOBILE,FR_FIXED", quantity=120, unit="MIN"
    )
    big = Offer.objects.create(
        code="B-BIG",
        label="Forfait pro",
        price=Decimal("24.90"),
        default_rate_table=table,
        billing_timing="advance",
    )
    option = Option.objects.create(code="B-INTL", label="Option international", price=Decimal("5.00"))
    Customer.objects.bulk_create(
        Customer(number=f"B{i:06d}", company_name=f"Client {i}", payment_mode="transfer")
        for i in range(customers)
    )
    ids = list(Customer.objects.order_by("number").values_list("id", flat=True))
    numbers = [f"3375{i:07d}" for i in range(lines)]
    MobileLine.objects.bulk_create(
        MobileLine(
            msisdn=number,
            customer_id=ids[i % customers],
            offer=small if i % 3 else big,
            status=LineStatus.ACTIVE,
            activated_on=dt.date(2026, 1, 1) if i % 10 else dt.date(2026, 10, 15),
        )
        for i, number in enumerate(numbers)
    )
    through = MobileLine.options.through
    through.objects.bulk_create(
        through(mobileline_id=line_id, option_id=option.pk)
        for line_id in MobileLine.objects.filter(msisdn__endswith="7").values_list("id", flat=True)
    )
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=12_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    call_command("migrate_schemas", "--shared", verbosity=0)
    old = Tenant.objects.filter(schema_name="bench_billing").first()
    if old is not None:
        old.delete(force_drop=True)
    tenant = Tenant(
        schema_name="bench_billing", name="Bench billing", kind="integrator", operator_code="BENCH"
    )
    tenant.save()
    call_command("migrate_schemas", "--schema", "bench_billing", verbosity=0)
    with schema_context("bench_billing"):
        populate(customers=args.customers, lines=args.lines)
    workdir = Path(tempfile.mkdtemp())
    rated = workdir / "RatedCDRs_MOBILE_BENCH_20261031120000.csv"
    generate(rated, rows=args.rows, lines=args.lines, billed=False)
    began = time.perf_counter()
    call_command("import_feed", "--tenant", "bench_billing", str(rated), stdout=io.StringIO())
    load_seconds = time.perf_counter() - began

    out = io.StringIO()
    began = time.perf_counter()
    call_command("billing_run", "--tenant", "bench_billing", "--period", "2026-10", stdout=out)
    run_seconds = time.perf_counter() - began
    summary = json.loads(out.getvalue())
    with schema_context("bench_billing"):
        from billing.models import BillingRun, InvoiceLine

        run = BillingRun.objects.get(pk=summary["run_id"])
        lines_count = InvoiceLine.objects.filter(invoice__run=run).count()
    figures = {
        "customers": args.customers,
        "lines": args.lines,
        "cdrs": args.rows,
        "load_s": round(load_seconds, 1),
        "draft_run_s": round(run_seconds, 1),
        "invoices": summary["invoices"],
        "invoice_lines": lines_count,
        "cdrs_settled": run.cdrs_settled,
        "total_incl_vat": summary["total_incl_vat"],
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(figures))
    if run_seconds > LIMIT_SECONDS:
        sys.exit(f"the draft run took {run_seconds:.1f} s, over {LIMIT_SECONDS} s")


if __name__ == "__main__":
    main()
