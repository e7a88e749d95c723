"""A tenant's settings are its admins' only: not another tenant's, not other roles'."""

import pytest
from django.test import Client

from tenants.models import Domain, TenantBranding
from tests.conftest import in_schema
from tests.tenant_settings.conftest import png_bytes

SETTINGS_PAGES = [
    "/settings/",
    "/settings/bank/",
    "/settings/branding/",
    "/settings/domains/",
    "/settings/emails/",
    "/settings/emails/invoice/",
    "/settings/invoicing/",
    "/settings/invoicing/number-preview/?number_format=F{SEQ:3}",
    "/settings/team/",
    "/billing/invoice-preview/",
]
SETTINGS_API = [
    "/api/v1/settings/bank-details/",
    "/api/v1/settings/branding/",
    "/api/v1/settings/invoicing/",
    "/api/v1/settings/email-templates/invoice/",
]


@pytest.mark.parametrize("path", SETTINGS_PAGES)
def test_acme_admin_session_gets_nothing_of_nova_settings(acme, nova, acme_admin, client_for, path):
    client = client_for(acme, acme_admin)
    assert client.get(path, follow=True).status_code == 200  # the page exists; acme's admin sees acme's
    response = client.get(path, HTTP_HOST="nova.localhost")
    # The session belongs to acme's schema: on nova's domain it is nobody, sent to log in.
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_acme_admin_session_cannot_post_to_nova_settings(acme, nova, acme_admin, client_for):
    client = client_for(acme, acme_admin)
    response = client.post(
        "/settings/bank/",
        {"sepa_creditor_id": "FR72ZZZ123456", "creditor_iban": "", "creditor_bic": ""},
        HTTP_HOST="nova.localhost",
    )
    assert response.status_code in (302, 403)
    nova.refresh_from_db()
    assert nova.sepa_creditor_id == ""


@pytest.mark.parametrize("path", SETTINGS_API)
def test_acme_admin_token_is_refused_on_nova_api(acme, nova, acme_admin, api_for, path):
    api = api_for(acme, acme_admin)
    assert api.get(path).status_code == 200
    assert api.get(path, HTTP_HOST="nova.localhost").status_code == 401
    assert (
        api.put(path, {"primary_color": "#000000"}, format="json", HTTP_HOST="nova.localhost").status_code
        == 401
    )


@pytest.mark.parametrize("path", SETTINGS_PAGES)
def test_a_sales_user_gets_403_on_settings_pages(acme, make_user, client_for, path):
    sales = make_user(acme, "sales")
    assert client_for(acme, sales).get(path).status_code == 403


@pytest.mark.parametrize("path", SETTINGS_API)
def test_a_sales_user_gets_403_on_settings_api(acme, make_user, api_for, path):
    sales = make_user(acme, "sales")
    assert api_for(acme, sales).get(path).status_code == 403


def test_an_admin_cannot_remove_another_tenants_domain_by_id(acme, nova, acme_admin, client_for):
    nova_domain = Domain.objects.get(domain="nova.localhost")
    extra = Domain.objects.create(domain="extranet.nova.example", tenant=nova, is_primary=False)
    client = client_for(acme, acme_admin)
    for target in (nova_domain, extra):
        response = client.post(
            f"/settings/domains/{target.pk}/remove/", HTTP_REFERER="http://acme.localhost/settings/domains/"
        )
        assert response.status_code == 302
    assert Domain.objects.filter(pk__in=[nova_domain.pk, extra.pk]).count() == 2


def test_each_domain_serves_its_own_logo(acme, nova, acme_admin, nova_admin):
    from tenants.settings.services import branding_update

    with in_schema(acme):
        branding_update(
            tenant=acme,
            by=acme_admin,
            primary_color="#ff0000",
            ink_color="#ffffff",
            welcome_message="",
            low_contrast_confirmed=True,
            logo=png_bytes((95, 95), "#ff0000"),
        )
    acme_logo = Client(HTTP_HOST="acme.localhost").get("/settings/branding/logo.png")
    assert acme_logo.status_code == 200 and acme_logo["Content-Type"] == "image/png"
    assert bytes(TenantBranding.objects.get(tenant=acme).logo) == acme_logo.content
    assert Client(HTTP_HOST="nova.localhost").get("/settings/branding/logo.png").status_code == 404


def test_an_acme_admin_cannot_invite_or_change_nova_staff(acme, nova, acme_admin, make_user, client_for):
    nova_sales = make_user(nova, "sales")
    client = client_for(acme, acme_admin)
    response = client.post(
        f"/settings/team/{nova_sales.pk}/",
        {"action": "deactivate"},
        HTTP_REFERER="http://acme.localhost/settings/team/",
    )
    assert response.status_code in (302, 400, 404)
    with in_schema(nova):
        nova_sales.refresh_from_db()
    assert nova_sales.is_active
