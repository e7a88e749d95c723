"""A real worker killed (SIGKILL) in the middle of a large import, then a new worker: the import
finishes with the counts and stored CDRs of an undisturbed run, nothing lost or doubled."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from cdr_import.models import Import, ImportStatus
from cdr_import.services import import_file, import_receive
from ism.celery import app as celery_app
from tests.cdr_import.conftest import NOW, make_lines, store_fingerprint, write_rated_file
from tests.conftest import in_schema
from tests.foundation.test_tasks import _database_url

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = [f"337600{i:05d}" for i in range(300)]
ROWS = 150_000
COUNTED = ("status", "rows", "imported", "known", "corrected", "rejected", "unrated", "unknown_line")


def _start_worker(queue: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ism", "worker", "--pool=solo", "--concurrency=1",
         "-l", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "-n", f"{queue}-{uuid.uuid4().hex[:4]}@%h", "-Q", queue],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _clean_store() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cdr_import_cdr, cdr_import_cdr_identity")
    Import.objects.all().delete()


def _wait(predicate, worker: subprocess.Popen, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.poll() is not None:
            break
        time.sleep(0.2)
    worker.kill()
    pytest.fail(f"{what}:\n" + worker.communicate(timeout=20)[0].decode()[-3000:])


def _lock_free(import_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_lock(hashtext(current_schema() || ':import'), %s)", [import_id]
        )
        free = cursor.fetchone()[0]
        if free:
            cursor.execute(
                "SELECT pg_advisory_unlock(hashtext(current_schema() || ':import'), %s)", [import_id]
            )
    return free


@pytest.mark.worker
def test_a_worker_killed_mid_import_is_replaced_and_the_import_ends_as_undisturbed(committed_db, tmp_path):
    from customers.models import Customer
    from offers.models import Offer, RateTable
    from provisioning.models import MobileLine
    from tenants.models import Tenant

    broker = os.environ.get("ISM_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")
    queue = f"test-{uuid.uuid4().hex[:8]}"  # several checkouts may run this test at once
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        "CELERY_BROKER_URL": broker,
        "ISM_TASKS_IN_PROCESS": "0",
        "ISM_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    acme = Tenant.objects.get(schema_name="acme")
    path = write_rated_file(tmp_path / "RatedCDRs_MOBILE_ACME_20261031120000.csv", rows=ROWS, numbers=NUMBERS)
    workers: list[subprocess.Popen] = []
    old_eager = celery_app.conf.task_always_eager
    try:
        with in_schema(acme):
            make_lines(NUMBERS, code="KILLTEST")
            undisturbed = import_file(path=path, source="command", by=None, now=NOW)
            expected = {k: getattr(undisturbed, k) for k in COUNTED}
            assert expected["imported"] == ROWS
            reference = store_fingerprint()
            _clean_store()
            received = import_receive(path=path, source="command", by=None, now=NOW)
            assert received.status == ImportStatus.RECEIVED
        celery_app.conf.task_always_eager = False
        first = _start_worker(queue, env)
        workers.append(first)
        from cdr_import.tasks import import_file_task

        with in_schema(acme), celery_app.connection_for_write(broker) as conn:
            import_file_task.apply_async((received.pk,), connection=conn, queue=queue)

        def mid_way() -> bool:
            with in_schema(acme):
                found = Import.objects.get(pk=received.pk)
            # Live progress, seen from this other session while the import's transaction is open.
            return found.status == ImportStatus.PARSING and 0 < found.progress_done < ROWS

        _wait(mid_way, first, 240, "the import never showed progress")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
        with in_schema(acme):
            stopped = Import.objects.get(pk=received.pk)
            assert stopped.status == ImportStatus.PARSING  # left unfinished…
            assert store_fingerprint()[0] == 0  # …and nothing of it stored (one transaction)
            deadline = time.monotonic() + 60
            while not _lock_free(received.pk) and time.monotonic() < deadline:
                time.sleep(0.2)  # the dead worker's database session goes away
        second = _start_worker(queue, env)  # its start sweeps: the dead worker's import is queued again
        workers.append(second)

        def finished() -> bool:
            with in_schema(acme):
                return Import.objects.get(pk=received.pk).is_finished

        _wait(finished, second, 300, "the import was not taken up again")
        with in_schema(acme):
            done = Import.objects.get(pk=received.pk)
            assert {k: getattr(done, k) for k in COUNTED} == expected
            assert store_fingerprint() == reference
            assert Import.objects.count() == 1  # no duplicate record either
    finally:
        celery_app.conf.task_always_eager = old_eager
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
        redis.Redis.from_url(broker).delete(queue)
        with in_schema(acme):
            from cdr_import.models_usage import ConsumptionAlert, UsageDebit
            from provisioning.models import LineAction

            # What the usage step did after the import (roaming-cap alerts and barrings, debits).
            ConsumptionAlert.objects.filter(line__msisdn__in=NUMBERS).delete()
            UsageDebit.objects.filter(customer__number="C-FEED-1").delete()
            LineAction.objects.filter(line__msisdn__in=NUMBERS).delete()
            _clean_store()
            MobileLine.objects.filter(msisdn__in=NUMBERS).delete()
            Offer.objects.filter(code="OFFER-KILLTEST").delete()
            RateTable.objects.filter(code="KILLTEST").delete()
            Customer.objects.filter(number="C-FEED-1", mobile_lines__isnull=True).delete()
