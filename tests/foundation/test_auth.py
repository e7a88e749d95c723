"""Log-in, lockout, password recovery and the 403 page, on every domain."""

import re

import pytest
from django.core import mail

from tests.conftest import PASSWORD


@pytest.mark.parametrize(("home", "other"), [("acme", "nova"), ("nova", "acme")])
def test_staff_of_one_tenant_cannot_log_in_on_another(request, home, other, make_user, client_for):
    home_tenant, other_tenant = request.getfixturevalue(home), request.getfixturevalue(other)
    user = make_user(home_tenant, "admin")
    refused = client_for(other_tenant).post("/login/", {"username": user.username, "password": PASSWORD})
    assert refused.status_code == 200
    assert "_auth_user_id" not in refused.client.session
    accepted = client_for(home_tenant).post("/login/", {"username": user.username, "password": PASSWORD})
    assert accepted.status_code == 302 and accepted["Location"] == "/"


def test_platform_admin_cannot_log_in_on_a_tenant_domain(platform, acme, make_user, client_for):
    operator = make_user(platform, "platform_admin")
    response = client_for(acme).post("/login/", {"username": operator.username, "password": PASSWORD})
    assert "_auth_user_id" not in response.client.session


def test_platform_admin_logs_in_on_the_platform_domain(platform, make_user, client_for):
    operator = make_user(platform, "platform_admin")
    response = client_for(platform).post("/login/", {"username": operator.username, "password": PASSWORD})
    assert response.status_code == 302


def test_repeated_failures_lock_the_account(acme, make_user, client_for, settings):
    user = make_user(acme, "sales")
    client = client_for(acme)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": user.username, "password": "wrong-password"})
    locked = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "verrouillé" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_in_one_tenant_does_not_lock_the_same_login_in_another(
    acme, nova, make_user, client_for, settings
):
    make_user(acme, "sales", username="shared-name")
    make_user(nova, "sales", username="shared-name")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client_for(acme).post("/login/", {"username": "shared-name", "password": "wrong-password"})
    response = client_for(nova).post("/login/", {"username": "shared-name", "password": PASSWORD})
    assert response.status_code == 302


def test_password_reset_by_mail_works_on_the_users_own_domain_only(acme, nova, make_user, client_for):
    user = make_user(acme, "support", email="sophie@acme.example")
    client_for(acme).post("/password-reset/", {"email": user.username})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sophie@acme.example"]
    link = re.search(r"https?://acme\.localhost(/reset/\S+/)", mail.outbox[0].body).group(1)
    # The same link on another tenant's domain is worthless.
    assert "invalide" in client_for(nova).get(link, follow=True).content.decode()
    client = client_for(acme)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "a-new-passphrase-42", "new_password2": "a-new-passphrase-42"}
    )
    assert done.status_code == 302
    login = client_for(acme).post("/login/", {"username": user.username, "password": "a-new-passphrase-42"})
    assert login.status_code == 302


def test_password_reset_for_an_unknown_login_sends_nothing_and_says_nothing(acme, client_for):
    response = client_for(acme).post("/password-reset/", {"email": "nobody-here"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_forbidden_page_is_a_403_page_not_a_traceback(acme, make_user, client_for):
    support = make_user(acme, "support")
    response = client_for(acme, support).get("/audit/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_end_customer_cannot_open_staff_pages(acme, make_user, client_for):
    customer = make_user(acme, "customer")
    client = client_for(acme, customer)
    assert client.get("/audit/").status_code == 403
    assert client.get("/")["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_end_customer_lands_on_the_portal_after_log_in(acme, make_user, client_for):
    customer = make_user(acme, "customer")
    response = client_for(acme).post("/portal/login/", {"username": customer.username, "password": PASSWORD})
    assert response["Location"] == "/portal/"


def test_staff_cannot_open_the_portal(acme, make_user, client_for):
    sales = make_user(acme, "sales")
    assert client_for(acme, sales).get("/portal/").status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(acme, client_for):
    response = client_for(acme).get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_logout_needs_a_post(acme, make_user, client_for):
    user = make_user(acme, "admin")
    client = client_for(acme, user)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_session_and_csrf_cookies_are_http_only_and_same_site(acme, make_user, client_for, settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    user = make_user(acme, "admin")
    response = client_for(acme).post("/login/", {"username": user.username, "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
