"""A real worker SIGKILLed in the middle of a billing run's drafts and of a finalization (numbers,
then the PDF batch), then a new worker takes the task again: no number skipped or repeated, no
invoice doubled, the same invoices as an undisturbed run."""

import datetime as dt
import os
import signal
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from billing.models import BillingRun, Invoice, RunStatus
from ism.celery import app as celery_app
from tests.billing.test_worker_kill import BROKER, _queue, _wait
from tests.conftest import in_schema
from tests.foundation.test_tasks import _database_url

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2027, 2, 3, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2027, 2, 3)
CUSTOMERS = 3000


def _worker(queue: str, media: Path, level: str = "WARNING") -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        "CELERY_BROKER_URL": BROKER,
        "ISM_TASKS_IN_PROCESS": "0",
        "ISM_MEDIA_ROOT": str(media),
        "ISM_BILLING_RUN_BATCH": "100",  # many small commits: the kill falls between two of them
        "DJANGO_SETTINGS_MODULE": "ism.settings",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ism", "worker", "--pool=solo", "--concurrency=1", "-l", level,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h", "-Q", queue],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _kill(worker: subprocess.Popen) -> None:
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=20)


@pytest.fixture
def world(committed_db, tmp_path):
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    old_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    workers: list[subprocess.Popen] = []
    try:
        yield acme, queue, tmp_path, workers
    finally:
        celery_app.conf.task_always_eager = old_eager
        redis.Redis.from_url(BROKER).delete(queue)
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)
        with in_schema(acme), connection.cursor() as cursor:
            # Issued documents cannot be deleted (their trigger): the cleanup of this committed
            # test bypasses the triggers for its own session only.
            cursor.execute("SET session_replication_role = replica")
            from audit.models import AuditEvent
            from billing.models import ChainHead, InvoiceLine, InvoiceVat, NumberCounter
            from customers.models import Customer, LedgerEntry
            from offers.models import Offer
            from provisioning.models import MobileLine
            from tenants.models import TenantInvoiceSettings

            InvoiceLine.objects.all().delete()
            InvoiceVat.objects.all().delete()
            Invoice.objects.all().delete()
            BillingRun.objects.all().delete()
            LedgerEntry.objects.all().delete()
            MobileLine.objects.all().delete()
            Customer.objects.filter(number__startswith="K").delete()
            Offer.objects.filter(code="KILL").delete()
            NumberCounter.objects.all().delete()
            ChainHead.objects.all().delete()
            TenantInvoiceSettings.objects.filter(tenant=acme).delete()
            cursor.execute("SET session_replication_role = DEFAULT")
            from jobs.models import Job

            Job.objects.all().delete()
            AuditEvent.objects.filter(action__startswith="billing_run").delete()


def _snapshot(run: BillingRun) -> dict[str, tuple]:
    """Each customer's invoice: totals and lines (what an undisturbed run must give too)."""
    snapshot = {}
    for invoice in Invoice.objects.filter(run=run).prefetch_related("lines"):
        lines = sorted(
            (li.category, li.label, li.quantity, li.amount, li.vat_rate) for li in invoice.lines.all()
        )
        snapshot[invoice.customer_number] = (
            invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat, tuple(lines)
        )  # fmt: skip
    return snapshot


def _customers(count: int) -> None:
    from customers.models import Customer
    from offers.models import Offer
    from provisioning.models import LineStatus, MobileLine

    plan = Offer.objects.create(code="KILL", label="Forfait Kill", price=Decimal("9.99"))
    Customer.objects.bulk_create(
        Customer(number=f"K{i:05d}", company_name=f"Client {i}", payment_mode="transfer")
        for i in range(count)
    )
    ids = list(
        Customer.objects.filter(number__startswith="K").order_by("number").values_list("id", flat=True)
    )
    MobileLine.objects.bulk_create(
        MobileLine(
            msisdn=f"3376{i:07d}", customer_id=pk, offer=plan, status=LineStatus.ACTIVE,
            activated_on=dt.date(2026, 1, 1) if i % 7 else dt.date(2027, 1, 10 + i % 15),
        )
        for i, pk in enumerate(ids)
    )  # fmt: skip


def test_a_draft_run_killed_then_taken_again_gives_the_undisturbed_drafts(world):
    from billing.services import billing_run_execute, billing_run_redo, billing_run_start
    from billing.tasks import billing_run_execute_task

    acme, queue, media, workers = world
    with in_schema(acme):
        _customers(CUSTOMERS)
        run = billing_run_start(period="2027-01", by=None, now=NOW, today=TODAY)
    workers.append(_worker(queue, media))
    _queue(billing_run_execute_task, [run.pk], queue, acme)

    def some_drafts():
        with in_schema(acme):
            return Invoice.objects.filter(run=run).count() >= 300

    assert _wait(some_drafts, workers[0], seconds=120), "no draft was built"
    _kill(workers[0])
    with in_schema(acme):
        built = Invoice.objects.filter(run=run).count()
        assert BillingRun.objects.get(pk=run.pk).status == RunStatus.BUILDING
    assert built < CUSTOMERS, "the run finished before the kill: nothing was tested"
    assert built % 100 == 0, "a batch was half written"

    workers.append(_worker(queue, media))
    _queue(billing_run_execute_task, [run.pk], queue, acme)  # the task taken up again
    _queue(billing_run_execute_task, [run.pk], queue, acme)  # and a duplicate message

    def drafted():
        with in_schema(acme):
            return BillingRun.objects.filter(
                pk=run.pk, status__in=[RunStatus.DRAFT, RunStatus.FAILED]
            ).exists()

    assert _wait(drafted, workers[1], seconds=240)
    with in_schema(acme):
        resumed = BillingRun.objects.get(pk=run.pk)
        assert resumed.status == RunStatus.DRAFT and resumed.invoices_count == CUSTOMERS
        assert Invoice.objects.filter(run=run).count() == CUSTOMERS  # none doubled (and none missing)
        killed = _snapshot(run)
        totals = (resumed.total_excl_vat, resumed.total_vat, resumed.total_incl_vat)
        # the same month built without a kill
        billing_run_redo(run=resumed, by=None, now=NOW)
        undisturbed_run = billing_run_execute(run_id=run.pk, now=NOW, today=TODAY)
        assert undisturbed_run is not None and undisturbed_run.status == RunStatus.DRAFT
        assert _snapshot(run) == killed
        assert (
            undisturbed_run.total_excl_vat,
            undisturbed_run.total_vat,
            undisturbed_run.total_incl_vat,
        ) == totals
        assert totals[0] > 0


