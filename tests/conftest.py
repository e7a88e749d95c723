"""Test harness.

- Real PostgreSQL: pytest-django creates `test_<db>`; this file then creates the platform and two
  tenant schemas (acme, nova) once per session. Each test runs in a transaction rolled back at its
  end, and the connection is put back on the public schema.
- Clients are bound to a host (`acme.localhost`, `nova.localhost`, `admin.localhost`), exactly as
  a browser reaches each site.
- Browser tests (marker `browser`) drive Debian's Chromium through Playwright against the live
  server; they commit their data, so they run last and use unique names.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, tenant_context
from rest_framework.test import APIClient

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

PASSWORD = "correct-horse-battery-9"
TENANT_SPECS = {
    "acme": {
        "name": "Acme Télécom",
        "kind": "integrator",
        "operator_code": "ACME",
        "domain": "acme.localhost",
    },
    "nova": {"name": "Nova Mobile", "kind": "vno", "operator_code": "NOVA", "domain": "nova.localhost"},
}
PUBLIC_DOMAIN = "admin.localhost"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Committing tests (browser, worker) go last so the rolled-back ones never see their data.
    items.sort(
        key=lambda item: 1 if item.get_closest_marker("browser") or item.get_closest_marker("worker") else 0
    )


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_keepdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """The test database, always (pytest-django skips it when no selected test asks for `db`,
    and a committing test would then write into the real database), with the platform and two
    tenant schemas."""
    from django.test.utils import setup_databases, teardown_databases

    from tenants.models import Domain, Tenant, TenantStatus
    from tenants.platform.services import platform_ensure

    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases={"default"},
            keepdb=django_db_keepdb,
        )
        if not connection.settings_dict["NAME"].startswith("test_"):
            pytest.exit(
                f"refusing to run tests on database {connection.settings_dict['NAME']!r}", returncode=3
            )
        platform_ensure(domain=PUBLIC_DOMAIN)
        for schema, spec in TENANT_SPECS.items():
            if not Tenant.objects.filter(schema_name=schema).exists():
                tenant = Tenant(
                    schema_name=schema,
                    name=spec["name"],
                    kind=spec["kind"],
                    operator_code=spec["operator_code"],
                    status=TenantStatus.ACTIVE,
                )
                tenant.save()
                Domain.objects.create(domain=spec["domain"], tenant=tenant, is_primary=True, status="active")
        connection.set_schema_to_public()
    yield
    if django_db_keepdb:
        return
    with django_db_blocker.unblock():
        # Threads of the live server and worker processes may still hold connections.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(scope="session", autouse=True)
def _tasks_in_process(django_db_setup: None) -> None:
    from ism.celery import app as celery_app

    celery_app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _fresh_throttle_counters() -> Iterator[None]:
    """Throttle counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


def _tenant(schema: str) -> Any:
    from tenants.models import Tenant

    return Tenant.objects.get(schema_name=schema)


@pytest.fixture
def acme(db: None) -> Any:
    return _tenant("acme")


@pytest.fixture
def nova(db: None) -> Any:
    return _tenant("nova")


@pytest.fixture
def platform(db: None) -> Any:
    return _tenant("public")


@contextmanager
def in_schema(tenant: Any) -> Iterator[None]:
    """Run the block in `tenant`'s schema (or public)."""
    if tenant.schema_name == "public":
        with schema_context("public"):
            yield
    else:
        with tenant_context(tenant):
            yield


def domain_of(tenant: Any) -> str:
    if tenant.schema_name == "public":
        return PUBLIC_DOMAIN
    return TENANT_SPECS[tenant.schema_name]["domain"]


@pytest.fixture
def make_user() -> Callable[..., Any]:
    """Create a user in a tenant's schema: `make_user(acme, "admin")`."""

    def _make(tenant: Any, role: str = "admin", username: str | None = None, **fields: Any) -> Any:
        from accounts.models import User

        with in_schema(tenant):
            user = User(
                username=username or f"{role}-{uuid.uuid4().hex[:6]}",
                role=role,
                email=fields.pop("email", f"{role}@{domain_of(tenant)}"),
                **fields,
            )
            user.set_password(PASSWORD)
            user.save()
        return user

    return _make


@pytest.fixture
def client_for() -> Callable[..., Client]:
    """A test client on a tenant's domain, optionally logged in as `user`."""

    def _client(tenant: Any, user: Any = None) -> Client:
        client = Client(HTTP_HOST=domain_of(tenant))
        if user is not None:
            with in_schema(tenant):
                client.force_login(user)
            connection.set_schema_to_public()
        return client

    return _client


@pytest.fixture
def api_for() -> Callable[..., APIClient]:
    """An API client on a tenant's domain, authenticated by `user`'s token."""

    def _api(tenant: Any, user: Any = None) -> APIClient:
        from accounts.models import ApiToken

        api = APIClient(HTTP_HOST=domain_of(tenant))
        if user is not None:
            with in_schema(tenant):
                token = ApiToken.objects.filter(user=user).first() or ApiToken.objects.create(user=user)
            api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return _api


# --- Browser tests ---------------------------------------------------------------------------
@pytest.fixture
def committed_db(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Database access that commits (the live server's thread must see the data)."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("ISM_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server_port(django_db_setup: None, django_db_blocker: Any) -> Iterator[int]:
    """Our own live server: pytest-django's flushes every table after each test that uses it,
    which would erase the tenants of the session."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("localhost", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield thread.port
    thread.terminate()


@pytest.fixture
def page(browser: Any, live_server_port: int, committed_db: None) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(15000)
    page = context.new_page()
    # A script or style the Content-Security-Policy refuses fails the test (Chromium reports it
    # on the console: "Refused to … because it violates the following Content Security Policy").
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{message.text} ({message.location})")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on(
        "pageerror",
        lambda error: violations.append(str(error)) if "Content Security Policy" in str(error) else None,
    )
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def site_url(live_server_port: int) -> Callable[..., str]:
    """`site_url("acme.localhost", "/login/")` → the live server's URL on that host."""

    def _url(host: str, path: str = "/") -> str:
        return f"http://{host}:{live_server_port}{path}"

    return _url
