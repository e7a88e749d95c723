"""Issue #9, domains and links: a custom domain serves nothing until a platform admin approves it
(look-alikes flagged on the approval page), and links in e-mails are built from the site's main
domain and the configured scheme and port, never from the request's Host header."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from audit.models import AuditEvent
from core.domains import domain_lookalike_warnings, lookalike_fold
from tenants.links import tenant_url
from tenants.models import Domain, DomainStatus
from tests.conftest import in_schema

LOOKALIKES = ["nova-mobile.localhost", "admin-ism.localhost", "xn--nva-fla.localhost"]
EVIL_HOST = "acme.localhost:6666"


@pytest.fixture
def operator(platform, make_user):
    return make_user(platform, "platform_admin", username="olivier")


@pytest.fixture
def operator_client(platform, operator, client_for):
    return client_for(platform, operator)


def _claim_lookalikes(client):
    for name in LOOKALIKES:
        assert client.post("/settings/domains/", {"domain": name}).status_code == 302, name


# --- The look-alike reading (core.domains) ----------------------------------------------------------
def test_lookalike_folding_reads_homoglyphs_digits_and_separators_as_latin():
    assert lookalike_fold("Nоva-Mobile") == "novamobile"  # a Cyrillic о
    assert lookalike_fold("n0va mobi1e") == "novamobile"
    assert lookalike_fold("nοvα") == "nova"  # Greek omicron and alpha
    assert lookalike_fold("Acme Télécom") == "acmetelecom"


@translation.override("en")
def test_lookalike_warnings_name_the_imitated_site_and_decode_punycode():
    others = {"nova": "Nova Mobile", "Nova Mobile": "Nova Mobile", "admin": "the platform"}
    assert domain_lookalike_warnings("extranet.acme-telecom.example", other_names=others) == []
    [contains_nova, contains_name] = domain_lookalike_warnings("nova-mobile.localhost", other_names=others)
    assert "“nova”" in contains_nova and "Nova Mobile" in contains_name
    assert any("“admin”" in w for w in domain_lookalike_warnings("admin-ism.localhost", other_names=others))
    idn = domain_lookalike_warnings("xn--nva-fla.localhost", other_names=others)
    assert any("nváa.localhost" in w for w in idn) and any("“á”" in w for w in idn)
    cyrillic = domain_lookalike_warnings(
        "xn--nva-sed.localhost", other_names=others
    )  # "nоva" with а Cyrillic о
    assert any("Cyrillic" in w for w in cyrillic) and any("“nova”" in w for w in cyrillic)
    assert any("“nova”" in w for w in domain_lookalike_warnings("n0va.example.fr", other_names=others))
    # The top-level label is never a site's name: "nova.localhost" as a protected name is its first label.
    assert domain_lookalike_warnings("shop.example.com", other_names={"com": "x", "ex": "y"}) == []


# --- Claimed domains wait for approval ---------------------------------------------------------------
def test_lookalike_domains_claimed_by_a_tenant_are_pending_and_serve_nothing(acme, make_user, client_for):
    admin_client = client_for(acme, make_user(acme, "admin"))
    _claim_lookalikes(admin_client)
    for name in LOOKALIKES:
        domain = Domain.objects.get(domain=name)
        assert domain.tenant == acme and domain.status == DomainStatus.PENDING and domain.requested_at
        # No tenant answers on a pending host: neither its pages nor its password recovery.
        assert Client(HTTP_HOST=name).get("/login/").status_code == 404
        assert Client(HTTP_HOST=name).post("/password-reset/", {"email": "x"}).status_code == 404
    assert not mail.outbox
    page = admin_client.get("/settings/domains/").content.decode()
    assert page.count('data-status="pending"') == 3 and "en attente de validation" in page
    # The tenant's API shows the same state.
    listed = {d["domain"]: d["status"] for d in admin_client.get("/api/v1/settings/domains/").json()}
    assert listed["nova-mobile.localhost"] == "pending" and listed["acme.localhost"] == "active"


def test_the_approval_page_warns_of_each_lookalike(acme, nova, make_user, client_for, operator_client):
    _claim_lookalikes(client_for(acme, make_user(acme, "admin")))
    page = operator_client.get("/tenants/domains/").content.decode()
    rows = {
        name: re.search(rf'<tr data-domain="{re.escape(name)}">(.*?)</tr>', page, re.S) for name in LOOKALIKES
    }
    assert all(rows.values()), page
    nova_row, admin_row, idn_row = (rows[name].group(1) for name in LOOKALIKES)
    assert "« nova »" in nova_row.lower() and "« Nova Mobile »" in nova_row
    assert "« admin »" in admin_row and "la plateforme" in admin_row
    assert "nváa.localhost" in idn_row and "IDN" in idn_row and "“á”" in idn_row
    # The tenant's own page on the platform lists them with the same warnings.
    detail = operator_client.get(f"/tenants/{acme.pk}/").content.decode()
    assert 'data-domain="nova-mobile.localhost"' in detail and "Nova Mobile" in detail


def test_an_approved_domain_serves_the_tenant_and_the_decision_is_audited(
    acme, platform, make_user, client_for, operator_client
):
    _claim_lookalikes(client_for(acme, make_user(acme, "admin")))
    domain = Domain.objects.get(domain="xn--nva-fla.localhost")
    response = operator_client.post(f"/tenants/domains/{domain.pk}/decide/", {"action": "approve"})
    assert response.status_code == 302
    domain.refresh_from_db()
    assert domain.status == DomainStatus.ACTIVE and domain.decided_by == "olivier" and domain.decided_at
    served = Client(HTTP_HOST="xn--nva-fla.localhost").get("/login/")
    assert served.status_code == 200 and served.wsgi_request.tenant == acme
    with in_schema(platform):
        event = AuditEvent.objects.get(action="tenant.domain_approved")
    assert event.actor_label == "olivier" and event.object_id == str(acme.pk)
    assert event.changes == {"domain": "xn--nva-fla.localhost"}
    # Refused: it never serves, the reason is kept, and the name stays reserved.
    refused = Domain.objects.get(domain="admin-ism.localhost")
    operator_client.post(
        f"/tenants/domains/{refused.pk}/decide/", {"action": "refuse", "reason": "imite la plateforme"}
    )
    refused.refresh_from_db()
    assert refused.status == DomainStatus.REFUSED
    assert Client(HTTP_HOST="admin-ism.localhost").get("/login/").status_code == 404
    with in_schema(platform):
        refusal = AuditEvent.objects.get(action="tenant.domain_refused")
    assert refusal.changes == {
        "domain": "admin-ism.localhost",
        "reason": "imite la plateforme",
    }
    # A decision is taken once.
    again = operator_client.post(f"/tenants/domains/{refused.pk}/decide/", {"action": "approve"}, follow=True)
    assert "attente" in again.content.decode()
    refused.refresh_from_db()
    assert refused.status == DomainStatus.REFUSED


def test_the_platform_api_lists_pending_domains_with_warnings_and_approves_them(
    acme, make_user, client_for, platform, operator, api_for
):
    _claim_lookalikes(client_for(acme, make_user(acme, "admin")))
    api = api_for(platform, operator)
    pending = {row["domain"]: row for row in api.get("/api/v1/domains/").json()}
    assert set(pending) == set(LOOKALIKES)
    assert any("Nova Mobile" in w for w in pending["nova-mobile.localhost"]["warnings"])
    assert pending["nova-mobile.localhost"]["tenant"] == acme.pk
    approved = api.post(f"/api/v1/domains/{pending['nova-mobile.localhost']['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    refused = api.post(f"/api/v1/domains/{pending['admin-ism.localhost']['id']}/refuse/", {"reason": "non"})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert [row["domain"] for row in api.get("/api/v1/domains/").json()] == ["xn--nva-fla.localhost"]
    assert Client(HTTP_HOST="nova-mobile.localhost").get("/login/").status_code == 200
    # A tenant's staff cannot approve anything.
    tenant_api = api_for(acme, make_user(acme, "admin"))
    assert (
        tenant_api.post(f"/api/v1/domains/{pending['xn--nva-fla.localhost']['id']}/approve/").status_code
        == 404
    )


# --- Links in e-mails ---------------------------------------------------------------------------------
def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def test_tenant_url_uses_the_main_domain_and_the_configured_scheme_and_port(acme, platform, settings):
    assert tenant_url(acme, "/portal/") == "http://acme.localhost/portal/"
    settings.ISM_SCHEME, settings.ISM_PUBLIC_PORT = "https", "8000"
    assert tenant_url(acme, "reset/x/") == "https://acme.localhost:8000/reset/x/"
    assert tenant_url(platform) == "https://admin.localhost:8000/"


def test_a_password_reset_asked_on_another_host_mails_a_link_on_the_main_domain(acme, make_user):
    user = make_user(acme, "support")
    Client(HTTP_HOST=EVIL_HOST).post("/password-reset/", {"email": user.username})
    [message] = mail.outbox
    [link] = _links(message.body)
    assert link.startswith("http://acme.localhost/reset/") and "6666" not in message.body


def test_a_password_reset_on_an_approved_custom_domain_links_to_the_main_domain(acme, make_user):
    Domain.objects.create(
        domain="extranet.acme.localhost", tenant=acme, is_primary=False, status=DomainStatus.ACTIVE
    )
    user = make_user(acme, "support")
    Client(HTTP_HOST="extranet.acme.localhost").post("/password-reset/", {"email": user.username})
    assert _links(mail.outbox[0].body)[0].startswith("http://acme.localhost/reset/")


def test_the_platform_password_reset_links_to_the_platform_domain(platform, make_user):
    operator = make_user(platform, "platform_admin")
    Client(HTTP_HOST="admin.localhost:6666").post("/password-reset/", {"email": operator.username})
    [link] = _links(mail.outbox[0].body)
    assert link.startswith("http://admin.localhost/reset/")


def test_invitations_link_to_the_tenants_main_domain(
    acme, make_user, platform, operator, django_capture_on_commit_callbacks
):
    admin_client = Client(HTTP_HOST=EVIL_HOST)
    with in_schema(acme):
        admin_client.force_login(make_user(acme, "admin"))
    response = admin_client.post(
        "/settings/team/", {"username": "lea", "email": "lea@acme.example", "role": "support"}
    )
    assert response.status_code == 302
    assert _links(mail.outbox[0].body)[0].startswith("http://acme.localhost/reset/")
    operator_client = Client(HTTP_HOST="admin.localhost:6666")
    with in_schema(platform):
        operator_client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(f"/tenants/{acme.pk}/invite/", {"email": "chef@acme.example"})
    assert mail.outbox[-1].to == ["chef@acme.example"]
    assert _links(mail.outbox[-1].body)[0].startswith("http://acme.localhost/reset/")
    assert "6666" not in mail.outbox[0].body + mail.outbox[-1].body


def test_customer_logins_link_to_the_tenants_main_domain(acme, make_user, api_for):
    from customers.services import customer_create

    staff = make_user(acme, "admin")
    with in_schema(acme):
        customer = customer_create(
            now=timezone.now(),
            by=staff,
            data={"kind": "business", "company_name": "ETOILE BLEUE"},
            login_contact={"name": "Lea Martin", "email": "lea@client.example"},
        )
    client = Client(HTTP_HOST=EVIL_HOST)
    with in_schema(acme):
        client.force_login(staff)
    assert client.post(f"/customers/{customer.pk}/send-logins/").status_code == 302
    body = mail.outbox[-1].body
    assert "6666" not in body and _links(body)
    assert any(link.startswith("http://acme.localhost/reset/") for link in _links(body))
    assert all(link.startswith("http://acme.localhost/") for link in _links(body)), body
    sent = api_for(acme, staff).post(f"/api/v1/customers/{customer.pk}/send-logins/", HTTP_HOST=EVIL_HOST)
    assert sent.status_code == 200
    assert len(mail.outbox) == 2 and "6666" not in mail.outbox[-1].body