def test_a_finalization_killed_in_its_pdf_batch_then_taken_again_numbers_and_renders_each_invoice_once(world):
    from billing.chain import chain_verify
    from billing.issuing import run_pdfs_job_create
    from billing.tasks import billing_run_finalize_task
    from jobs.models import Job
    from tests.billing.issuing_helpers import customer, draft_run
    from tests.billing.test_issuing import _pattern

    acme, queue, media, workers = world
    count = 16
    with in_schema(acme):
        _pattern(acme)
        run = draft_run("2027-01", [customer(f"K{i:03d}") for i in reversed(range(count))])
        drafts = _snapshot(run)
        job = run_pdfs_job_create(run=run, by=None, finalize=True)
    args = [run.pk, job.pk, None, NOW.isoformat()]
    workers.append(_worker(queue, media))
    _queue(billing_run_finalize_task, args, queue, acme)

    def some_pdfs():
        with in_schema(acme):
            return Invoice.objects.filter(run=run).exclude(pdf="").count() >= 3

    assert _wait(some_pdfs, workers[0], seconds=180), "no PDF was rendered"
    _kill(workers[0])
    with in_schema(acme):
        rendered = Invoice.objects.filter(run=run).exclude(pdf="").count()
    assert rendered < count, "the batch finished before the kill: nothing was tested"

    workers.append(_worker(queue, media))
    _queue(billing_run_finalize_task, args, queue, acme)  # the task taken up again

    def finished():
        with in_schema(acme):
            return Job.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists()

    assert _wait(finished, workers[1], seconds=300)
    with in_schema(acme):
        assert Job.objects.get(pk=job.pk).status == "done"
        invoices = list(Invoice.objects.filter(run=run).order_by("sequence"))
        # numbered as an undisturbed finalization numbers them: in customer order, 1..n, no gap
        assert [(i.customer_number, i.number) for i in invoices] == [
            (f"K{n:03d}", f"F2027-{n + 1:05d}") for n in range(count)
        ]
        assert all(i.pdf and i.pdf_sha256 for i in invoices)
        assert _snapshot(run) == drafts  # the amounts are the drafts'
        checked, breaks = chain_verify()
        assert checked == count and breaks == []
        files = list(media.rglob("*.pdf"))
        assert len(files) == count, sorted(p.name for p in files)  # one file per invoice, none doubled


def test_two_workers_render_one_run_s_pdfs_together_each_invoice_once(world):
    """Issue 13: a run's PDF batch grows with the worker processes: the finalization's task and
    its helper (BILLING_PDF_WORKERS = 2) render side by side, each invoice once."""
    import re

    from billing.issuing import run_pdfs_job_create
    from billing.tasks import billing_run_finalize_task
    from jobs.models import Job
    from tests.billing.issuing_helpers import customer, draft_run
    from tests.billing.test_issuing import _pattern

    acme, queue, media, workers = world
    count = 24
    with in_schema(acme):
        _pattern(acme)
        run = draft_run("2027-01", [customer(f"K{i:03d}") for i in range(count)])
        job = run_pdfs_job_create(run=run, by=None, finalize=True)
    workers.extend([_worker(queue, media, level="INFO"), _worker(queue, media, level="INFO")])
    _queue(billing_run_finalize_task, [run.pk, job.pk, None, NOW.isoformat()], queue, acme)

    def finished():
        with in_schema(acme):
            return Job.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists()

    assert _wait(finished, workers[0], seconds=300)
    with in_schema(acme):
        assert Job.objects.get(pk=job.pk).status == "done"
        invoices = list(Invoice.objects.filter(run=run))
        assert len(invoices) == count and all(i.pdf and i.pdf_sha256 for i in invoices)
    assert len(list(media.rglob("*.pdf"))) == count  # one file per invoice, none doubled
    for worker in workers:
        worker.terminate()
    said = "".join(worker.communicate(timeout=30)[0].decode() for worker in workers)
    finalize = [
        int(n) for n in re.findall(r"billing_run_finalize_task\[[^]]+\] succeeded in [^:]+: '(\d+)'", said)
    ]
    helper = [int(n) for n in re.findall(r"billing_run_pdfs_task\[[^]]+\] succeeded in [^:]+: '(\d+)'", said)]
    assert len(finalize) == 1 and len(helper) == 1, said[-3000:]
    assert finalize[0] + helper[0] == count  # each invoice rendered by one of them
    assert finalize[0] > 0 and helper[0] > 0  # and both took part
