"""Tasks run in the schema of the tenant that queued them: in-process and on a real worker."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from ism.celery import app as celery_app
from jobs.models import Heartbeat
from jobs.tasks import tenant_heartbeat
from tenants.tasks import dispatch_to_tenants
from tests.conftest import in_schema

ROOT = Path(__file__).resolve().parents[2]


def test_a_task_queued_in_acme_writes_in_acmes_schema(acme, nova):
    with in_schema(acme):
        schema = tenant_heartbeat.delay().get()
    assert schema == "acme"
    with in_schema(acme):
        assert Heartbeat.objects.count() == 1
    with in_schema(nova):
        assert Heartbeat.objects.count() == 0


def test_the_dispatcher_queues_the_work_in_every_active_tenant(acme, nova):
    from tenants.models import TenantStatus

    nova.status = TenantStatus.SUSPENDED
    nova.save(update_fields=["status"])
    assert connection.schema_name == "public"
    count = dispatch_to_tenants.delay("jobs.tasks.tenant_heartbeat").get()
    assert count == 1
    with in_schema(acme):
        assert Heartbeat.objects.count() == 1
    with in_schema(nova):
        assert Heartbeat.objects.count() == 0


def test_the_beat_schedule_dispatches_the_heartbeat():
    entry = settings.CELERY_BEAT_SCHEDULE["tenant-heartbeat"]
    assert entry["task"] == dispatch_to_tenants.name == "tenants.tasks.dispatch_to_tenants"
    assert entry["args"] == ["jobs.tasks.tenant_heartbeat"]


@pytest.mark.worker
def test_a_real_worker_on_redis_runs_acmes_task_in_acmes_schema(committed_db):
    from tenants.models import Tenant

    broker = os.environ.get("ISM_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")
    queue = f"test-{uuid.uuid4().hex[:8]}"  # several checkouts may run this test at once
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(db),
        "CELERY_BROKER_URL": broker,
        "ISM_TASKS_IN_PROCESS": "0",
    }
    acme = Tenant.objects.get(schema_name="acme")
    nova = Tenant.objects.get(schema_name="nova")
    for tenant in (acme, nova):
        with in_schema(tenant):
            Heartbeat.objects.all().delete()
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
            tenant_heartbeat.apply_async(connection=conn, queue=queue)
        deadline = time.monotonic() + 60
        written = False
        while time.monotonic() < deadline and not written:
            with in_schema(acme):
                written = Heartbeat.objects.exists()
            if worker.poll() is not None:
                break
            time.sleep(0.3)
        if not written:
            worker.terminate()
            pytest.fail("the worker wrote nothing:\n" + worker.communicate(timeout=20)[0].decode()[-3000:])
        with in_schema(nova):
            assert not Heartbeat.objects.exists()
    finally:
        celery_app.conf.task_always_eager = old_eager
        redis.Redis.from_url(broker).delete(queue)
        worker.terminate()
        worker.wait(timeout=20)
        for tenant in (acme, nova):
            with in_schema(tenant):
                Heartbeat.objects.all().delete()


def _database_url(db: dict) -> str:
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # embedded PostgreSQL on a socket
        return f"postgres://{db['USER']}@/{db['NAME']}?host={host}"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
