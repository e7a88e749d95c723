"""Issue 9: every API docs page of both URL confs opens in Chromium under the site's strict
Content-Security-Policy (the `page` fixture fails on any refusal Chromium reports) and lists the
API's operations.

ReDoc could not: its bundle injects `<style>` elements, starts its search worker from a `blob:`
URL and loads the Redocly logo from a CDN. The docs are Swagger UI, served from local files."""

import uuid
from typing import Any

import pytest
from django.urls import get_resolver, reverse
from drf_spectacular.views import SpectacularAPIView
from playwright.sync_api import expect

from tests.conftest import PASSWORD, in_schema
from tests.security.urlwalk import _walk

pytestmark = pytest.mark.browser


def docs_pages(urlconf: str) -> list[str]:
    """The paths of the pages drf-spectacular serves for people (not the schema itself)."""
    found = []
    for name, params, callback in _walk(get_resolver(urlconf), "", []):
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if (
            view_class is not None
            and view_class.__module__.startswith("drf_spectacular")
            and not issubclass(view_class, SpectacularAPIView)
        ):
            assert not params, name
            found.append(name)
    return [reverse(name, urlconf=urlconf) for name in found]


def _log_in(page: Any, url: str, username: str) -> None:
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _staff(schema: str, role: str) -> str:
    from accounts.models import User
    from tenants.models import Tenant

    tenant = Tenant.objects.get(schema_name=schema)
    username = f"docs-{uuid.uuid4().hex[:8]}"
    with in_schema(tenant):
        user = User(username=username, role=role)
        user.set_password(PASSWORD)
        user.save()
    return username


def _assert_operations_listed(page: Any, path: str, expected: str) -> None:
    # Swagger UI renders one `.opblock` per operation; the page fixture checks the policy. (Only the
    # first tags of the tenant's long schema render in a headless page: the operation looked for is
    # one of the first; see docs/security.md.)
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 5, path
    expect(page.locator(f".opblock-summary-path[data-path='{expected}']").first).to_be_visible()
    # Opening an operation renders its parameters and example answers: no refusal there either.
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()


def test_the_tenant_api_docs_list_the_operations_without_a_policy_refusal(committed_db, page, site_url):
    paths = docs_pages("ism.urls_tenant")
    assert "/api/v1/docs/" in paths
    _log_in(page, site_url("acme.localhost", "/login/"), _staff("acme", "admin"))
    for path in paths:
        page.goto(site_url("acme.localhost", path))
        _assert_operations_listed(page, path, "/api/v1/audit-events/")


def test_the_platform_api_docs_list_the_operations_without_a_policy_refusal(committed_db, page, site_url):
    paths = docs_pages("ism.urls_public")
    assert "/api/v1/docs/" in paths
    _log_in(page, site_url("admin.localhost", "/login/"), _staff("public", "platform_admin"))
    for path in paths:
        page.goto(site_url("admin.localhost", path))
        _assert_operations_listed(page, path, "/api/v1/tenants/")
