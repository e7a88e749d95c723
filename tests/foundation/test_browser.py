"""The main journey of the foundation, clicked through in Chromium."""

import uuid

import pytest

from tests.conftest import PASSWORD, in_schema

pytestmark = pytest.mark.browser


def test_staff_log_in_reaches_the_dashboard(committed_db, page, site_url):
    from accounts.models import User
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    username = f"claire-{uuid.uuid4().hex[:6]}"
    with in_schema(acme):
        user = User(username=username, role="admin", first_name="Claire", last_name="Martin")
        user.set_password(PASSWORD)
        user.save()
    page.goto(site_url("acme.localhost", "/"))
    assert "/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Tableau de bord')")
    assert "Acme Télécom" in page.inner_text(".sidebar")
    page.click("a[data-nav=audit]")
    page.wait_for_selector("[data-action='user.logged_in']")
