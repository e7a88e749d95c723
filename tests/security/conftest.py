"""Fixtures of the security review: users of every role in both tenants and a nova customer."""

from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import in_schema


@pytest.fixture
def nova_customer(nova: Any) -> Any:
    from customers.services import customer_create

    with in_schema(nova):
        return customer_create(
            now=timezone.now(),
            by=None,
            data={"kind": "business", "company_name": "NOVA SECRET CLIENT"},
            number="",
            billing_contact={"name": "Nina Compta", "email": "compta@nova-client.example", "phone": ""},
            login_contact=None,
        )


@pytest.fixture
def acme_customer(acme: Any) -> Any:
    from customers.services import customer_create

    with in_schema(acme):
        return customer_create(
            now=timezone.now(),
            by=None,
            data={"kind": "business", "company_name": "ACME CLIENT"},
            number="",
            billing_contact={"name": "Paul Compta", "email": "compta@acme-client.example", "phone": ""},
            login_contact=None,
        )


@pytest.fixture
def acme_table(acme: Any) -> Any:
    from offers.services import rate_table_create

    with in_schema(acme):
        return rate_table_create(data={"code": "ROLES", "label": "Roles"}, by=None)
