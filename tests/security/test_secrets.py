"""Secrets never leave: not in pages (even a form shown again after an error), API answers,
the audit trail or a `repr`; IBANs are masked in the trail."""

import re

from django.core import mail

from accounts.models import ApiToken as Token
from audit.models import AuditEvent
from tenants.models import FeedAccess
from tenants.platform.feed_access import FeedSettings
from tests.conftest import PASSWORD, in_schema

SECRET = "Tr0ub4dor-3-feed-secret"  # no character HTML would escape


def test_a_refused_feed_form_does_not_echo_the_typed_secret(acme, platform, make_user, client_for):
    operator = make_user(platform, "platform_admin")
    response = client_for(platform, operator).post(
        f"/tenants/{acme.pk}/feed/",
        {"protocol": "sftp", "host": "bad host!", "username": "acme", "auth": "password", "secret": SECRET},
    )
    assert response.status_code == 200  # the form again, with its error
    body = response.content.decode()
    assert "bad host!" in body  # the other fields are shown again…
    assert SECRET not in body  # …but never the secret
    assert not FeedAccess.objects.filter(tenant=acme).exists()


def test_the_feed_settings_repr_hides_the_password_and_key():
    settings = FeedSettings(protocol="sftp", host="h", username="u", password=SECRET, private_key=SECRET)
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert "host='h'" in repr(settings)


def test_the_creditor_iban_is_masked_in_the_audit_trail_page_and_api(acme, make_user, client_for, api_for):
    admin = make_user(acme, "admin")
    api = api_for(acme, admin)
    response = api.put(
        "/api/v1/settings/bank-details/",
        {
            "sepa_creditor_id": "",
            "creditor_iban": "FR14 2004 1010 0505 0001 3M02 606",
            "creditor_bic": "PSSTFRPPLIL",
        },
        format="json",
    )
    assert response.status_code == 200
    with in_schema(acme):
        event = AuditEvent.objects.get(action="tenant.bank_details_changed")
    assert event.changes["creditor_iban"] == ["", "FR14 **** **** **** **** ***2 606"]
    assert "20041010050500013" not in api.get("/api/v1/audit-events/").content.decode()
    assert "20041010050500013" not in client_for(acme, admin).get("/audit/").content.decode()


def test_an_api_token_is_shown_once_and_never_audited(acme, make_user, client_for):
    user = make_user(acme, "sales")
    client = client_for(acme, user)
    client.post("/profile/api-token/")
    with in_schema(acme):
        key = Token.objects.get(user=user).key
    assert key in client.get("/profile/").content.decode()  # shown once…
    assert key not in client.get("/profile/").content.decode()  # …then never again
    with in_schema(acme):
        assert all(key not in str(e.changes) + e.object_repr for e in AuditEvent.objects.all())


def test_passwords_never_reach_the_audit_trail(acme, make_user, client_for):
    user = make_user(acme, "admin")
    client = client_for(acme, user)
    client.post("/login/", {"username": user.username, "password": "a-wrong-password-1"})
    client.post(
        "/password-change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-passphrase-77",
            "new_password2": "another-passphrase-77",
        },
    )
    with in_schema(acme):
        trail = " ".join(str(e.changes) + e.object_repr for e in AuditEvent.objects.all())
        assert AuditEvent.objects.filter(action="user.password_changed", actor=user).exists()
    for secret in (PASSWORD, "a-wrong-password-1", "another-passphrase-77"):
        assert secret not in trail


def test_a_password_recovery_is_audited_and_revokes_the_api_token(acme, make_user, client_for):
    user = make_user(acme, "support", email="sophie@acme.example")
    with in_schema(acme):
        Token.objects.create(user=user)
    client = client_for(acme)
    client.post("/password-reset/", {"email": user.username})
    link = re.search(r"https?://acme\.localhost(/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "a-new-passphrase-42", "new_password2": "a-new-passphrase-42"})
    with in_schema(acme):
        assert not Token.objects.filter(user=user).exists()
        event = AuditEvent.objects.get(action="user.password_reset")
    assert event.actor_id == user.pk and event.changes == {"api_access_revoked": True}


def test_a_profile_change_of_e_mail_address_is_audited(acme, make_user, client_for):
    user = make_user(acme, "sales", email="old@acme.example")
    response = client_for(acme, user).post(
        "/profile/",
        {"first_name": "Sam", "last_name": "", "email": "new@elsewhere.example", "language": "fr"},
    )
    assert response.status_code == 302
    with in_schema(acme):
        event = AuditEvent.objects.get(action="user.profile_changed")
    assert event.changes["email"] == ["old@acme.example", "new@elsewhere.example"]


def test_the_audit_masks_every_secret_looking_key():
    from audit.services import _mask

    masked = _mask({"password": "p", "feed_secret": "s", "puk": "1", "api_token": "t", "private_key": "k"})
    assert set(masked.values()) == {"***"}


def test_every_iban_in_the_trail_is_masked_whoever_records_it(acme, platform, make_user, client_for):
    from audit.services import _mask, audit_changes

    full = "FR1420041010050500013M02606"
    masked = "FR14 **** **** **** **** ***2 606"
    assert _mask({"creditor_iban": [full, ""], "iban": full, "nested": {"old_iban": full}}) == {
        "creditor_iban": [masked, ""],
        "iban": masked,
        "nested": {"old_iban": masked},
    }
    assert _mask({"iban": masked}) == {"iban": masked}  # masking twice changes nothing
    assert audit_changes({"creditor_iban": ""}, {"creditor_iban": full}) == {"creditor_iban": ["", masked]}
    # The platform's identity page records the tenant's creditor IBAN the same way.
    from tenants.platform.services import tenant_update_identity

    operator = make_user(platform, "platform_admin")
    tenant_update_identity(tenant=acme, by=operator, creditor_iban=full, creditor_bic="PSSTFRPPLIL")
    event = AuditEvent.objects.filter(action="tenant.identity_changed").latest("at")
    assert event.changes["creditor_iban"][1] == masked
