"""Barring, reactivation and termination of many lines through the worker, and the strict
balance policy acting on a customer's lines."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.conftest import in_schema
from tests.provisioning.lines_support import NOW, TODAY, confirm_all, make_customer, make_line, make_offer

ROOT = Path(__file__).resolve().parents[2]


def _lines(count: int, prefix: str = "3361") -> list:
    customer = make_customer(f"B{uuid.uuid4().hex[:6].upper()}")
    offer = make_offer()
    return [make_line(f"{prefix}{i:07d}", customer, offer) for i in range(count)]


def test_bulk_barring_creates_one_action_per_line_in_batches_and_sends_them(acme):
    from provisioning.models import LineAction
    from provisioning.services.lines import line_actions_bulk

    with in_schema(acme):
        lines = _lines(25)
        seen: list[tuple[int, int]] = []
        reference, count = line_actions_bulk(
            line_ids=[line.pk for line in lines],
            kind="bar_outgoing",
            by=None,
            now=NOW,
            today=TODAY,
            batch_size=10,
            progress=lambda done, total: seen.append((done, total)),
        )
        assert count == 25 and seen == [(10, 25), (20, 25), (25, 25)]
        actions = LineAction.objects.filter(batch_reference=reference)
        assert set(actions.values_list("status", flat=True)) == {"sent"}
        confirm_all()
        assert all(
            line.barred_outgoing for line in type(lines[0]).objects.filter(pk__in=[x.pk for x in lines])
        )


def test_bulk_skips_terminated_lines_and_refuses_other_kinds(acme):
    from core.errors import ApplicationError
    from provisioning.services.lines import line_actions_bulk

    with in_schema(acme):
        lines = _lines(3)
        lines[0].status = "terminated"
        lines[0].save()
        _reference, count = line_actions_bulk(
            line_ids=[x.pk for x in lines], kind="terminate", by=None, now=NOW, today=TODAY
        )
        assert count == 2
        with pytest.raises(ApplicationError):
            line_actions_bulk(line_ids=[lines[1].pk], kind="rename", by=None, now=NOW, today=TODAY)


def test_bulk_start_makes_a_job_with_progress(acme, django_capture_on_commit_callbacks):
    from jobs.models import Job
    from provisioning.tasks import line_actions_bulk_start

    with in_schema(acme):
        lines = _lines(12)
        with django_capture_on_commit_callbacks(execute=True):
            job = line_actions_bulk_start(line_ids=[x.pk for x in lines], kind="bar_all", by=None, now=NOW)
        job = Job.objects.get(pk=job.pk)
        assert job.status == "done" and job.progress_done == 12 and job.result["actions"] == 12


def test_a_strict_customer_is_barred_then_reactivated(acme, django_capture_on_commit_callbacks):
    from customers.services import charge_record, payment_record
    from provisioning.models import MobileLine

    with in_schema(acme):
        customer = make_customer("STRICT1", balance_policy="strict", balance_mode="prepaid")
        offer = make_offer()
        make_line("33700000001", customer, offer)
        make_line("33700000002", customer, offer)
        make_line("33700000003", customer, offer, status="terminated")

        def step(service, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                service(customer=customer, by=None, now=timezone.now(), **kwargs)

        step(payment_record, amount="10")
        step(charge_record, amount_ht="20", vat_rate="20", description="Forfait")
        confirm_all()
        live = MobileLine.objects.filter(customer=customer).exclude(status="terminated")
        assert [line.barred_outgoing for line in live] == [True, True]
        assert not MobileLine.objects.get(msisdn="33700000003").barred_outgoing
        step(payment_record, amount="100")
        confirm_all()
        assert [(line.barred_outgoing, line.status) for line in live.all()] == [(False, "active")] * 2


def test_the_balance_policy_reactivates_only_the_lines_it_barred(acme):
    import datetime as dt

    from provisioning.models import LineAction, MobileLine
    from provisioning.services.lines import line_bar, lines_balance_policy_apply

    with in_schema(acme):
        customer = make_customer("STRICT2", balance_policy="strict", balance_mode="prepaid")
        offer = make_offer()
        make_line("33700000011", customer, offer)
        make_line("33700000012", customer, offer)
        _ref, count = lines_balance_policy_apply(customer_id=customer.pk, suspend=True, now=NOW)
        assert count == 2
        confirm_all()
        # a staff member bars the second line for another reason (a stolen phone) since
        stolen = MobileLine.objects.get(msisdn="33700000012")
        later = NOW + dt.timedelta(hours=1)
        line_bar(line=stolen, kind="bar_all", by=None, now=later, reason="vol")
        confirm_all(later)
        _ref, count = lines_balance_policy_apply(
            customer_id=customer.pk, suspend=False, now=later + dt.timedelta(hours=1)
        )
        assert count == 1
        reactivation = LineAction.objects.get(kind="reactivate")
        assert reactivation.line.msisdn == "33700000011" and reactivation.parameters == {"reason": "balance"}
        # the policy's barring is being lifted: a second call asks nothing more
        assert lines_balance_policy_apply(customer_id=customer.pk, suspend=False, now=later)[1] == 0


@pytest.mark.worker
def test_a_bulk_barring_of_500_lines_runs_on_a_real_worker(committed_db):
    import redis

    from ism.celery import app as celery_app
    from jobs.models import Job
    from provisioning.models import LineAction, MobileLine
    from provisioning.services.lines import line_actions_bulk_job_create
    from provisioning.tasks import line_actions_bulk_run
    from tenants.models import Tenant
    from tests.foundation.test_tasks import _database_url

    broker = os.environ.get("ISM_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        "CELERY_BROKER_URL": broker,
        "ISM_TASKS_IN_PROCESS": "0",
    }
    acme = Tenant.objects.get(schema_name="acme")
    prefix = f"3369{uuid.uuid4().int % 1000:03d}"
    with in_schema(acme):
        lines = _lines(500, prefix=prefix)
        ids = [line.pk for line in lines]
        job, _ids = line_actions_bulk_job_create(line_ids=ids, kind="bar_outgoing", by=None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ism",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{queue}@%h",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    old_eager = celery_app.conf.task_always_eager
    try:
        celery_app.conf.task_always_eager = False
        with in_schema(acme), celery_app.connection_for_write(broker) as conn:
            line_actions_bulk_run.apply_async(
                args=(job.pk, ids, "bar_outgoing", None, NOW.isoformat()), connection=conn, queue=queue
            )
        deadline = time.monotonic() + 90
        status = ""
        while time.monotonic() < deadline and status not in ("done", "failed"):
            with in_schema(acme):
                status = Job.objects.get(pk=job.pk).status
            if worker.poll() is not None:
                break
            time.sleep(0.3)
        if status != "done":
            worker.terminate()
            pytest.fail(f"job {status}:\n" + worker.communicate(timeout=20)[0].decode()[-3000:])
        with in_schema(acme):
            finished = Job.objects.get(pk=job.pk)
            assert finished.progress_done == 500 and finished.result["actions"] == 500
            actions = LineAction.objects.filter(line_id__in=ids)
            assert actions.count() == 500 and set(actions.values_list("status", flat=True)) == {"sent"}
    finally:
        celery_app.conf.task_always_eager = old_eager
        redis.Redis.from_url(broker).delete(queue)
        worker.terminate()
        worker.wait(timeout=20)
        with in_schema(acme):
            LineAction.objects.filter(line_id__in=ids).delete()
            customers = set(MobileLine.objects.filter(pk__in=ids).values_list("customer_id", flat=True))
            sims = list(MobileLine.objects.filter(pk__in=ids).values_list("sim_id", flat=True))
            MobileLine.objects.filter(pk__in=ids).delete()
            from customers.models import Customer
            from provisioning.models import Sim

            Sim.objects.filter(pk__in=sims).delete()
            Customer.objects.filter(pk__in=customers).delete()
            Job.objects.filter(pk=job.pk).delete()
