"""Chromium screenshots of the dashboards and consumption pages over the demo's data (seed_demo's
app seeders run in acme), kept under test-artefacts/screenshots/ to be looked at:
report-dashboard.png, report-line-usage.png, report-customer-usage.png, report-platform.png.

The demo's feed reaches the daily usage: the charts are not empty (bars with a height, this
month's line above its axis)."""

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.foundation.test_small_screen_browser import LAPTOP, _user, log_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "screenshots"
AXIS_Y = "204.0"  # the bottom of a chart's plot (charts.TOP + the plot's height): a value of 0


def _seed_demo_in_acme() -> tuple[int, int]:
    """Run every app's demo seeder in acme (idempotent); a line with usage and its customer."""
    from django_tenants.utils import schema_context, tenant_context

    from ism.demo import _app_seeders
    from provisioning.models import LineStatus, MobileLine
    from reports.models import DailyUsage
    from reports.selectors import allowance_use_for_lines, month_start
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    with schema_context("public"):
        for seeder in _app_seeders("seed_platform"):
            seeder()
    with tenant_context(acme):
        for seeder in _app_seeders("seed_tenant"):
            seeder(acme)
        used = set(DailyUsage.objects.exclude(mobile_line=None).values_list("mobile_line_id", flat=True))
        lines = list(MobileLine.objects.filter(status=LineStatus.ACTIVE, pk__in=used).order_by("id"))
        assert lines, "the demo feed's CDRs did not reach the daily usage"
        # The line that used the most of an allowance this month: a bar that shows.
        uses = allowance_use_for_lines(lines=lines, month=month_start(timezone.localdate()))
        line = max(
            lines,
            key=lambda li: max((a["used"] / a["allowance"].quantity for a in uses.get(li.pk, [])), default=0),
        )
        return line.pk, line.customer_id


def _bars_with_height(page: Any) -> int:
    return page.evaluate(
        "() => [...document.querySelectorAll('rect.chart-bar')]"
        ".filter(r => parseFloat(r.getAttribute('height')) > 0).length"
    )


def _dots_above_axis(page: Any) -> int:
    return page.evaluate(
        f"() => [...document.querySelectorAll('circle.chart-dot')]"
        f".filter(c => c.getAttribute('cy') !== '{AXIS_Y}').length"
    )


def _shoot(page: Any, name: str) -> None:
    page.set_viewport_size(LAPTOP)
    page.wait_for_selector("h1")
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_screenshots_of_the_dashboards_and_consumption_pages_over_the_demo(page, site_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    line_pk, customer_pk = _seed_demo_in_acme()
    this_month_has_days = timezone.localdate().day > 1
    page.set_viewport_size(LAPTOP)

    log_in(page, site_url("acme.localhost", "/login/"), _user("acme", "admin"))
    page.goto(site_url("acme.localhost", "/"))
    page.wait_for_selector("[data-testid=dashboard-usage] svg")
    assert _bars_with_height(page) > 0
    _shoot(page, "report-dashboard.png")

    page.goto(site_url("acme.localhost", f"/reports/lines/{line_pk}/usage/"))
    page.wait_for_selector("[data-testid=allowances] progress")
    assert _bars_with_height(page) > 0
    if this_month_has_days:
        assert _dots_above_axis(page) > 0
    page.click("details.figures summary")  # the figures behind the charts, one click away
    page.wait_for_selector("[data-testid=usage-months]", state="visible")
    _shoot(page, "report-line-usage.png")

    page.goto(site_url("acme.localhost", f"/customers/{customer_pk}/?tab=usage"))
    page.wait_for_selector("[data-testid=customer-allowances] progress")
    assert _bars_with_height(page) > 0
    if this_month_has_days:
        assert _dots_above_axis(page) > 0
    _shoot(page, "report-customer-usage.png")

    page.context.clear_cookies()
    log_in(page, site_url("admin.localhost", "/login/"), _user("public", "platform_admin"))
    page.goto(site_url("admin.localhost", "/overview/"))
    page.wait_for_selector("[data-testid=platform-tenants] tr[data-tenant=acme]")
    active = page.locator("tr[data-tenant=acme] [data-lines-active]").inner_text()
    assert active.strip() not in ("", "0")
    assert page.locator("tr[data-tenant=acme] [data-run]").inner_text().strip()
    _shoot(page, "report-platform.png")
