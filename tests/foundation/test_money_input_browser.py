"""Amounts typed the French way in Chromium: `12,50` in every money field of every form is stored
as 12.50 (an <input type="number"> would have read 1250), and forms show all their errors at once."""

import uuid
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD, in_schema

pytestmark = pytest.mark.browser

TYPED = "12,50"
STORED = Decimal("12.50")


def _log_in(page, site_url, tenant, role, path):
    from accounts.models import User

    username = f"{role}-{uuid.uuid4().hex[:6]}"
    with in_schema(tenant):
        user = User(username=username, role=role)
        user.set_password(PASSWORD)
        user.save()
    page.goto(site_url("acme.localhost", path))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return user


def _type_amounts(page, names):
    for name in names:
        field = page.locator(f"main form [name={name}]").first
        assert field.get_attribute("type") == "text" and field.get_attribute("inputmode") == "decimal"
        field.fill("")
        field.press_sequentially(TYPED)


def test_twelve_fifty_typed_in_each_catalogue_money_field_is_stored_as_12_50(committed_db, page, site_url):
    from offers.models import Offer, Option, Product, Rate, RateTable, Terminal
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    tag = uuid.uuid4().hex[:6].upper()
    _log_in(page, site_url, acme, "admin", "/catalogue/offers/new/")

    forms = [
        ("offers", Offer, {"code": f"OFF-{tag}", "label": "Offre virgule"}, ["price", "vat_rate"]),
        ("options", Option, {"code": f"OPT-{tag}", "label": "Option virgule"}, ["price", "vat_rate"]),
        ("products", Product, {"code": f"PRD-{tag}", "label": "Service virgule"}, ["price", "vat_rate"]),
        (
            "terminals",
            Terminal,
            {
                "code": f"TRM-{tag}",
                "label": "Mobile virgule",
                "brand": "Marque",
                "model": "Modele",
                "instalment_months": "12",
            },
            ["price", "instalment_price", "rental_price", "vat_rate"],
        ),
    ]
    for kind, model, texts, amounts in forms:
        page.goto(site_url("acme.localhost", f"/catalogue/{kind}/new/"))
        for name, value in texts.items():
            page.fill(f"main form [name={name}]", value)
        _type_amounts(page, amounts)
        page.click("main form button.primary, main form button[type=submit] >> nth=-1")
        page.wait_for_selector(f"h1:has-text('{texts['code']}')")
        with in_schema(acme):
            item = model.objects.get(code=texts["code"])
            for name in amounts:
                assert getattr(item, name) == STORED, (kind, name)

    with in_schema(acme):
        table = RateTable.objects.create(code=f"TAB-{tag}", label="Grille virgule")
    page.goto(site_url("acme.localhost", f"/catalogue/rate-tables/{table.pk}/rates/new/"))
    page.fill("main form [name=prefix]", "33")
    page.fill("main form [name=destination]", "France")
    page.fill("main form [name=zone]", "FR")
    page.select_option("main form [name=event_type]", "VOICE")
    page.select_option("main form [name=unit]", "MIN")
    page.fill("main form [name=first_increment]", "60")
    page.fill("main form [name=next_increment]", "60")
    _type_amounts(page, ["price", "connection_fee"])
    page.click("main form button[type=submit] >> nth=-1")
    page.wait_for_selector(f"h1:has-text('TAB-{tag}')")
    with in_schema(acme):
        rate = Rate.objects.get(table=table, prefix="33")
    assert (rate.price, rate.connection_fee) == (STORED, STORED)


