"""Each staff role reaches exactly the write endpoints its capabilities allow
(accounts/permissions.py): sales cannot change settings, support cannot record payments,
the accountant cannot edit the catalogue, only admins manage the team…"""

import pytest

from accounts.permissions import CAPABILITIES

ROLES = ["admin", "sales", "support", "accountant"]
# (method, path, capability needed); {c} is one of acme's customers.
PAGES = [
    ("post", "/settings/bank/", "settings.manage"),
    ("post", "/settings/branding/", "settings.manage"),
    ("post", "/settings/domains/", "settings.manage"),
    ("post", "/settings/emails/invoice/", "settings.manage"),
    ("post", "/settings/invoicing/", "settings.manage"),
    ("post", "/settings/team/", "staff.manage"),
    ("post", "/customers/new/", "customers.write"),
    ("post", "/customers/{c}/edit/", "customers.write"),
    ("post", "/customers/{c}/mandates/new/", "customers.write"),
    ("post", "/customers/{c}/send-logins/", "customers.write"),
    ("post", "/customers/{c}/payments/new/", "payments.write"),
    ("post", "/customers/{c}/charges/new/", "payments.write"),
    ("post", "/catalogue/offers/new/", "catalogue.write"),
    ("post", "/catalogue/rate-tables/new/", "catalogue.write"),
    ("post", "/customers/{c}/delete/", "customers.write"),
    ("post", "/catalogue/rate-tables/{t}/edit/", "catalogue.write"),
    ("post", "/catalogue/rate-tables/{t}/upload/", "catalogue.write"),
    ("post", "/catalogue/rate-tables/{t}/copy/", "catalogue.write"),
    ("post", "/catalogue/rate-tables/{t}/archive/", "catalogue.write"),
    ("post", "/catalogue/rate-tables/{t}/rates/new/", "catalogue.write"),
    ("get", "/billing/invoice-preview/?mode=nothing", "settings.manage"),
    ("get", "/audit/", "audit.view"),
]
API = [
    ("post", "/api/v1/customers/", "customers.write"),
    ("patch", "/api/v1/customers/{c}/", "customers.write"),
    ("post", "/api/v1/customers/{c}/contacts/", "customers.write"),
    ("post", "/api/v1/customers/{c}/mandates/", "customers.write"),
    ("post", "/api/v1/customers/{c}/ledger-entries/", "payments.write"),
    ("post", "/api/v1/offers/", "catalogue.write"),
    ("post", "/api/v1/options/", "catalogue.write"),
    ("post", "/api/v1/products/", "catalogue.write"),
    ("post", "/api/v1/terminals/", "catalogue.write"),
    ("post", "/api/v1/rate-tables/", "catalogue.write"),
    ("post", "/api/v1/rate-tables/{t}/archive/", "catalogue.write"),
    ("post", "/api/v1/rate-tables/{t}/upload/", "catalogue.write"),
    ("put", "/api/v1/settings/bank-details/", "settings.manage"),
    ("put", "/api/v1/settings/branding/", "settings.manage"),
    ("put", "/api/v1/settings/invoicing/", "settings.manage"),
    ("put", "/api/v1/settings/email-templates/invoice/", "settings.manage"),
    ("get", "/api/v1/settings/bank-details/", "settings.manage"),
    ("get", "/api/v1/audit-events/", "audit.view"),
]


def _case_id(case: tuple[str, str, str]) -> str:
    return f"{case[0]} {case[1]}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", PAGES, ids=_case_id)
def test_a_staff_page_write_needs_its_capability(
    case, role, acme, acme_customer, acme_table, make_user, client_for
):
    method, path, capability = case
    allowed = role in CAPABILITIES[capability]
    response = getattr(client_for(acme, make_user(acme, role)), method)(
        path.format(c=acme_customer.pk, t=acme_table.pk)
    )
    assert response.status_code != 500
    if allowed:
        assert response.status_code != 403, f"{role} refused on {path}"
    else:
        assert response.status_code == 403, f"{role} got {response.status_code} on {path}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", API, ids=_case_id)
def test_an_api_write_needs_its_capability(case, role, acme, acme_customer, acme_table, make_user, api_for):
    method, path, capability = case
    allowed = role in CAPABILITIES[capability]
    response = getattr(api_for(acme, make_user(acme, role)), method)(
        path.format(c=acme_customer.pk, t=acme_table.pk), {}, format="json"
    )
    assert response.status_code != 500
    if allowed:
        assert response.status_code != 403, f"{role} refused on {path}"
    else:
        assert response.status_code == 403, f"{role} got {response.status_code} on {path}"


def test_the_matrix_matches_the_roles_the_product_promises():
    assert "sales" not in CAPABILITIES["settings.manage"]
    assert "support" not in CAPABILITIES["billing.run"] and "support" not in CAPABILITIES["payments.write"]
    assert "accountant" not in CAPABILITIES["catalogue.write"]
    assert CAPABILITIES["staff.manage"] == {"admin"}
