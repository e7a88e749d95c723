"""Record rules of the ISM manual that came with the lines: the character rule on addresses and
cities, and a login contact's e-mail unique within the tenant."""

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from tests.conftest import in_schema


def test_addresses_and_cities_follow_the_character_rule(acme):
    from customers.services import customer_create

    with in_schema(acme):
        with pytest.raises(ApplicationError) as error:
            customer_create(
                now=timezone.now(),
                by=None,
                data={"kind": "business", "company_name": "ACME", "billing_city": "Saint-Étienne"},
            )
        assert error.value.field == "billing_city"
        with pytest.raises(ApplicationError) as error:
            customer_create(
                now=timezone.now(),
                by=None,
                data={"kind": "business", "company_name": "ACME", "billing_line1": "12 rue de l'Église"},
            )
        assert error.value.field == "billing_line1"
        customer = customer_create(
            now=timezone.now(),
            by=None,
            data={
                "kind": "business",
                "company_name": "ACME",
                "billing_line1": "12 RUE DES LILAS",
                "billing_city": "SAINT ETIENNE",
            },
        )
        assert customer.billing_city == "SAINT ETIENNE"


def test_a_login_email_is_unique_within_the_tenant(acme, nova):
    from customers.models import Contact
    from customers.services import contact_update, customer_create

    def create(tenant, company):
        with in_schema(tenant):
            return customer_create(
                now=timezone.now(),
                by=None,
                data={"kind": "business", "company_name": company},
                login_contact={"name": "Lea", "email": "lea@client.example"},
            )

    create(acme, "FIRST")
    create(nova, "ELSEWHERE")  # another tenant: allowed
    with pytest.raises(ApplicationError, match="déjà le contact"):
        create(acme, "SECOND")
    with in_schema(acme):
        other = customer_create(
            now=timezone.now(),
            by=None,
            data={"kind": "business", "company_name": "THIRD"},
            login_contact={"name": "Max", "email": "max@client.example"},
        )
        contact = Contact.objects.get(customer=other, role="login")
        with pytest.raises(ApplicationError, match="déjà le contact"):
            contact_update(contact=contact, by=None, name="Max", email="LEA@client.example", phone="")
