from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import in_schema

VALID_IBAN = "FR1420041010050500013M02606"
VALID_BIC = "PSSTFRPPLIL"
OTHER_IBAN = "FR7630006000011234567890189"
OTHER_BIC = "AGRIFRPP"


@pytest.fixture
def make_customer() -> Callable[..., Any]:
    """Create a business customer in a tenant's schema through the service."""

    def _make(tenant: Any, *, by: Any = None, login_email: str = "", **data: Any) -> Any:
        from customers.services import customer_create

        fields = {"kind": "business", "company_name": "ACME CLIENT", **data}
        with in_schema(tenant):
            return customer_create(
                now=timezone.now(),
                by=by,
                data=fields,
                number=fields.pop("number", ""),
                billing_contact={
                    "name": "Paul Compta",
                    "email": "compta@client.example",
                    "phone": "01 23 45 67 89",
                },
                login_contact={"name": "Lea Admin", "email": login_email} if login_email else None,
            )

    return _make
