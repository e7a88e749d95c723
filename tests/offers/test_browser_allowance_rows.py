"""Issue 10 in Chromium: the offer form's "add a row" button gives as many allowance rows as
needed (static/js/formsets.js, no inline script), and all of them are saved."""

import uuid

import pytest

from tests.conftest import PASSWORD, in_schema

pytestmark = pytest.mark.browser


def test_staff_add_three_allowance_rows_to_a_new_offer(committed_db, page, site_url):
    from accounts.models import User
    from offers.models import Offer
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    suffix = uuid.uuid4().hex[:6].upper()
    username = f"rows-{suffix.lower()}"
    with in_schema(acme):
        user = User(username=username, role="admin")
        user.set_password(PASSWORD)
        user.save()
    page.goto(site_url("acme.localhost", "/catalogue/offers/new/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-formset-add]")

    page.fill("input[name=code]", f"ROWS-{suffix}")
    page.fill("input[name=label]", "Trois forfaits")
    page.fill("input[name=price]", "9.99")
    assert page.locator("[data-allowance-row]").count() == 1
    page.click("[data-formset-add]")
    page.click("[data-formset-add]")
    page.click("[data-formset-add]")
    assert page.locator("tbody[data-formset-body] [data-allowance-row]").count() == 4
    assert page.input_value("input[name=allowances-TOTAL_FORMS]") == "4"
    rows = [("VOICE", "MIN", "120"), ("SMS", "EVENT", "100"), ("DATA", "MB", "5120")]
    for index, (kind, unit, quantity) in enumerate(rows):
        page.select_option(f"select[name=allowances-{index}-event_type]", kind)
        page.fill(f"input[name=allowances-{index}-zones]", "")
        page.fill(f"input[name=allowances-{index}-origin_zones]", "HOME")
        page.fill(f"input[name=allowances-{index}-quantity]", quantity)
        page.select_option(f"select[name=allowances-{index}-unit]", unit)
    page.click("button.primary:has-text('Enregistrer')")
    page.wait_for_selector(f"h1:has-text('ROWS-{suffix}')")

    with in_schema(acme):
        offer = Offer.objects.get(code=f"ROWS-{suffix}")
        assert [(a.event_type, a.quantity) for a in offer.allowances.all()] == [
            ("VOICE", 120),
            ("SMS", 100),
            ("DATA", 5120),
        ]
