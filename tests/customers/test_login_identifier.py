"""Issue 5: the login identifier defaults to the customer number, may be typed in, and is unique
among the tenant's accounts (staff included)."""

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from tests.conftest import in_schema


def test_a_typed_login_is_the_portal_username(acme, make_customer):
    customer = make_customer(acme, login_email="typed@client.example")
    with in_schema(acme):
        from customers.services import customer_create

        other = customer_create(
            now=timezone.now(),
            by=None,
            data={"kind": "business", "company_name": "CLIENT LOGIN"},
            login="client.login",
            login_contact={"name": "Lea", "email": "lea@client.example"},
        )
        assert customer.portal_user.username == customer.number
        assert other.portal_user.username == "client.login"


def test_a_login_already_taken_by_anyone_of_the_tenant_is_refused_with_its_field(acme, make_user):
    staff = make_user(acme, "sales")
    with in_schema(acme):
        from customers.models import Customer
        from customers.services import customer_create

        with pytest.raises(ApplicationError) as refused:
            customer_create(
                now=timezone.now(),
                by=None,
                data={"kind": "business", "company_name": "CLIENT DOUBLON"},
                login=staff.username.upper(),
                login_contact={"name": "Lea", "email": "lea@client.example"},
            )
        assert refused.value.field == "login" and staff.username.upper() in refused.value.message
        assert not Customer.objects.filter(company_name="CLIENT DOUBLON").exists()


def test_the_same_login_in_another_tenant_is_allowed(acme, nova):
    from customers.services import customer_create

    for tenant in (acme, nova):
        with in_schema(tenant):
            created = customer_create(
                now=timezone.now(),
                by=None,
                data={"kind": "business", "company_name": "CLIENT PARTOUT"},
                login="client.partout",
                login_contact={"name": "Lea", "email": "lea@client.example"},
            )
            assert created.portal_user.username == "client.partout"
