"""Issue 2: password reset by e-mail works on the platform's own domain too, and only there."""

import re

from django.core import mail


def test_a_platform_admin_resets_its_password_on_the_platform_domain_only(
    platform, acme, make_user, client_for
):
    operator = make_user(platform, "platform_admin", email="olga@platform.example")
    client_for(platform).post("/password-reset/", {"email": operator.username})
    assert [m.to for m in mail.outbox] == [["olga@platform.example"]]
    link = re.search(r"https?://admin\.localhost(/reset/\S+/)", mail.outbox[0].body).group(1)
    assert "invalide" in client_for(acme).get(link, follow=True).content.decode()  # worthless on a tenant
    client = client_for(platform)
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "plateforme-42-neuve", "new_password2": "plateforme-42-neuve"},
    )
    assert done.status_code == 302
    login = client_for(platform).post(
        "/login/", {"username": operator.username, "password": "plateforme-42-neuve"}
    )
    assert login.status_code == 302


def test_a_tenant_login_asks_for_a_reset_on_the_platform_and_gets_nothing(
    platform, acme, make_user, client_for
):
    staff = make_user(acme, "admin", email="chef@acme.example")
    client_for(platform).post("/password-reset/", {"email": staff.username})
    client_for(platform).post("/password-reset/", {"email": "chef@acme.example"})
    assert mail.outbox == []
