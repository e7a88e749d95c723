"""Issue 5: a portal user changes its password from the portal dashboard."""

from tests.conftest import PASSWORD, in_schema


def _portal_customer(acme, make_customer):
    customer = make_customer(acme, company_name="CLIENT PASSWORD", login_email="pw@client.example")
    with in_schema(acme):
        user = customer.portal_user
        user.set_password(PASSWORD)
        user.save()
    return customer, user


def test_a_portal_user_changes_its_password_and_stays_logged_in(acme, make_customer, client_for):
    from audit.models import AuditEvent

    customer, user = _portal_customer(acme, make_customer)
    client = client_for(acme, user)
    assert "/portal/password/" in client.get("/portal/").content.decode()
    new = "Une-autre-phrase-de-passe-42"
    response = client.post(
        "/portal/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("/portal/")
    assert "mot de passe est modifié" in response.content.decode()
    assert client.get("/portal/").status_code == 200  # the session survives the change
    with in_schema(acme):
        user.refresh_from_db()
        assert user.check_password(new) and not user.check_password(PASSWORD)
        assert AuditEvent.objects.filter(action="user.password_changed", object_id=str(user.pk)).exists()


def test_a_wrong_current_password_changes_nothing(acme, make_customer, client_for):
    _customer, user = _portal_customer(acme, make_customer)
    new = "Une-autre-phrase-de-passe-42"
    response = client_for(acme, user).post(
        "/portal/password/", {"old_password": "wrong", "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200 and "ancien mot de passe est incorrect" in response.content.decode()
    with in_schema(acme):
        user.refresh_from_db()
        assert user.check_password(PASSWORD)


def test_staff_cannot_open_the_portal_password_page(acme, make_user, client_for):
    response = client_for(acme, make_user(acme, "sales")).get("/portal/password/")
    assert response.status_code == 403
