"""The conventions of accounts, audit, jobs and tenants: audit below accounts, services that take
the actor, the audit context and the clock from their caller, and one API style (ViewSets)."""

import ast
import datetime
import inspect
from pathlib import Path

import pytest
from django.http import Http404
from django.urls import resolve
from rest_framework import viewsets

from audit.context import AuditContext
from audit.models import AuditEvent
from audit.services import audit_record
from jobs.models import Heartbeat, JobStatus
from jobs.selectors import worker_is_alive
from jobs.services import heartbeat_record, job_create, job_fail, job_finish, job_start
from tests.conftest import in_schema

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def operator(platform, make_user):
    return make_user(platform, "platform_admin", username="olivier")


@pytest.fixture
def operator_api(platform, operator, api_for):
    return api_for(platform, operator)


def _imported_modules(folder: str) -> set[str]:
    names: set[str] = set()
    for path in (ROOT / folder).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return names


def test_audit_does_not_import_accounts():
    assert not [name for name in _imported_modules("audit") if name.split(".")[0] == "accounts"]


# audit_record keeps its older `request=` spelling while the other apps move to `context=`.
@pytest.mark.parametrize("folder", ["accounts", "jobs", "tenants"])
def test_no_service_of_these_apps_receives_the_request(folder):
    for path in (ROOT / folder).rglob("services.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                names = [arg.arg for arg in node.args.args + node.args.kwonlyargs]
                assert "request" not in names, f"{path.name}:{node.name}"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/me/",
        "/api/v1/audit-events/",
        "/api/v1/tenants/",
        "/api/v1/tenants/1/",
        "/api/v1/tenants/1/activate/",
        "/api/v1/tenants/1/invite/",
        "/api/v1/tenants/1/feed/test/",
        "/api/v1/tenants/1/steps/",
        "/api/v1/tenants/1/steps/2/",
    ],
)
def test_the_platform_api_is_made_of_viewsets(url):
    view = resolve(url, urlconf="ism.urls_public").func
    assert issubclass(view.cls, viewsets.GenericViewSet)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/me/",
        "/api/v1/audit-events/",
        "/api/v1/jobs/1/",
        "/api/v1/settings/domains/",
        "/api/v1/settings/domains/1/",
        "/api/v1/settings/team/",
        "/api/v1/settings/team/1/",
        "/api/v1/settings/bank-details/",
        "/api/v1/settings/branding/",
        "/api/v1/settings/invoicing/",
        "/api/v1/settings/email-templates/invoice/",
        "/api/v1/settings/email-templates/invoice/preview/",
        "/api/v1/settings/email-templates/invoice/test/",
    ],
)
def test_the_tenant_api_of_these_apps_is_made_of_viewsets(url):
    view = resolve(url, urlconf="ism.urls_tenant").func
    assert issubclass(view.cls, viewsets.GenericViewSet)  # type: ignore[attr-defined]


def test_a_platform_admin_acting_in_a_tenants_schema_is_named_by_login_only(acme, operator):
    with in_schema(acme):
        event = audit_record(actor=operator, action="tenant.something", context=AuditContext(ip="10.0.0.9"))
        event.refresh_from_db()
    assert event.actor_label == "platform:olivier"
    assert event.actor_id is None  # their account is not in this schema
    assert event.ip_address == "10.0.0.9"


def test_a_platform_admin_on_the_platform_is_recorded_with_their_account(platform, operator):
    with in_schema(platform):
        event = audit_record(actor=operator, action="tenant.something")
    assert event.actor_label == "olivier" and event.actor_id == operator.pk


def test_the_api_records_where_a_change_came_from(acme, operator, operator_api):
    operator_api.patch(
        f"/api/v1/tenants/{acme.pk}/", {"city": "Lyon"}, format="json", REMOTE_ADDR="192.0.2.7"
    )
    event = AuditEvent.objects.filter(action="tenant.identity_changed").latest("id")
    assert event.actor_label == "olivier"
    assert event.ip_address == "192.0.2.7" and event.path == f"/api/v1/tenants/{acme.pk}/"


def test_jobs_are_dated_by_the_clock_their_caller_passes(acme):
    with in_schema(acme):
        job = job_create(kind="test", label="dated", by=None)
        assert job_start(job_id=job.pk, now=NOW)
        assert not job_start(job_id=job.pk, now=NOW)  # taken once
        job_finish(job_id=job.pk, now=NOW + datetime.timedelta(minutes=5), message="ok")
        job.refresh_from_db()
        assert job.status == JobStatus.DONE
        assert job.started_at == NOW and job.finished_at == NOW + datetime.timedelta(minutes=5)
        failed = job_create(kind="test", label="failed", by=None)
        job_fail(job_id=failed.pk, message="boom", now=NOW)
        failed.refresh_from_db()
        assert failed.status == JobStatus.FAILED and failed.finished_at == NOW


def test_a_worker_is_alive_for_three_minutes_after_its_heartbeat(acme):
    with in_schema(acme):
        heartbeat_record(worker="w1", now=NOW)
        assert Heartbeat.objects.get(pk=1).beat_at == NOW
        assert worker_is_alive(now=NOW + datetime.timedelta(minutes=2))
        assert not worker_is_alive(now=NOW + datetime.timedelta(minutes=4))


def test_a_step_marked_done_without_a_date_is_done_on_the_day_the_caller_gives(acme, operator):
    from tenants.models import StepStatus
    from tenants.platform.services import onboarding_checklist_ensure, onboarding_step_update

    step = onboarding_checklist_ensure(tenant=acme, start=datetime.date(2026, 1, 5))[0]
    step = onboarding_step_update(
        step=step, by=operator, today=datetime.date(2026, 1, 9), status=StepStatus.DONE
    )
    assert step.done_on == datetime.date(2026, 1, 9)


def test_the_platform_opens_a_tenant_by_id_and_never_its_own_row(acme, platform):
    from tenants.platform.selectors import tenant_get

    assert tenant_get(pk=acme.pk) == acme
    with pytest.raises(Http404):
        tenant_get(pk=platform.pk)


def test_the_settings_tenant_is_the_one_whose_site_is_served(acme, platform):
    from tenants.settings.selectors import tenant_current

    with in_schema(acme):
        assert tenant_current() == acme
    with in_schema(platform), pytest.raises(Http404):
        tenant_current()


def test_clock_dependent_services_require_the_time_from_their_caller():
    from tenants.platform import services as platform_services

    for function, name in [
        (platform_services.tenant_create, "today"),
        (platform_services.onboarding_checklist_ensure, "start"),
        (platform_services.onboarding_step_update, "today"),
        (platform_services.tenant_activate_override, "today"),
        (platform_services.feed_access_test, "now"),
        (job_start, "now"),
        (heartbeat_record, "now"),
    ]:
        parameter = inspect.signature(function).parameters[name]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default is inspect.Parameter.empty, function.__name__
