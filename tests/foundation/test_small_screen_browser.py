"""The back office, the portal and the platform site at 390 px (a phone) and 1366 px, in Chromium.

No main page scrolls sideways at 390 px, the menu button opens the navigation, and every page is
photographed at both sizes under test-artefacts/screenshots/ (gitignored) to be looked at."""

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, in_schema

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}

# The staff pages of a tenant (paths on acme.localhost); "{customer}" is a customer's id.
STAFF_PAGES = [
    ("dashboard", "/"),
    ("customers", "/customers/"),
    ("customer-detail", "/customers/{customer}/"),
    ("customer-usage", "/customers/{customer}/?tab=usage"),
    ("customer-form", "/customers/new/"),
    ("offers", "/catalogue/offers/"),
    ("offer-form", "/catalogue/offers/new/"),
    ("rate-tables", "/catalogue/rate-tables/"),
    ("settings", "/settings/"),
    ("settings-branding", "/settings/branding/"),
    ("settings-emails", "/settings/emails/"),
    ("settings-email-edit", "/settings/emails/account_opening/"),
    ("settings-invoicing", "/settings/invoicing/"),
    ("settings-team", "/settings/team/"),
    ("audit", "/audit/"),
]
PLATFORM_PAGES = [
    ("platform-tenants", "/tenants/"),
    ("platform-tenant", "/tenants/{tenant}/"),
    ("platform-dashboard", "/overview/"),
]


def _user(schema: str, role: str) -> str:
    from accounts.models import User
    from tenants.models import Tenant

    username = f"{role[:5]}-{uuid.uuid4().hex[:6]}"
    with in_schema(Tenant.objects.get(schema_name=schema)):
        user = User(username=username, role=role, first_name="Claire", last_name="Martin-Delacroix")
        user.set_password(PASSWORD)
        user.save()
    return username


def log_in(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit], form button[type=submit] >> nth=0")
    page.wait_for_load_state("load")


def a_customer() -> tuple[int, str]:
    """A business customer of acme with a portal account whose password is PASSWORD."""
    from django.utils import timezone

    from customers.services import customer_create
    from tenants.models import Tenant

    tag = uuid.uuid4().hex[:6]
    with in_schema(Tenant.objects.get(schema_name="acme")):
        customer = customer_create(
            now=timezone.now(),
            by=None,
            data={"kind": "business", "company_name": f"ETOILE TELECOM SERVICES INTERNATIONAL {tag.upper()}"},
            number="",
            billing_contact={"name": "Paul Compta", "email": f"compta-{tag}@etoile.example", "phone": ""},
            login_contact={"name": "Lea Admin", "email": f"lea-{tag}@etoile.example"},
        )
        portal_user = customer.portal_user
        portal_user.set_password(PASSWORD)
        portal_user.save()
        return customer.pk, portal_user.username


def main_pages(page: Any, site_url: Callable[..., str]) -> list[tuple[str, Callable[[], None]]]:
    """(name, open it) for each main page, logged in as whom it needs, in order."""
    from tenants.models import Tenant

    customer_pk, portal_username = a_customer()
    acme = Tenant.objects.get(schema_name="acme")
    staff = _user("acme", "admin")
    operator = _user("public", "platform_admin")
    visits: list[tuple[str, Callable[[], None]]] = []

    def go(host: str, path: str) -> Callable[[], None]:
        return lambda: page.goto(site_url(host, path))

    visits.append(
        ("login", lambda: (page.context.clear_cookies(), page.goto(site_url("acme.localhost", "/login/"))))
    )
    visits.append(("staff-log-in", lambda: log_in(page, site_url("acme.localhost", "/login/"), staff)))
    for name, path in STAFF_PAGES:
        visits.append((name, go("acme.localhost", path.format(customer=customer_pk))))
    visits.append(
        (
            "portal",
            lambda: (
                page.context.clear_cookies(),
                log_in(page, site_url("acme.localhost", "/portal/login/"), portal_username),
            ),
        )
    )
    visits.append(
        (
            "platform-log-in",
            lambda: (
                page.context.clear_cookies(),
                log_in(page, site_url("admin.localhost", "/login/"), operator),
            ),
        )
    )
    for name, path in PLATFORM_PAGES:
        visits.append((name, go("admin.localhost", path.format(tenant=acme.pk))))
    return visits


def _horizontal_overflow(page: Any) -> str:
    """What sticks out on the right, if the page scrolls sideways ("" if it does not)."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          if (document.scrollingElement.scrollWidth <= width) return "";
          const culprits = [];
          for (const el of document.querySelectorAll("body *")) {
            const r = el.getBoundingClientRect();
            if (r.right > width + 1 && r.width > 0) culprits.push(el.tagName + "." + el.className + " " + Math.round(r.right));
            if (culprits.length > 6) break;
          }
          return document.scrollingElement.scrollWidth + " > " + width + ": " + culprits.join(", ");
        }"""
    )


def test_no_main_page_scrolls_sideways_at_390_px_and_screenshots(page, site_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    overflowing = []
    visited = []
    for name, visit in main_pages(page, site_url):
        visit()
        if name.endswith("log-in"):
            continue
        assert page.url and "/login/" not in page.url or name == "login", (
            f"{name}: not logged in ({page.url})"
        )
        visited.append(name)
        page.set_viewport_size(PHONE)
        if overflow := _horizontal_overflow(page):
            overflowing.append(f"{name} ({page.url}): {overflow}")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"), full_page=True)
        page.set_viewport_size(LAPTOP)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-1366.png"), full_page=True)
        if overflow_wide := _horizontal_overflow(page):
            overflowing.append(f"{name} at 1366 px ({page.url}): {overflow_wide}")
        page.set_viewport_size(PHONE)
    assert len(visited) == len(STAFF_PAGES) + len(PLATFORM_PAGES) + 2
    assert not overflowing, "\n".join(overflowing)


def test_the_menu_button_opens_the_navigation_at_390_px(page, site_url):
    page.set_viewport_size(PHONE)
    log_in(page, site_url("acme.localhost", "/login/"), _user("acme", "admin"))
    page.wait_for_selector("h1")
    toggle = page.locator("button[data-menu-toggle]")
    customers = page.locator("a[data-nav=customers]")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not customers.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    customers.wait_for(state="visible")
    customers.click()
    page.wait_for_selector("h1")
    assert "/customers/" in page.url
    # The log-out button stays on the screen.
    box = page.locator("header form[action*=logout] button").bounding_box()
    assert box and box["x"] + box["width"] <= PHONE["width"]


def test_the_skip_link_leads_to_the_content(page, site_url):
    log_in(page, site_url("acme.localhost", "/login/"), _user("acme", "admin"))
    page.wait_for_selector("h1")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert focused == "#content"
