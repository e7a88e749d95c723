"""A what-if comparison in Chromium, over the demo data (`seed_demo`'s app seeders): photographed
under test-artefacts/screenshots/ (report-whatif.png: last month under another table; and the
best offer of the demo customer with the most usage).

The demo is seeded in the test's own transaction (rolled back: nothing committed that the other
browser tests would see); the page is rendered by the test client and shown by Chromium at the
live server's address, its styles and scripts served by the live server as usual."""

from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import in_schema

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "screenshots"


def _shoot(browser, url: str, html: str, name: str, viewport: dict[str, int]) -> None:
    context = browser.new_context(locale="fr-FR", viewport=viewport)
    try:
        page = context.new_page()
        page.route(
            url, lambda route: route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8")
        )
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.locator("[data-testid=whatif-comparison]").is_visible()
        # nothing scrolls sideways on a phone
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    finally:
        context.close()


def test_a_what_if_comparison_over_the_demo_data(acme, make_user, client_for, browser, live_server_port):
    from ism.demo import _app_seeders
    from reports.models import WhatIfKind, WhatIfRun

    with in_schema(acme):
        for seeder in _app_seeders("seed_tenant"):
            seeder(acme)
        catalogue = WhatIfRun.objects.get(kind=WhatIfKind.CATALOGUE)
        best = WhatIfRun.objects.get(kind=WhatIfKind.BEST_OFFER)
        assert catalogue.result["cdrs"] > 0 and len(best.result["scenarios"]) >= 2
    client = client_for(acme, make_user(acme, "admin"))
    for run, name, viewport in (
        (catalogue, "report-whatif.png", {"width": 1366, "height": 900}),
        (best, "report-whatif-best-offer-390.png", {"width": 390, "height": 844}),
    ):
        path = reverse("reports:whatif_detail", args=[run.pk])
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "€" in html
        _shoot(browser, f"http://acme.localhost:{live_server_port}{path}", html, name, viewport)
