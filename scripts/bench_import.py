"""Benchmark of the feed import: a generated RatedCDRs file through the whole `import_feed` path.

    make bench   # or: .venv/bin/python scripts/bench_import.py [--rows 1000000] [--lines 10000]

Uses its own database (`ism_bench_import`, created and migrated if missing; DATABASE_URL overrides) and
a `bench_import` tenant schema with 10,000 mobile lines on one offer and a rate table. Generates a
RatedCDRs file (rows in time order, as operator files are), then times, in the same run:
1. a raw `COPY` of the file into an unlogged text table (the floor: the server parsing the bytes);
2. `manage.py import_feed` on it, in process (read, validate, deduplicate, rate, persist, counts);
3. the same events as a BilledCDRs file (confirming them all);
4. the store's write alone: the month's stored rows sent again by COPY into an empty logged table
   of the store's columns, then the partition's indexes built on it (`store_write_floor`): what
   PostgreSQL needs to persist the rows whatever the reader and the rater.
Prints, for each: wall time, the process's CPU time (user+sys, `resource.getrusage`: the machine
is shared, wall time swings with the load), the CPU time of its PostgreSQL backend (from
/proc/<pid>/stat when the server is local; parallel index-build workers left out), CDRs/s, the
ratio to the raw COPY, the import's phase timings, the load average at start and end and the
process's max RSS; then a verdict (MET / MISSED) per target. What it leaves out is printed too:
polling and the network (the file is on disk), and the store is emptied and its partitions
dropped before the run (no earlier months to check identities against; the month of the file is
a new partition).
"""

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ism.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ism_bench_import")

TARGET_RATED = 150_000  # CDRs/s, whole import_feed of a RatedCDRs file
TARGET_BILLED = 100_000  # CDRs/s, the same events as a BilledCDRs file
TARGET_COPY_RATIO = 6.0  # at most 6 times a raw COPY of the file
TARGET_RSS_MIB = 1024

EVENTS = ["VOICE_MO"] * 5 + ["VOICE_MT"] * 2 + ["SMS_MO"] * 2 + ["DATA"] * 3
CALLED = ["33612345678", "33712345678", "33140000000", "34612345678", "212522123456", "3179"]
COUNTRIES = [""] * 8 + ["ES", "US"]
HEADER = "CDR_ID;EVENT_TYPE;MSISDN;IMSI;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;ROAMING_COUNTRY;DESTINATION_LABEL;APN;WHOLESALE_COST"


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def backend_cpu(pid: int) -> float | None:
    """CPU seconds (user+sys) of a PostgreSQL backend, read from /proc (None when not readable:
    a server on another machine). Parallel index-build workers are other processes, left out."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def store_write_floor() -> dict:
    """What writing the month's rows into the store costs PostgreSQL alone: the partition's rows
    copied out, sent again through the client protocol (as the import sends them) into an empty
    logged table of the same columns, then each of the partition's indexes built on it (seconds;
    the unique one, the duplicate check's, under "unique"). No reading, checking, rating or hook."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'cdr_import_cdr'::regclass ORDER BY 1 LIMIT 1"
        )
        (partition,) = cursor.fetchone()
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND schemaname = current_schema()",
            [partition],
        )
        definitions = [row[0] for row in cursor.fetchall()]
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute(f"CREATE TABLE bench_floor (LIKE {partition} INCLUDING DEFAULTS)")
        with tempfile.TemporaryFile() as dump:  # on disk: the rows are not held in memory
            with cursor.cursor.copy(f"COPY {partition} TO STDOUT") as copy:  # our partition's name
                for block in copy:
                    dump.write(block)
            cursor.execute("CHECKPOINT")
            dump.seek(0)
            began = time.perf_counter()
            with cursor.cursor.copy("COPY bench_floor FROM STDIN") as copy:
                while block := dump.read(1 << 20):
                    copy.write(block)
            result: dict = {"copy": time.perf_counter() - began, "indexes": {}}
        for number, definition in enumerate(definitions):
            statement = re.sub(r"INDEX \S+ ON \S+", "INDEX ON bench_floor", definition, count=1)
            began = time.perf_counter()
            cursor.execute(statement)
            result["indexes"]["unique" if "UNIQUE" in definition else str(number)] = (
                time.perf_counter() - began
            )
        cursor.execute("DROP TABLE bench_floor")
    return result


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def generate(path: Path, *, rows: int, lines: int, billed: bool) -> None:
    rng = random.Random(12)
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    step = (30 * 86400) / rows
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(HEADER + (";BILLING_PERIOD;OPERATOR_INVOICE_REF" if billed else "") + "\r\n")
        for i in range(rows):
            event = rng.choice(EVENTS)
            when = start + dt.timedelta(seconds=int(i * step))
            msisdn = f"3375{rng.randrange(lines):07d}"
            data = event == "DATA"
            called = "" if data else rng.choice(CALLED)
            cost = f"0,{rng.randrange(10000):04d}"
            extra = ";2026-10;ORG-FAC-1" if billed else ""
            out.write(
                f"ORG-M-{i:012d};{event};{msisdn};208150000000000;{when:%Y-%m-%d %H:%M:%S};"
                f"{0 if data else rng.randrange(1, 1800)};{rng.randrange(1, 50_000_000) if data else 0};"
                f"{called};{rng.choice(COUNTRIES)};;;{cost}{extra}\r\n"
            )
        out.write(f"TRAILER;{rows}\r\n")


