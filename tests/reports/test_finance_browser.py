"""The financial report in Chromium over the demo data (acme, every app's `seed_tenant`): the
demo's billed month shows revenue, the chart is drawn, nothing scrolls sideways at 390 px; the
page is photographed as test-artefacts/screenshots/report-finance.png."""

import uuid
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, in_schema
from tests.foundation.test_small_screen_browser import LAPTOP, PHONE, _horizontal_overflow, log_in

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "screenshots"


def test_financial_report_over_the_demo_data(page, site_url):
    from accounts.models import User
    from ism.demo import _app_seeders
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    username = f"fin-{uuid.uuid4().hex[:6]}"
    with in_schema(acme):
        for seeder in _app_seeders("seed_tenant"):
            seeder(acme)
        user = User(username=username, role="admin", first_name="Claire", last_name="Martin")
        user.set_password(PASSWORD)
        user.save()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(LAPTOP)
    log_in(page, site_url("acme.localhost", "/login/"), username)
    page.goto(site_url("acme.localhost", "/reports/finance/"))
    page.wait_for_selector("[data-testid=finance-chart] svg")
    revenue = page.locator("[data-total=revenue]").inner_text()
    assert revenue.strip() not in ("0,00 €", ""), revenue
    assert page.locator("[data-testid=finance-table] tbody tr").count() == 12
    assert page.locator("svg.chart rect.chart-bar").count() == 12
    page.screenshot(path=str(SCREENSHOTS / "report-finance.png"), full_page=True)
    assert _horizontal_overflow(page) == ""
    page.set_viewport_size(PHONE)
    assert _horizontal_overflow(page) == ""
    page.screenshot(path=str(SCREENSHOTS / "report-finance-390.png"), full_page=True)
