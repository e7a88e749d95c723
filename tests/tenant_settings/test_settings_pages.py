"""What a tenant admin changes on its own site, each change checked and audited."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from tenants.models import Domain, TenantBranding
from tests.conftest import in_schema
from tests.tenant_settings.conftest import png_bytes


def _events(tenant, action):
    with in_schema(tenant):
        return list(AuditEvent.objects.filter(action=action))


def test_the_settings_area_has_its_tabs_in_french(acme, acme_admin, client_for):
    client = client_for(acme, acme_admin)
    body = client.get("/settings/", follow=True).content.decode()
    for tab in (
        "Identité bancaire",
        "Image de marque",
        "Domaines",
        "Modèles d'e-mails",
        "Facturation",
        "Équipe",
    ):
        assert tab in body
    assert 'data-nav="settings"' in client.get("/").content.decode()


def test_valid_bank_details_are_saved_and_audited_with_changes(acme, acme_admin, client_for):
    response = client_for(acme, acme_admin).post(
        "/settings/bank/",
        {
            "sepa_creditor_id": "FR72ZZZ123456",
            "creditor_iban": "FR14 2004 1010 0505 0001 3M02 606",
            "creditor_bic": "PSSTFRPPLIL",
        },
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.sepa_creditor_id, acme.creditor_iban, acme.creditor_bic) == (
        "FR72ZZZ123456",
        "FR1420041010050500013M02606",
        "PSSTFRPPLIL",
    )
    [event] = _events(acme, "tenant.bank_details_changed")
    assert event.changes["creditor_iban"] == [
        "",
        "FR14 **** **** **** **** ***2 606",
    ]  # masked, as for customers


def test_a_mistyped_iban_is_refused_with_its_reason(acme, acme_admin, client_for):
    response = client_for(acme, acme_admin).post(
        "/settings/bank/",
        {
            "sepa_creditor_id": "",
            "creditor_iban": "FR14 2004 1010 0505 0001 3M02 607",
            "creditor_bic": "PSSTFRPPLIL",
        },
    )
    assert response.status_code == 200
    assert "IBAN" in response.content.decode()
    acme.refresh_from_db()
    assert acme.creditor_iban == ""


def test_branding_upload_warns_about_the_size_and_shows_everywhere(acme, acme_admin, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(acme, acme_admin)
    response = client.post(
        "/settings/branding/",
        {
            "primary_color": "#0a7d4f",
            "ink_color": "#ffffff",
            "welcome_message": "Bienvenue chez Acme, le support répond au 01 23 45 67 89.",
            "logo": SimpleUploadedFile("logo.png", png_bytes((300, 300)), "image/png"),
            "banner": SimpleUploadedFile("banner.png", png_bytes((760, 95)), "image/png"),
        },
        follow=True,
    )
    body = response.content.decode()
    assert "300×300" in body and "95×95" in body  # the warning
    branding = TenantBranding.objects.get(tenant=acme)
    assert branding.logo_hash and branding.banner_hash
    assert f"/settings/branding/logo.png?v={branding.logo_hash}" in body  # sidebar + preview
    assert "--brand: #0a7d4f; --brand-ink: #ffffff;" in body
    dashboard = client.get("/").content.decode()
    assert "Bienvenue chez Acme" in dashboard
    login_page = Client(HTTP_HOST="acme.localhost").get("/login/").content.decode()
    assert "Bienvenue chez Acme" in login_page and "logo.png?v=" in login_page
    portal_login = Client(HTTP_HOST="acme.localhost").get("/portal/login/").content.decode()
    assert portal_login.count("Bienvenue chez Acme") == 1 and "Espace client" in portal_login
    logo = Client(HTTP_HOST="acme.localhost").get(f"/settings/branding/logo.png?v={branding.logo_hash}")
    assert "immutable" in logo["Cache-Control"]
    [event] = _events(acme, "tenant.branding_changed")
    assert event.changes["logo"] == "300×300 px" and event.changes["primary_color"] == ["#1f4fd1", "#0a7d4f"]


@pytest.mark.parametrize("color", ["red", "#fff", "#12345g", "#000000;} body{display:none", "#0000001"])
def test_a_colour_other_than_rrggbb_is_refused(acme, acme_admin, api_for, color):
    response = api_for(acme, acme_admin).put(
        "/api/v1/settings/branding/", {"primary_color": color, "ink_color": "#ffffff"}, format="json"
    )
    assert response.status_code == 400
    assert not TenantBranding.objects.filter(tenant=acme, primary_color=color).exists()


def test_a_non_image_upload_is_refused_on_the_page(acme, acme_admin, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(acme, acme_admin).post(
        "/settings/branding/",
        {
            "primary_color": "#112233",
            "ink_color": "#ffffff",
            "logo": SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", "image/png"),
        },
    )
    assert response.status_code == 200
    assert "pas une image" in response.content.decode()
    assert not TenantBranding.objects.filter(tenant=acme).exclude(logo_hash="").exists()


def test_the_public_site_has_no_branding(platform, make_user, client_for):
    operator = make_user(platform, "platform_admin")
    body = client_for(platform, operator).get("/tenants/").content.decode()
    assert "--brand-ink" not in body


def test_a_custom_domain_is_added_audited_and_unique(acme, nova, acme_admin, client_for, platform, make_user):
    from django.utils import timezone

    from tenants.platform.services import domain_approve

    client = client_for(acme, acme_admin)
    # Under .localhost so the test's ALLOWED_HOSTS accept it (production lists its custom domains).
    assert client.post("/settings/domains/", {"domain": "Extranet.Acme-Telecom.localhost"}).status_code == 302
    assert Domain.objects.get(domain="extranet.acme-telecom.localhost").tenant == acme
    [event] = _events(acme, "tenant.domain_added")
    assert event.changes == {"domain": "extranet.acme-telecom.localhost"}
    taken = client.post("/settings/domains/", {"domain": "nova.localhost"})
    assert "déjà utilisé" in taken.content.decode()
    # It serves the site once a platform admin has approved it.
    domain_approve(
        domain_id=Domain.objects.get(domain="extranet.acme-telecom.localhost").pk,
        by=make_user(platform, "platform_admin"),
        now=timezone.now(),
    )
    assert Client(HTTP_HOST="extranet.acme-telecom.localhost").get("/login/").status_code == 200


def test_the_main_domain_cannot_be_removed_but_a_custom_one_can(acme, acme_admin, client_for):
    client = client_for(acme, acme_admin)
    main = Domain.objects.get(domain="acme.localhost")
    referer = {"HTTP_REFERER": "http://acme.localhost/settings/domains/"}
    client.post(f"/settings/domains/{main.pk}/remove/", **referer)
    assert Domain.objects.filter(pk=main.pk).exists()
    extra = Domain.objects.create(domain="x.acme.example", tenant=acme, is_primary=False)
    client.post(f"/settings/domains/{extra.pk}/remove/", **referer)
    assert not Domain.objects.filter(pk=extra.pk).exists()
    assert _events(acme, "tenant.domain_removed")[0].changes == {"domain": "x.acme.example"}


def test_inviting_a_colleague_creates_an_account_without_password_and_mails_a_link(
    acme, acme_admin, client_for
):
    client = client_for(acme, acme_admin)
    response = client.post(
        "/settings/team/",
        {
            "username": "lea",
            "email": "lea@acme.example",
            "first_name": "Léa",
            "last_name": "Roy",
            "role": "accountant",
        },
    )
    assert response.status_code == 302
    with in_schema(acme):
        lea = User.objects.get(username="lea")
        assert lea.role == "accountant" and not lea.has_usable_password()
        assert AuditEvent.objects.filter(action="user.invited", object_id=str(lea.pk)).exists()
    assert mail.outbox[0].to == ["lea@acme.example"]
    assert "http://acme.localhost/reset/" in mail.outbox[0].body
    page = client.get("/settings/team/").content.decode()
    assert "lea" in page and "Invité" in page


def test_changing_a_role_and_deactivating_are_audited(acme, acme_admin, make_user, client_for):
    colleague = make_user(acme, "sales")
    client = client_for(acme, acme_admin)
    assert (
        client.post(f"/settings/team/{colleague.pk}/", {"action": "role", "role": "support"}).status_code
        == 302
    )
    assert client.post(f"/settings/team/{colleague.pk}/", {"action": "deactivate"}).status_code == 302
    with in_schema(acme):
        colleague.refresh_from_db()
        assert colleague.role == "support" and not colleague.is_active
    assert _events(acme, "user.role_changed")[0].changes == {"role": ["sales", "support"]}
    assert _events(acme, "user.deactivated")


def test_an_admin_cannot_make_someone_an_end_customer_or_demote_themself(
    acme, acme_admin, make_user, client_for
):
    colleague = make_user(acme, "sales")
    client = client_for(acme, acme_admin)
    referer = {"HTTP_REFERER": "http://acme.localhost/settings/team/"}
    client.post(f"/settings/team/{colleague.pk}/", {"action": "role", "role": "customer"}, **referer)
    client.post(f"/settings/team/{acme_admin.pk}/", {"action": "role", "role": "sales"}, **referer)
    with in_schema(acme):
        colleague.refresh_from_db()
        acme_admin.refresh_from_db()
    assert colleague.role == "sales" and acme_admin.role == "admin"


def test_the_api_takes_a_logo_upload_and_answers_with_the_size_warning(acme, acme_admin, api_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_for(acme, acme_admin).put(
        "/api/v1/settings/branding/",
        {
            "primary_color": "#224466",
            "ink_color": "#ffffff",
            "logo": SimpleUploadedFile("logo.jpg", png_bytes((200, 100)), "image/jpeg"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["logo_url"].startswith("/settings/branding/logo.png?v=")
    assert "200×100" in body["warnings"][0]


def test_the_api_resets_an_email_template_to_the_default(acme, acme_admin, api_for):
    api = api_for(acme, acme_admin)
    url = "/api/v1/settings/email-templates/invoice/"
    saved = api.put(url, {"subject": "Facture {{ invoice_number }}", "body": "Bonjour"}, format="json").json()
    assert saved["customised"] is True
    reset = api.delete(url).json()
    assert reset["customised"] is False and reset["subject"].startswith("Votre facture")
    with in_schema(acme):
        assert AuditEvent.objects.filter(action="tenant.email_template_reset").count() == 1


def test_the_team_page_does_not_query_per_member(
    acme, acme_admin, make_user, client_for, django_assert_max_num_queries
):
    for _ in range(6):
        make_user(acme, "support")
    client = client_for(acme, acme_admin)
    with django_assert_max_num_queries(12):
        body = client.get("/settings/team/").content.decode()
    assert body.count("Désactiver") == 6
