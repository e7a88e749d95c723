"""The demo customers: realistic, valid, deterministic, idempotent and fast."""

import time

from core.identifiers import clean_iban, clean_siren, clean_vat_number
from core.text import name_check
from tests.conftest import in_schema


def test_demo_customers_are_valid_varied_and_seeded_once(acme, client_for):
    from customers.demo import DEMO_CUSTOMERS, seed_tenant
    from customers.models import Customer, LedgerEntry, Mandate

    with in_schema(acme):
        started = time.monotonic()
        seed_tenant(acme)
        assert time.monotonic() - started < 5
        counts = (Customer.objects.count(), Mandate.objects.count(), LedgerEntry.objects.count())
        seed_tenant(acme)
        assert (Customer.objects.count(), Mandate.objects.count(), LedgerEntry.objects.count()) == counts
        assert counts[0] == DEMO_CUSTOMERS and counts[1] > 0 and counts[2] > 0
        assert set(Customer.objects.values_list("payment_mode", flat=True)) == {
            "sepa",
            "transfer",
            "cheque",
            "card",
        }
        assert Customer.objects.filter(balance_mode="prepaid").exists()
        assert Customer.objects.filter(balance_policy="strict").exists()
        assert (
            Customer.objects.filter(kind="consumer").exists()
            and Customer.objects.filter(kind="business").exists()
        )
        for mandate in Mandate.objects.all():
            assert clean_iban(mandate.iban) == mandate.iban
        for customer in Customer.objects.filter(kind="business"):
            name_check(customer.company_name)
            clean_siren(customer.siren)
            clean_vat_number(customer.vat_number)
        portal = Customer.objects.get(number="C000001").portal_user
    client = client_for(acme)
    assert (
        client.post("/portal/login/", {"username": "C000001", "password": "demo-ism-2026"}).status_code == 302
    )
    assert "C000001" in client.get("/portal/").content.decode()
    assert portal.role == "customer"


def test_a_new_customer_after_the_demo_gets_the_next_number(acme, make_customer):
    from customers.demo import seed_tenant

    with in_schema(acme):
        seed_tenant(acme)
    assert make_customer(acme).number == "C000301"