def make_lines(numbers: list[str]) -> None:
    """A customer, an offer with the samples' rate table and a mobile line per number (current schema)."""
    from customers.models import Customer
    from offers.models import Offer, RateTable
    from offers.services import rate_table_import
    from provisioning.models import LineStatus, MobileLine

    table = RateTable.objects.filter(code="BENCH").first()
    if table is None:
        table = RateTable.objects.create(code="BENCH", label="Bench")
        sample = (
            Path(__file__).resolve().parent.parent / "tests/cdr_import/data/grille_minutes_ACME_20261001.csv"
        )
        rate_table_import(
            table=table, data=sample.read_bytes(), filename=sample.name, by=None, today=dt.date(2026, 10, 1)
        )
    offer, _ = Offer.objects.get_or_create(
        code="BENCH", defaults={"label": "Bench", "default_rate_table": table}
    )
    customer, _ = Customer.objects.get_or_create(number="C-BENCH", defaults={"company_name": "Bench"})
    MobileLine.objects.bulk_create(
        MobileLine(msisdn=n, customer=customer, offer=offer, status=LineStatus.ACTIVE) for n in numbers
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    call_command("migrate_schemas", "--shared", verbosity=0)
    tenant = Tenant.objects.filter(schema_name="bench_import").first()
    if tenant is None:
        tenant = Tenant(schema_name="bench_import", name="Bench", kind="integrator", operator_code="BENCH")
        tenant.save()
    call_command("migrate_schemas", "--schema", "bench_import", verbosity=0)
    with schema_context("bench_import"):
        from cdr_import.models import Import
        from cdr_import.models_usage import ConsumptionAlert
        from provisioning.models import LineAction, LineStatus, MobileLine

        if MobileLine.objects.count() < args.lines:
            make_lines([f"3375{i:07d}" for i in range(args.lines)])
        with connection.cursor() as cursor:
            # The store emptied, its month partitions dropped: the file's month is a new one.
            cursor.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'cdr_import_cdr'::regclass"
            )
            for (partition,) in cursor.fetchall():
                cursor.execute(f"DROP TABLE {partition}")
            cursor.execute("TRUNCATE cdr_import_cdr, cdr_import_cdr_identity")
        Import.objects.all().delete()
        # The lines as new: no alert raised, no barring yet (each run does the same after-store work).
        ConsumptionAlert.objects.all().delete()
        LineAction.objects.all().delete()
        MobileLine.objects.update(barred_incoming=False, barred_outgoing=False, status=LineStatus.ACTIVE)
        workdir = Path(tempfile.mkdtemp())
        rated = workdir / "RatedCDRs_MOBILE_BENCH_20261031120000.csv"
        billed = workdir / "BilledCDRs_MOBILE_BENCH_202610.csv"
        generate(rated, rows=args.rows, lines=args.lines, billed=False)
        generate(billed, rows=args.rows, lines=args.lines, billed=True)

        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_raw")
            cursor.execute("CREATE UNLOGGED TABLE bench_raw (line text)")
            began = time.perf_counter()
            with (
                open(rated, "rb") as handle,
                cursor.cursor.copy("COPY bench_raw FROM STDIN (FORMAT text)") as copy,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
            raw_copy = time.perf_counter() - began
            cursor.execute("DROP TABLE bench_raw")

        results = {}
        for label, path in (("rated", rated), ("billed", billed)):
            out = io.StringIO()
            load = os.getloadavg()
            connection.ensure_connection()
            backend = connection.connection.info.backend_pid
            server_before = backend_cpu(backend)
            before = resource.getrusage(resource.RUSAGE_SELF)
            began = time.perf_counter()
            call_command("import_feed", "--tenant", "bench_import", str(path), stdout=out)
            seconds = time.perf_counter() - began
            after = resource.getrusage(resource.RUSAGE_SELF)
            server_after = backend_cpu(backend) if connection.connection.info.backend_pid == backend else None
            server = None if server_before is None or server_after is None else server_after - server_before
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            line = json.loads(out.getvalue().splitlines()[0])
            timings = Import.objects.get(pk=line["import_id"]).timings
            # What the after-store hooks did (alerts once per line, threshold and month; barrings).
            timings["alerts_so_far"] = ConsumptionAlert.objects.count()
            timings["line_actions_so_far"] = LineAction.objects.count()
            results[label] = (seconds, cpu, server, (load, os.getloadavg()), line, timings)
        shutil.rmtree(workdir)  # two generated files of ~100 MB each
        rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the imports', not the floor's
        floor = store_write_floor()
    print(f"raw COPY of the file: {raw_copy:.2f} s ({args.rows / raw_copy:,.0f} rows/s)")
    copy_s, index_s = floor["copy"], sum(floor["indexes"].values())
    unique_s = floor["indexes"].get("unique", 0.0)
    print(
        f"the store's write alone (its {args.rows:,} stored rows sent again by COPY into an empty table "
        f"of its columns, no Python): {copy_s:.2f} s ({copy_s / raw_copy:.1f}x the raw COPY); with the "
        f"duplicate check's unique index {copy_s + unique_s:.2f} s ({(copy_s + unique_s) / raw_copy:.1f}x); "
        f"with the partition's {len(floor['indexes'])} indexes {copy_s + index_s:.2f} s "
        f"({(copy_s + index_s) / raw_copy:.1f}x)"
    )
    for label, (seconds, cpu, server, loads, line, timings) in results.items():
        server_text = "not readable" if server is None else f"{server:.2f} s"
        print(
            f"import_feed {label}: {seconds:.2f} s wall, {cpu:.2f} s CPU (this process), "
            f"{server_text} CPU (its PostgreSQL backend), {args.rows / seconds:,.0f} CDRs/s wall, "
            f"{args.rows / cpu:,.0f} CDRs/s of CPU, {seconds / raw_copy:.1f}x the raw COPY; "
            f"load {loads[0][0]:.1f} at start, {loads[1][0]:.1f} at end; {line}"
        )
        print(f"  phases (s): {timings}")
        hooks = timings.get("after_stored") or 0.0
        print(
            f"  without the after-store hooks (prepaid, alerts and barrings, daily usage: {hooks:.2f} s): "
            f"{seconds - hooks:.2f} s wall, {args.rows / (seconds - hooks):,.0f} CDRs/s"
        )
    print(f"max RSS: {rss_mib:,.0f} MiB")
    rated_s, billed_s = results["rated"][0], results["billed"][0]
    checks = [
        (
            f"rated >= {TARGET_RATED:,} CDRs/s",
            args.rows / rated_s >= TARGET_RATED,
            f"{args.rows / rated_s:,.0f}",
        ),
        (
            f"rated <= {TARGET_COPY_RATIO:g}x the raw COPY",
            rated_s <= TARGET_COPY_RATIO * raw_copy,
            f"{rated_s / raw_copy:.1f}x",
        ),
        (f"max RSS < {TARGET_RSS_MIB:,} MiB", rss_mib < TARGET_RSS_MIB, f"{rss_mib:,.0f} MiB"),
        (
            f"billed >= {TARGET_BILLED:,} CDRs/s",
            args.rows / billed_s >= TARGET_BILLED,
            f"{args.rows / billed_s:,.0f}",
        ),
    ]
    if args.rows != 1_000_000:
        print(f"targets are for 1,000,000 rows; this run had {args.rows:,}: verdicts indicative only")
    for name, ok, value in checks:
        print(f"target {name}: {value} -> {verdict(ok)}")
    if max(results["rated"][3][0][0], results["billed"][3][0][0]) > (os.cpu_count() or 1):
        print("note: the load average exceeded the cores during the run: wall times are inflated")
    print(
        "left out: polling and the network (the file is on disk); the server's parallel index-build "
        "workers' CPU; the store was emptied first (no older months; the file's month is a new partition)"
    )
    return 0 if all(ok for _name, ok, _value in checks) else 1  # `make bench` reports a miss


if __name__ == "__main__":
    sys.exit(main())
