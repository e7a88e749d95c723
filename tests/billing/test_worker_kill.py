"""A real worker SIGKILLed in the middle of a mailing and of a SEPA generation, then restarted with
the task queued again: no e-mail sent twice, no second SEPA batch."""

import datetime as dt
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
from django.db.models import Count

from billing.models import BillingRun, EmailStatus, InvoiceEmail, SepaBatch, SepaDebit
from billing.services_mail import mailing_create
from customers.models import Mandate
from ism.celery import app as celery_app
from tests.billing.conftest import customer
from tests.billing.issued import NOW, issued_invoice
from tests.conftest import in_schema
from tests.foundation.test_tasks import _database_url

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("ISM_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")


def _worker(queue: str, mail_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        "CELERY_BROKER_URL": BROKER,
        "ISM_TASKS_IN_PROCESS": "0",
        "EMAIL_URL": f"filemail://{mail_dir}",
        "ISM_BILLING_MAIL_RATE": "8",
        # The test settings send mail to memory; the worker must write each message to a file.
        "DJANGO_SETTINGS_MODULE": "ism.settings",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ism", "worker", "--pool=solo", "--concurrency=1", "-l", "WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h", "-Q", queue],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _queue(task, args, queue, tenant):
    with in_schema(tenant), celery_app.connection_for_write(BROKER) as conn:
        task.apply_async(args=args, connection=conn, queue=queue)


def _wait(condition, worker, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if worker.poll() is not None:
            pytest.fail("the worker stopped:\n" + worker.communicate(timeout=10)[0].decode()[-3000:])
        time.sleep(0.1)
    worker.terminate()
    pytest.fail("timed out; the worker said:\n" + worker.communicate(timeout=20)[0].decode()[-3000:])


@pytest.fixture
def world(committed_db, tmp_path):
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    old_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    with in_schema(acme):
        run = BillingRun.objects.create(
            period="2026-09", period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 9, 30),
            status="finalized", created_at=NOW,
        )  # fmt: skip
    workers: list[subprocess.Popen] = []
    try:
        yield acme, run, queue, tmp_path, workers
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
            SepaDebit.objects.all().delete()
            SepaBatch.objects.all().delete()
            InvoiceEmail.objects.all().delete()
            from billing.models import Invoice, InvoiceMailing
            from customers.models import Customer, LedgerEntry

            InvoiceMailing.objects.all().delete()
            Invoice.objects.all().delete()
            BillingRun.objects.all().delete()
            Mandate.objects.all().delete()
            LedgerEntry.objects.all().delete()
            Customer.objects.filter(number__startswith="K").delete()
            cursor.execute("SET session_replication_role = DEFAULT")
            from jobs.models import Job

            Job.objects.all().delete()
        acme.sepa_creditor_id = acme.creditor_iban = acme.creditor_bic = ""
        acme.save()


def test_a_mailing_killed_then_restarted_sends_each_invoice_once(world):
    from billing.tasks import invoice_mailing_send

    acme, run, queue, mail_dir, workers = world
    with in_schema(acme):
        for i in range(24):
            issued_invoice(
                customer(f"K{i:02d}"), number=f"FK-{i + 1}", email=f"k{i:02d}@example.com", run=run
            )
        mailing = mailing_create(run=run, by=None, now=NOW)
    workers.append(_worker(queue, mail_dir))
    _queue(invoice_mailing_send, [mailing.pk], queue, acme)

    def some_sent():
        return len(list(mail_dir.iterdir())) >= 5

    assert _wait(some_sent, workers[0], seconds=15), "no mail went out"
    os.kill(workers[0].pid, signal.SIGKILL)
    workers[0].wait(timeout=20)
    sent_before = len(list(mail_dir.iterdir()))
    assert sent_before < 24, "the mailing finished before the kill: nothing was tested"
    workers.append(_worker(queue, mail_dir))
    _queue(invoice_mailing_send, [mailing.pk], queue, acme)  # the task taken up again

    def statuses():
        """The mailing's e-mails per status, read in one query (one snapshot)."""
        with in_schema(acme):
            return dict(
                InvoiceEmail.objects.filter(mailing=mailing)
                .values_list("status")
                .annotate(n=Count("id"))
                .order_by()
            )

    def finished():
        # Nothing queued, and the last e-mail taken has settled: the same snapshot a second later
        # (read while the worker still sends it, the last one shows as "sending", then "sent").
        before = statuses()
        if before.get(EmailStatus.QUEUED):
            return False
        time.sleep(1)
        return statuses() == before

    assert _wait(finished, workers[1], seconds=90)
    recipients = []
    for path in mail_dir.iterdir():
        recipients += [line[4:].strip() for line in path.read_text().splitlines() if line.startswith("To: ")]
    assert len(recipients) == len(set(recipients)), "an e-mail went out twice"
    final = statuses()
    sent, interrupted = final.get(EmailStatus.SENT, 0), final.get(EmailStatus.SENDING, 0)
    assert interrupted <= 1 and sent + interrupted == 24
    assert sent <= len(recipients) <= sent + interrupted


def test_a_sepa_generation_killed_then_restarted_makes_one_batch(world):
    from billing.tasks import sepa_batch_generate_task
    from jobs.services import job_create

    acme, run, queue, mail_dir, workers = world
    acme.sepa_creditor_id = "FR72ZZZ123456"
    acme.creditor_iban = "FR7610107001011234567890129"
    acme.creditor_bic = "BREDFRPPXXX"
    acme.save()
    with in_schema(acme):
        for i in range(3000):
            cust = customer(f"K{i:04d}", payment_mode="sepa")
            Mandate.objects.create(customer=cust, rum=f"RUM-K{i:04d}", iban="FR1420041010050500013M02606",
                                   bic="PSSTFRPPPAR", signed_on=dt.date(2026, 1, 1))  # fmt: skip
            issued_invoice(cust, number=f"FK-{i + 1}", mode="sepa", run=run, debit_date=dt.date(2026, 10, 10))
        job = job_create(kind="billing.sepa", label="SEPA", by=None)
    workers.append(_worker(queue, mail_dir))
    _queue(sepa_batch_generate_task, [job.pk, run.pk, None], queue, acme)

    def running():
        with in_schema(acme):
            from jobs.models import Job

            return Job.objects.filter(pk=job.pk, status="running").exists()

    assert _wait(running, workers[0])
    time.sleep(0.3)  # in the middle of building the file
    os.kill(workers[0].pid, signal.SIGKILL)
    workers[0].wait(timeout=20)
    with in_schema(acme):
        before = SepaBatch.objects.count()
        assert SepaDebit.objects.count() in (0, 3000)  # all or nothing
    workers.append(_worker(queue, mail_dir))
    with in_schema(acme):
        again = job_create(kind="billing.sepa", label="SEPA", by=None)
    _queue(sepa_batch_generate_task, [again.pk, run.pk, None], queue, acme)
    _queue(sepa_batch_generate_task, [again.pk, run.pk, None], queue, acme)  # and a duplicate message

    def done():
        with in_schema(acme):
            from jobs.models import Job

            return Job.objects.filter(pk=again.pk, status__in=["done", "failed"]).exists()

    assert _wait(done, workers[1], seconds=120)
    with in_schema(acme):
        assert SepaBatch.objects.count() == 1, before
        assert SepaDebit.objects.count() == 3000
