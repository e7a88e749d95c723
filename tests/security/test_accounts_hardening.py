"""Issue 9 (accounts): one case-insensitive login namespace per tenant, throttled log-in and
password recovery, expiring and revocable API tokens, masked IBANs with an audited reveal.

Every check goes through plain HTTP calls, as a person or a script would."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import AuditEvent
from tests.conftest import PASSWORD, domain_of, in_schema

VALID_IBAN = "FR1420041010050500013M02606"
VALID_BIC = "PSSTFRPPLIL"
MASKED = "FR14 **** **** **** **** ***2 606"
FULL = "FR14 2004 1010 0505 0001 3M02 606"


def _api_as(tenant, key: str) -> APIClient:
    api = APIClient(HTTP_HOST=domain_of(tenant))
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _new_token(client: Client, name: str = "script") -> str:
    client.post("/profile/api-token/", {"action": "create", "name": name})
    page = client.get("/profile/").content.decode()
    return re.search(r'data-testid="new-token">([0-9a-f]{40})<', page).group(1)


# --- (1) one login namespace --------------------------------------------------------------------
def test_a_staff_login_cannot_take_a_customers_reserved_login_in_any_case(
    acme, make_user, client_for, api_for
):
    admin = make_user(acme, "admin")
    api = api_for(acme, admin)
    created = api.post(
        "/api/v1/customers/", {"kind": "business", "company_name": "CLIENT DEUX"}, format="json"
    )
    assert created.status_code == 201, created.content
    customer_id, login = created.json()["id"], created.json()["number"]

    page = client_for(acme, admin).post(
        "/settings/team/", {"username": login.lower(), "email": "intrus@acme.example", "role": "sales"}
    )
    assert page.status_code == 200 and "déjà pris" in page.content.decode()
    refused = api.post(
        "/api/v1/settings/team/",
        {"username": login.lower(), "email": "intrus@acme.example", "role": "sales"},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["field"] == "username"
    with in_schema(acme):
        assert not User.objects.filter(username__iexact=login).exists()

    # The customer's own portal account can still be created with its login.
    opened = api.patch(
        f"/api/v1/customers/{customer_id}/",
        {"login_contact": {"name": "Lea", "email": "lea@client-deux.example"}},
        format="json",
    )
    assert opened.status_code == 200, opened.content
    assert opened.json()["portal_login"] == login


def test_logins_are_one_namespace_whatever_the_case_and_log_in_ignores_it(acme, make_user, api_for):
    staff = make_user(acme, "support", username="Sophie.Martin")
    admin = make_user(acme, "admin")
    refused = api_for(acme, admin).post(
        "/api/v1/settings/team/",
        {"username": "SOPHIE.MARTIN", "email": "other@acme.example", "role": "sales"},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["field"] == "username"
    with in_schema(acme), pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="sophie.martin", role="sales")
    response = Client(HTTP_HOST=domain_of(acme)).post(
        "/login/", {"username": "sophie.MARTIN", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.wsgi_request.user.pk == staff.pk


# --- (2) throttles ----------------------------------------------------------------------------
def test_six_password_resets_in_a_row_send_three_mails_then_are_throttled(acme, make_user):
    user = make_user(acme, "support", email="sophie@acme.example")
    answers = []
    for n in range(6):  # from six addresses: the account's own limits hold whatever the address
        client = Client(HTTP_HOST=domain_of(acme), REMOTE_ADDR=f"203.0.113.{n + 1}")
        answers.append(client.post("/password-reset/", {"email": user.username}))
    assert [a.status_code for a in answers] == [302] * 5 + [429]
    assert "Trop de tentatives" in answers[-1].content.decode()
    assert len([m for m in mail.outbox if user.email in m.to]) == 3


def test_password_reset_is_throttled_per_address(acme):
    client = Client(HTTP_HOST=domain_of(acme), REMOTE_ADDR="198.51.100.7")
    codes = [client.post("/password-reset/", {"email": f"nobody{n}"}).status_code for n in range(11)]
    assert codes == [302] * 10 + [429]


def test_log_in_is_throttled_per_account_whatever_the_address(acme, make_user):
    user = make_user(acme, "admin")
    codes = []
    for n in range(11):
        client = Client(HTTP_HOST=domain_of(acme), REMOTE_ADDR=f"192.0.2.{n + 1}")
        codes.append(
            client.post("/login/", {"username": user.username.upper(), "password": "wrong-0"}).status_code
        )
    assert codes == [200] * 10 + [429]
    # Even the right password waits for the window to end.
    right = Client(HTTP_HOST=domain_of(acme), REMOTE_ADDR="192.0.2.99").post(
        "/login/", {"username": user.username, "password": PASSWORD}
    )
    assert right.status_code == 429 and "Trop de tentatives" in right.content.decode()


def test_log_in_is_throttled_per_address(acme):
    client = Client(HTTP_HOST=domain_of(acme), REMOTE_ADDR="198.51.100.8")
    codes = [
        client.post("/login/", {"username": f"guess{n}", "password": "x"}).status_code for n in range(31)
    ]
    assert codes == [200] * 30 + [429]


def test_the_api_throttles_each_token_user(acme, make_user, api_for, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": "3/minute", "auth": None}
    )
    api = api_for(acme, make_user(acme, "sales"))
    assert [api.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert api_for(acme, make_user(acme, "sales")).get("/api/v1/me/").status_code == 200


def test_the_token_endpoints_have_the_tight_auth_scope(acme, make_user, api_for, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "auth": "2/minute"}
    )
    api = api_for(acme, make_user(acme, "sales"))
    assert [api.get("/api/v1/me/tokens/").status_code for _ in range(3)] == [200, 200, 429]
    assert api.get("/api/v1/me/").status_code == 200


# --- (3) tokens -------------------------------------------------------------------------------
def test_an_expired_token_is_refused(acme, make_user, client_for, api_for):
    admin = make_user(acme, "admin")
    assert api_for(acme, admin).put("/api/v1/settings/api-access/", {"api_token_days": 7}).status_code == 200
    client = client_for(acme, admin)
    key = _new_token(client)
    api = _api_as(acme, key)
    assert api.get("/api/v1/me/").status_code == 200
    with time_machine.travel(timedelta(days=6, hours=23)):
        assert api.get("/api/v1/me/").status_code == 200
    with time_machine.travel(timedelta(days=7, minutes=1)):
        refused = api.get("/api/v1/me/")
    assert refused.status_code == 401 and "expir" in refused.content.decode()


def test_a_password_change_revokes_every_token(acme, make_user, client_for):
    user = make_user(acme, "sales")
    client = client_for(acme, user)
    keys = [_new_token(client, "one"), _new_token(client, "two")]
    assert all(_api_as(acme, k).get("/api/v1/me/").status_code == 200 for k in keys)
    changed = client.post(
        "/password-change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-passphrase-77",
            "new_password2": "another-passphrase-77",
        },
    )
    assert changed.status_code == 302
    assert [_api_as(acme, k).get("/api/v1/me/").status_code for k in keys] == [401, 401]
    with in_schema(acme):
        event = AuditEvent.objects.get(action="user.password_changed", actor=user)
    assert event.changes == {"api_access_revoked": True}


def test_the_profile_lists_tokens_and_revokes_one(acme, make_user, client_for):
    user = make_user(acme, "support")
    client = client_for(acme, user)
    kept, revoked = _new_token(client, "billing export"), _new_token(client, "old script")
    page = client.get("/profile/").content.decode()
    assert "billing export" in page and "old script" in page and kept not in page
    with in_schema(acme):
        token_id = user.api_tokens.get(name="old script").pk
    client.post("/profile/api-token/", {"action": "revoke", "token": token_id})
    assert _api_as(acme, revoked).get("/api/v1/me/").status_code == 401
    listed = _api_as(acme, kept).get("/api/v1/me/tokens/").json()
    assert [t["name"] for t in listed] == ["billing export"] and listed[0]["last_used_at"]
    assert "key" not in listed[0]


def test_the_token_lifetime_is_a_setting_of_the_tenant_admins(acme, make_user, client_for, api_for):
    admin, sales = make_user(acme, "admin"), make_user(acme, "sales")
    assert api_for(acme, sales).put("/api/v1/settings/api-access/", {"api_token_days": 7}).status_code == 403
    client = client_for(acme, admin)
    assert 'name="api_token_days"' in client.get("/settings/team/").content.decode()
    assert client.post("/settings/team/api-access/", {"api_token_days": "30"}).status_code == 302
    assert api_for(acme, admin).get("/api/v1/settings/api-access/").json() == {"api_token_days": 30}
    created = api_for(acme, admin).post("/api/v1/me/tokens/", {"name": "cron"}, format="json").json()
    lifetime = __import__("datetime").datetime.fromisoformat(created["expires_at"]) - __import__(
        "datetime"
    ).datetime.fromisoformat(created["created_at"])
    assert lifetime == timedelta(days=30) and len(created["key"]) == 40


# --- (4) IBANs --------------------------------------------------------------------------------
@pytest.fixture
def sepa_customer(acme, make_user, api_for):
    created = api_for(acme, make_user(acme, "admin")).post(
        "/api/v1/customers/",
        {
            "kind": "business",
            "company_name": "CLIENT SEPA",
            "payment_mode": "sepa",
            "billing_contact": {"email": "f@sepa.example"},
            "mandate": {"iban": VALID_IBAN, "bic": VALID_BIC},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    customer_id = created.json()["id"]
    with in_schema(acme):
        from customers.models import Mandate

        return customer_id, Mandate.objects.get(customer_id=customer_id).pk


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_sales_see_a_masked_iban_on_the_page_the_api_and_the_pdf(
    acme, make_user, client_for, api_for, sepa_customer
):
    customer_id, mandate_id = sepa_customer
    sales = make_user(acme, "sales")
    client = client_for(acme, sales)
    for tab in ("overview", "documents"):
        page = client.get(f"/customers/{customer_id}/?tab={tab}").content.decode()
        assert MASKED in page and FULL not in page and VALID_IBAN not in page
        assert "reveal-iban" not in page
    api = api_for(acme, sales)
    listed = api.get(f"/api/v1/customers/{customer_id}/mandates/").json()
    assert [m["iban"] for m in listed] == [MASKED]
    assert api.get(f"/api/v1/mandates/{mandate_id}/").json()["iban"] == MASKED
    pdf = client.get(f"/customers/{customer_id}/mandates/{mandate_id}/pdf/")
    text = _pdf_text(pdf.content)
    assert "2606" in text.replace(" ", "") and VALID_IBAN not in text.replace(" ", "")
    # No way around it for a role without `secrets.reveal`.
    assert client.post(f"/customers/{customer_id}/mandates/{mandate_id}/reveal-iban/").status_code == 403
    assert api.post(f"/api/v1/mandates/{mandate_id}/reveal-iban/").status_code == 403
    with in_schema(acme):
        assert not AuditEvent.objects.filter(action="customer.mandate_iban_revealed").exists()


def test_a_reveal_shows_the_full_iban_and_is_audited(acme, make_user, client_for, api_for, sepa_customer):
    customer_id, mandate_id = sepa_customer
    support = make_user(acme, "support")
    client = client_for(acme, support)
    page = client.get(f"/customers/{customer_id}/").content.decode()
    assert MASKED in page and FULL not in page and "reveal-iban" in page
    shown = client.post(
        f"/customers/{customer_id}/mandates/{mandate_id}/reveal-iban/", HTTP_HX_REQUEST="true"
    )
    assert shown.status_code == 200 and FULL in shown.content.decode()
    revealed = api_for(acme, support).post(f"/api/v1/mandates/{mandate_id}/reveal-iban/").json()
    assert revealed["iban"] == FULL
    pdf = client.get(f"/customers/{customer_id}/mandates/{mandate_id}/pdf/")
    assert VALID_IBAN in _pdf_text(pdf.content).replace(" ", "")
    with in_schema(acme):
        events = list(AuditEvent.objects.filter(action="customer.mandate_iban_revealed").order_by("pk"))
        rum = events[0].changes["rum"]
    assert len(events) == 3 and {e.actor_id for e in events} == {support.pk}
    assert rum.endswith("-M001") and all(VALID_IBAN not in str(e.changes) for e in events)
