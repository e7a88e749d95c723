"""The report pages in Chromium over the demo's data, seeded ONCE for the module (every app's
`seed_platform` and `seed_tenant` in acme), photographed under test-artefacts/screenshots/:

- report-dashboard.png, report-line-usage.png, report-customer-usage.png, report-platform.png: the
  dashboards and consumption pages; the demo's feed reaches the daily usage, so the charts are not
  empty (bars with a height, this month's line above its axis);
- report-finance.png, report-finance-390.png: the financial report; the demo's billed month shows
  revenue, the chart is drawn, nothing scrolls sideways at 390 px;
- report-whatif.png, report-whatif-best-offer-390.png: a what-if comparison (last month under
  another table) and the best offer of the demo customer with the most usage.

The demo is seeded once for the three (it took minutes each), committed as before (the live
server's thread must see it; every app's seeder is idempotent, the users have unique names).
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_schema
from tests.foundation.test_small_screen_browser import LAPTOP, PHONE, _horizontal_overflow, log_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "screenshots"
AXIS_Y = "204.0"  # the bottom of a chart's plot (charts.TOP + the plot's height): a value of 0


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo seeded (and committed: the live server's thread must see it) in acme, once."""
    from ism.demo import _app_seeders
    from provisioning.models import LineStatus, MobileLine
    from reports.models import DailyUsage, WhatIfKind, WhatIfRun
    from reports.selectors import allowance_use_for_lines, month_start
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        acme = Tenant.objects.get(schema_name="acme")
        with in_schema(Tenant.objects.get(schema_name="public")):
            for seeder in _app_seeders("seed_platform"):
                seeder()
        with in_schema(acme):
            for seeder in _app_seeders("seed_tenant"):
                seeder(acme)
            used = set(DailyUsage.objects.exclude(mobile_line=None).values_list("mobile_line_id", flat=True))
            lines = list(MobileLine.objects.filter(status=LineStatus.ACTIVE, pk__in=used).order_by("id"))
            assert lines, "the demo feed's CDRs did not reach the daily usage"
            # The line that used the most of an allowance this month: a bar that shows.
            uses = allowance_use_for_lines(lines=lines, month=month_start(timezone.localdate()))
            line = max(
                lines,
                key=lambda li: max(
                    (a["used"] / a["allowance"].quantity for a in uses.get(li.pk, [])), default=0
                ),
            )
            runs = {
                "catalogue": WhatIfRun.objects.get(kind=WhatIfKind.CATALOGUE),
                "best": WhatIfRun.objects.get(kind=WhatIfKind.BEST_OFFER),
            }
        connection.set_schema_to_public()
    yield {"acme": acme, "line": line.pk, "customer": line.customer_id, **runs}


@pytest.fixture
def site(page: Any, site_url: Callable[..., str]) -> Callable[..., str]:
    """`site(tenant, user)`: logged in to the tenant's site as `user`; returns its base URL."""

    def _site(tenant: Any, user: Any) -> str:
        host = "admin.localhost" if tenant.schema_name == "public" else f"{tenant.schema_name}.localhost"
        log_in(page, site_url(host, "/login/"), user.username)
        return site_url(host, "").rstrip("/")

    return _site


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


def test_screenshots_of_the_dashboards_and_consumption_pages_over_the_demo(demo, page, site, make_user):
    from tenants.models import Tenant

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    this_month_has_days = timezone.localdate().day > 1
    page.set_viewport_size(LAPTOP)

    acme = site(demo["acme"], make_user(demo["acme"], "admin"))
    page.goto(f"{acme}/")
    page.wait_for_selector("[data-testid=dashboard-usage] svg")
    assert _bars_with_height(page) > 0
    page.wait_for_selector("[data-testid=dashboard-finance] svg")
    assert page.locator("[data-testid=dashboard-finance] rect.chart-bar").count() == 6
    _shoot(page, "report-dashboard.png")

    page.goto(f"{acme}/reports/lines/{demo['line']}/usage/")
    page.wait_for_selector("[data-testid=allowances] progress")
    assert _bars_with_height(page) > 0
    if this_month_has_days:
        assert _dots_above_axis(page) > 0
    page.click("details.figures summary")  # the figures behind the charts, one click away
    page.wait_for_selector("[data-testid=usage-months]", state="visible")
    _shoot(page, "report-line-usage.png")

    page.goto(f"{acme}/customers/{demo['customer']}/?tab=usage")
    page.wait_for_selector("[data-testid=customer-allowances] progress")
    assert _bars_with_height(page) > 0
    if this_month_has_days:
        assert _dots_above_axis(page) > 0
    _shoot(page, "report-customer-usage.png")

    page.context.clear_cookies()
    platform = Tenant.objects.get(schema_name="public")
    admin = site(platform, make_user(platform, "platform_admin"))
    page.goto(f"{admin}/overview/")
    page.wait_for_selector("[data-testid=platform-tenants] tr[data-tenant=acme]")
    active = page.locator("tr[data-tenant=acme] [data-lines-active]").inner_text()
    assert active.strip() not in ("", "0")
    assert page.locator("tr[data-tenant=acme] [data-run]").inner_text().strip()
    _shoot(page, "report-platform.png")


def test_financial_report_over_the_demo_data(demo, page, site, make_user):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(LAPTOP)
    acme = site(demo["acme"], make_user(demo["acme"], "admin", first_name="Claire", last_name="Martin"))
    page.goto(f"{acme}/reports/finance/")
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


def test_a_what_if_comparison_over_the_demo_data(demo, page, site, make_user):
    catalogue, best = demo["catalogue"], demo["best"]
    assert catalogue.result["cdrs"] > 0 and len(best.result["scenarios"]) >= 2
    acme = site(demo["acme"], make_user(demo["acme"], "admin"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for run, name, viewport in (
        (catalogue, "report-whatif.png", {"width": 1366, "height": 900}),
        (best, "report-whatif-best-offer-390.png", PHONE),
    ):
        page.set_viewport_size(viewport)
        response = page.goto(acme + reverse("reports:whatif_detail", args=[run.pk]))
        assert response is not None and response.status == 200
        assert "€" in page.content()
        page.wait_for_load_state("load")
        assert page.locator("[data-testid=whatif-comparison]").is_visible()
        # nothing scrolls sideways on a phone
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
