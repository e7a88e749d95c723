"""Issue 5: the portal's log-in page is branded with the tenant's logo and welcome message."""

from django.test import Client

from tests.conftest import in_schema
from tests.tenant_settings.conftest import png_bytes


def test_the_portal_log_in_page_shows_this_tenants_welcome_and_logo_only(acme, nova, make_user):
    from tenants.settings.services import branding_update

    with in_schema(acme):
        branding_update(
            tenant=acme,
            by=make_user(acme, "admin"),
            primary_color="#0a7d4f",
            ink_color="#ffffff",
            welcome_message="Bienvenue dans votre espace Acme.",
            logo=png_bytes((95, 95), "#0a7d4f"),
        )
    acme_page = Client(HTTP_HOST="acme.localhost").get("/portal/login/").content.decode()
    assert 'data-testid="welcome"' in acme_page and "Bienvenue dans votre espace Acme." in acme_page
    assert "/settings/branding/logo.png?v=" in acme_page and "--brand: #0a7d4f;" in acme_page
    nova_page = Client(HTTP_HOST="nova.localhost").get("/portal/login/").content.decode()
    assert "Bienvenue dans votre espace Acme." not in nova_page and "#0a7d4f" not in nova_page
