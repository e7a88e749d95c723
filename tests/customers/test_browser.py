"""The customer journey, clicked through in Chromium: a sales user creates a business customer
with a SEPA mandate; the customer chooses a password from the e-mailed link and sees the portal."""

import re
import uuid

import pytest
from django.core import mail

from tests.conftest import PASSWORD, in_schema
from tests.customers.conftest import VALID_BIC, VALID_IBAN

pytestmark = pytest.mark.browser


def test_sales_creates_a_sepa_customer_who_then_logs_in_to_the_portal(committed_db, page, site_url):
    from accounts.models import User
    from customers.models import Customer
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    tag = uuid.uuid4().hex[:6]
    username = f"sales-{tag}"
    with in_schema(acme):
        user = User(username=username, role="sales", first_name="Julien", last_name="Bernard")
        user.set_password(PASSWORD)
        user.save()
    mail.outbox = []

    page.goto(site_url("acme.localhost", "/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Tableau de bord')")
    page.click("a[data-nav=customers]")
    page.click("[data-testid=new-customer]")
    page.fill("#id_company_name", f"Société L'Étoile-Bleue {tag}")
    page.click("[data-testid=normalise]")
    expected_name = f"SOCIETE L ETOILE BLEUE {tag.upper()}"
    # Not wait_for_function: Playwright would evaluate its string, which the page's CSP refuses.
    from playwright.sync_api import expect

    expect(page.locator("#id_company_name")).to_have_value(expected_name)
    page.fill("#id_billing_email", f"compta-{tag}@etoile.example")
    page.fill("#id_login_name", "Lea Admin")
    page.fill("#id_login_email", f"lea-{tag}@etoile.example")
    page.check("#id_send_logins")
    page.fill("#id_billing_line1", "12 rue des Lilas")
    page.fill("#id_billing_postal_code", "69003")
    page.fill("#id_billing_city", "Lyon")
    page.select_option("#id_payment_mode", "sepa")
    page.fill("#id_iban", VALID_IBAN)
    page.fill("#id_bic", VALID_BIC)
    page.click("#customer-form button[type=submit]")
    page.wait_for_selector(f"h1:has-text('{expected_name}')")
    assert "Mandat SEPA" in page.inner_text("main")
    with in_schema(acme):
        customer = Customer.objects.get(company_name=expected_name)
        assert customer.mandates.get().iban == VALID_IBAN

    # The customer opens the link of the account-opening e-mail and chooses a password.
    messages = [m for m in mail.outbox if m.to == [f"lea-{tag}@etoile.example"]]
    assert len(messages) == 1
    path = re.search(r"http://acme\.localhost[^/\s]*(/reset/\S+)", messages[0].body).group(1)
    page.context.clear_cookies()
    page.goto(site_url("acme.localhost", path))
    page.fill("input[name=new_password1]", "Une-phrase-longue-2026")
    page.fill("input[name=new_password2]", "Une-phrase-longue-2026")
    page.click("main button[type=submit]")
    page.goto(site_url("acme.localhost", "/portal/login/"))
    assert "Espace client" in page.inner_text("main")
    page.fill("input[name=username]", customer.number)
    page.fill("input[name=password]", "Une-phrase-longue-2026")
    page.click("button[type=submit]")
    page.wait_for_selector(f"h1:has-text('{expected_name}')")
    body = page.inner_text("main")
    assert customer.number in body and "Mandat de prélèvement" in body and "pas encore de ligne" in body