def test_a_payment_and_a_charge_typed_12_50_are_confirmed_then_stored(committed_db, page, site_url):
    from customers.models import Customer, LedgerEntry
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    with in_schema(acme):
        customer = Customer.objects.create(
            number=f"C{uuid.uuid4().hex[:8].upper()}", company_name="CLIENT VIRGULE"
        )
    _log_in(page, site_url, acme, "accountant", f"/customers/{customer.pk}/?tab=balance")

    page.wait_for_selector("[data-testid=payment-form]")
    # Two forms on one page: each label points at its own input.
    assert page.locator("label[for=id_payment-amount]").count() == 1
    assert page.locator("label[for=id_charge-amount_ht]").count() == 1
    page.locator("#id_payment-amount").press_sequentially("1 250,50")
    page.click("[data-testid=payment-form] button[type=submit]")
    assert page.inner_text("[data-testid=confirm-amount]").replace("\u00a0", " ") == "1 250,50 €"
    page.click("[data-testid=entry-confirm] button[value=edit]")
    # Back to the form, as typed; the amount is corrected and confirmed.
    assert page.input_value("#id_payment-amount") == "1 250,50"
    page.fill("#id_payment-amount", "")
    page.locator("#id_payment-amount").press_sequentially(TYPED)
    page.click("[data-testid=payment-form] button[type=submit]")
    assert page.inner_text("[data-testid=confirm-amount]") == "12,50\u00a0€".replace("\u00a0", " ")
    page.click("[data-testid=entry-confirm] button[value=record]")
    page.wait_for_selector("[data-testid=charge-form]")

    page.locator("#id_charge-amount_ht").press_sequentially(TYPED)
    page.fill("#id_charge-vat_rate", "")
    page.locator("#id_charge-vat_rate").press_sequentially("20,00")
    page.fill("#id_charge-description", "Frais de dossier")
    page.click("[data-testid=charge-form] button[type=submit]")
    assert page.inner_text("[data-testid=confirm-amount]") == "12,50 €"
    page.click("[data-testid=entry-confirm] button[value=record]")
    page.wait_for_selector("[data-testid=charge-form]")
    with in_schema(acme):
        payment = LedgerEntry.objects.get(customer=customer, kind="payment")
        charge = LedgerEntry.objects.get(customer=customer, kind="charge")
    assert payment.amount_ttc == STORED
    assert (charge.amount_ht, charge.vat_rate, charge.amount_ttc) == (
        STORED,
        Decimal("20.00"),
        Decimal("-15.00"),
    )


def test_a_new_customer_and_a_new_offer_show_every_error_at_once_and_keep_the_input(
    committed_db, page, site_url
):
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    _log_in(page, site_url, acme, "admin", "/customers/new/")
    page.wait_for_selector("#customer-form")
    # The delivery address and the bank details are shown only when they apply.
    assert page.locator("[data-testid=delivery-address]").is_hidden()
    assert page.locator("[data-testid=sepa-details]").is_hidden()
    page.check("#id_delivery_differs")
    assert page.locator("[data-testid=delivery-address]").is_visible()
    page.select_option("#id_payment_mode", "sepa")
    assert page.locator("[data-testid=sepa-details]").is_visible()
    page.fill("#id_siren", "123")
    page.fill("#id_billing_email", "compta@virgule.example")
    page.fill("#id_iban", "FR00 garbage")
    page.fill("#id_bic", "XX")
    page.click("#customer-form button[type=submit]")
    page.wait_for_selector(".field-error")
    errors = page.locator("#customer-form .has-error")
    names = {
        errors.nth(i).locator("input, select").first.get_attribute("name") for i in range(errors.count())
    }
    assert {"company_name", "siren", "delivery_line1", "delivery_city", "iban"} <= names, names
    assert page.input_value("#id_siren") == "123"
    assert page.input_value("#id_iban") == "FR00 garbage"

    page.goto(site_url("acme.localhost", "/catalogue/offers/new/"))
    page.fill("main form [name=code]", f"ERR-{uuid.uuid4().hex[:6].upper()}")
    page.fill("main form [name=price]", "douze")
    page.fill("main form [name=vat_rate]", "1.250,5")
    page.uncheck("main form [name=commitment_none]")
    page.fill("main form [name=valid_from]", "2026-05-01")
    page.fill("main form [name=valid_to]", "2026-04-01")
    page.click("main form button[type=submit] >> nth=-1")
    page.wait_for_selector(".field-error")
    text = page.inner_text("main")
    assert "douze n'est pas un montant" in text and "mélange une virgule et un point" in text
    assert page.input_value("main form [name=price]") == "douze"
    assert "label" in {
        page.locator("main form .has-error").nth(i).locator("input, select").first.get_attribute("name")
        for i in range(page.locator("main form .has-error").count())
    }
