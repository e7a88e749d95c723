"""`make bench` (lines): 100,000 mobile lines in a bench tenant; p95 of the line list page and of
the header search over 50 requests each, and a bulk barring of 10,000 lines, timed.

Uses DATABASE_URL if set, else a database `ism_bench` on the PostgreSQL of 127.0.0.1:5432 (created
and migrated the first time; the lines are created once and kept for the next runs).
Targets (issue #11): each p95 under 300 ms; the bulk barring under 10 s.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ism.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ism_bench")
os.environ.setdefault("ISM_TASKS_IN_PROCESS", "1")

LINES = 100_000
BULK = 10_000
REQUESTS = 50
HOST = "bench.localhost"


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    admin = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000


def main() -> int:
    import django

    django.setup()
    from django.conf import settings

    # no collected static files here: serve the page's asset URLs unhashed
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    ensure_database()
    from django.core.management import call_command
    from django.db import connection

    print("migrating the shared schema…", flush=True)
    call_command("migrate_schemas", "--shared", verbosity=0)
    from tenants.models import Domain, DomainStatus, Tenant, TenantStatus

    tenant = Tenant.objects.filter(schema_name="bench").first()
    if tenant is None:
        print("creating the bench tenant…", flush=True)
        tenant = Tenant(schema_name="bench", name="Bench", operator_code="BNCH", status=TenantStatus.ACTIVE)
        tenant.save()
    else:
        call_command("migrate_schemas", "--schema=bench", verbosity=0)
    # (a domain serves once approved: the bench's is, from the start)
    Domain.objects.update_or_create(
        domain=HOST, defaults={"tenant": tenant, "is_primary": True, "status": DomainStatus.ACTIVE}
    )
    connection.set_tenant(tenant)  # type: ignore[attr-defined]

    from accounts.models import User
    from customers.models import Customer
    from offers.models import Offer
    from provisioning.models import MobileLine, Sim

    if MobileLine.objects.count() < LINES:
        print(f"creating {LINES:,} lines…", flush=True)
        start = time.perf_counter()
        offer, _created = Offer.objects.get_or_create(
            code="BENCH", defaults={"label": "Bench", "price": "10.00"}
        )
        customers = Customer.objects.bulk_create(
            [
                Customer(number=f"B{i:06d}", kind="business", company_name=f"BENCH {i:05d}")
                for i in range(1000)
            ],
            ignore_conflicts=True,
        )
        customers = list(Customer.objects.order_by("pk"))
        for first in range(0, LINES, 10_000):
            sims = Sim.objects.bulk_create(
                [
                    Sim(iccid=f"8933{i:016d}", imsi=f"20801{i:010d}", order_ref="BENCH", state="active")
                    for i in range(first, first + 10_000)
                ],
                batch_size=5000,
            )
            MobileLine.objects.bulk_create(
                [
                    MobileLine(
                        msisdn=f"336{i:08d}",
                        customer=customers[i % len(customers)],
                        offer=offer,
                        sim=sim,
                        status="active" if i % 10 else "suspended",
                    )
                    for i, sim in zip(range(first, first + 10_000), sims, strict=True)
                ],
                batch_size=5000,
            )
        connection.cursor().execute("ANALYZE provisioning_mobileline; ANALYZE provisioning_sim")
        print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)

    user, _created = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin"})
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    connection.set_schema_to_public()  # type: ignore[attr-defined]

    import random

    rng = random.Random(11)

    def timed(urls: list[str]) -> list[float]:
        samples = []
        for url in urls:
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        return samples

    list_urls = [
        rng.choice(
            [
                "/lines/",
                "/lines/?status=suspended",
                f"/lines/?q=06{rng.randrange(10**5):05d}",
                f"/lines/?after=336{rng.randrange(LINES):08d}:{rng.randrange(LINES)}",
                f"/lines/?customer={rng.randrange(1, 1000)}",
            ]
        )
        for _ in range(REQUESTS)
    ]
    search_urls = [f"/search/?q=06{rng.randrange(10**5):05d}" for _ in range(REQUESTS)]
    timed(list_urls[:5] + search_urls[:5])  # warm up
    list_p95 = p95(timed(list_urls))
    search_p95 = p95(timed(search_urls))
    print(f"line list p95 over {REQUESTS} requests: {list_p95:.0f} ms (target < 300 ms)")
    print(f"header search p95 over {REQUESTS} requests: {search_p95:.0f} ms (target < 300 ms)")

    connection.set_tenant(tenant)  # type: ignore[attr-defined]
    import tempfile

    from django.utils import timezone

    from provisioning.models import GatewayBackend, LineAction
    from provisioning.selectors import provisioning_settings_get
    from provisioning.services.lines import line_actions_bulk_job_create
    from provisioning.tasks import line_actions_bulk_run
    from tenants.models import FeedAccess, FeedProtocol

    # The operator link of a real tenant: the `files` backend, order files in the feed's
    # Commandes/ (a local folder here: the time measured is ours, not a network's).
    feed = Path(tempfile.mkdtemp(prefix="ism-bench-feed-"))
    (feed / "Commandes").mkdir()
    FeedAccess.objects.update_or_create(
        tenant=tenant, defaults={"protocol": FeedProtocol.LOCAL, "host": "", "root_path": str(feed)}
    )
    settings_row = provisioning_settings_get()
    settings_row.gateway_backend = GatewayBackend.FILES
    settings_row.save()

    ids = list(
        MobileLine.objects.filter(status="active", barred_outgoing=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:BULK]
    )
    start = time.perf_counter()
    job, ids = line_actions_bulk_job_create(line_ids=ids, kind="bar_outgoing", by=user)
    count = line_actions_bulk_run(job.pk, ids, "bar_outgoing", user.pk, timezone.now().isoformat())
    bulk_seconds = time.perf_counter() - start
    files = sorted((feed / "Commandes").iterdir())
    rows = sum(len(f.read_bytes().splitlines()) - 2 for f in files)  # less the header and trailer
    sent = LineAction.objects.filter(line_id__in=ids, status="sent", requested_at__gte=job.created_at).count()
    print(
        f"bulk barring of {count:,} lines (job, actions, {len(files)} order files of {rows:,} rows, "
        f"{sent:,} marked sent, audit): {bulk_seconds:.2f} s (target < 10 s)"
    )
    LineAction.objects.filter(line_id__in=ids, requested_at__gte=job.created_at).delete()
    for f in files:
        f.unlink()
    (feed / "Commandes").rmdir()
    feed.rmdir()
    ok = count == BULK and rows == BULK and sent == BULK
    ok = ok and list_p95 < 300 and search_p95 < 300 and bulk_seconds < 10
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
