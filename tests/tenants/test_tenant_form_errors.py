"""The new-tenant form: every broken rule after one submit; the share capital typed the French way."""

from decimal import Decimal

from tenants.models import Tenant
from tests.tenants.test_tenant_creation import _new_tenant_fields


def test_a_new_tenant_form_shows_all_its_errors_after_one_submit(operator_client):
    fields = _new_tenant_fields(schema_name="1bad", operator_code="a", domain="not a domain")
    response = operator_client.post("/tenants/new/", fields)
    assert response.status_code == 200
    assert {"schema_name", "operator_code", "domain"} <= set(response.context["form"].errors)
    assert 'value="not a domain"' in response.content.decode()


def test_the_share_capital_typed_with_a_comma_is_stored_exactly(operator_client):
    fields = _new_tenant_fields(share_capital="1 250,50")
    assert operator_client.post("/tenants/new/", fields).status_code == 302
    assert Tenant.objects.get(schema_name=fields["schema_name"]).share_capital == Decimal("1250.50")
