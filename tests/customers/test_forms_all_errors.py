"""Forms show every broken rule at once, keep what was typed, and a payment or charge is shown
for confirmation (amount parsed and formatted) before it is recorded."""

from decimal import Decimal

from customers.models import Customer, LedgerEntry
from tests.conftest import in_schema


def test_a_new_customer_form_shows_all_its_errors_after_one_submit(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    response = client.post(
        "/customers/new/",
        {
            "kind": "business",
            "company_name": "",
            "siren": "123",
            "billing_email": "",
            "login_name": "Lea",
            "billing_country": "FR",
            "delivery_differs": "on",
            "delivery_country": "FR",
            "payment_mode": "sepa",
            "balance_mode": "postpaid",
            "balance_policy": "permissive",
            "iban": "FR00 1234",
            "bic": "XX",
        },
    )
    form = response.context["form"]
    assert {"company_name", "siren", "login_email", "delivery_line1", "delivery_city", "iban"} <= set(
        form.errors
    )
    assert 'value="FR00 1234"' in response.content.decode()
    with in_schema(acme):
        assert not Customer.objects.exists()


def test_a_payment_typed_twelve_fifty_is_confirmed_then_recorded(acme, make_user, make_customer, client_for):
    customer = make_customer(acme)
    client = client_for(acme, make_user(acme, "accountant"))
    url = f"/customers/{customer.pk}/payments/new/"
    data = {"payment-amount": "1 250,50", "payment-entry_date": "2026-01-15", "payment-method": "cheque"}
    review = client.post(url, {**data, "step": "review"})
    assert review.status_code == 200
    assert "1\u00a0250,50 €" in review.content.decode()
    with in_schema(acme):
        assert not LedgerEntry.objects.filter(customer=customer).exists()
    back = client.post(url, {**data, "step": "edit"}).content.decode()
    assert 'value="1 250,50"' in back and "field-error" not in back
    assert client.post(url, {**data, "step": "record"}).status_code == 302
    with in_schema(acme):
        assert LedgerEntry.objects.get(customer=customer).amount_ttc == Decimal("1250.50")


def test_a_refused_charge_keeps_what_was_typed_with_every_error(acme, make_user, make_customer, client_for):
    customer = make_customer(acme)
    client = client_for(acme, make_user(acme, "accountant"))
    response = client.post(
        f"/customers/{customer.pk}/charges/new/",
        {
            "charge-amount_ht": "-12,50",
            "charge-vat_rate": "120",
            "charge-entry_date": "2026-01-15",
            "charge-description": "Frais",
            "step": "record",
        },
    )
    assert response.status_code == 400
    form = response.context["charge_form"]
    assert {"amount_ht", "vat_rate"} <= set(form.errors)
    assert 'value="-12,50"' in response.content.decode()


def test_sales_are_told_why_there_is_no_payment_form(acme, make_user, make_customer, client_for):
    customer = make_customer(acme)
    body = client_for(acme, make_user(acme, "sales")).get(f"/customers/{customer.pk}/", {"tab": "balance"})
    text = body.content.decode()
    assert "Votre rôle (Commercial) ne permet pas d'enregistrer un paiement." in text
    assert "payment-form" not in text
