"""The end-customer portal: a portal user sees only its own customer's data."""

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, in_schema
from tests.customers.conftest import VALID_BIC, VALID_IBAN


@pytest.fixture
def two_customers(acme, make_customer):
    """Two acme customers with a portal account, a mandate and a ledger entry each."""
    from customers.services import mandate_create, payment_record

    result = []
    for name in ("MINE", "THEIRS"):
        customer = make_customer(
            acme, company_name=f"CLIENT {name}", login_email=f"{name.lower()}@client.example"
        )
        with in_schema(acme):
            mandate = mandate_create(
                now=timezone.now(), customer=customer, by=None, iban=VALID_IBAN, bic=VALID_BIC
            )
            entry = payment_record(
                now=timezone.now(), customer=customer, by=None, amount="25", description=f"Paiement {name}"
            )
            user = customer.portal_user
            user.set_password(PASSWORD)
            user.save()
        result.append((customer, mandate, entry))
    return result


def test_portal_dashboard_shows_balance_mandate_and_honest_empty_states(acme, two_customers, client_for):
    (mine, mandate, _entry), _theirs = two_customers
    body = client_for(acme, mine.portal_user).get("/portal/").content.decode()
    assert "CLIENT MINE" in body and "25,00 €" in body and mandate.rum in body
    assert VALID_IBAN not in body  # masked on the portal
    assert "CLIENT THEIRS" not in body and "Paiement THEIRS" not in body
    assert "pas encore de ligne" in body


def test_portal_user_probing_another_customers_entries_and_mandates_gets_404(
    acme, two_customers, client_for, api_for
):
    (mine, my_mandate, my_entry), (_theirs, their_mandate, their_entry) = two_customers
    client = client_for(acme, mine.portal_user)
    assert client.get(f"/portal/payments/{my_entry.pk}/").status_code == 200
    assert client.get(f"/portal/payments/{their_entry.pk}/").status_code == 404
    assert client.get(f"/portal/mandates/{my_mandate.pk}/pdf/").status_code == 200
    assert client.get(f"/portal/mandates/{their_mandate.pk}/pdf/").status_code == 404
    api = api_for(acme, mine.portal_user)
    assert api.get("/api/v1/portal/me/").json()["company_name"] == "CLIENT MINE"
    assert [e["id"] for e in api.get("/api/v1/portal/me/ledger-entries/").json()["results"]] == [my_entry.pk]
    assert api.get(f"/api/v1/portal/me/ledger-entries/{their_entry.pk}/").status_code == 404
    assert api.get(f"/api/v1/portal/me/mandates/{their_mandate.pk}/").status_code == 404
    assert VALID_IBAN not in api.get(f"/api/v1/portal/me/mandates/{my_mandate.pk}/").content.decode()
    # and the staff API is closed to them
    assert api.get(f"/api/v1/ledger-entries/{my_entry.pk}/").status_code == 403
    assert api.get("/api/v1/customers/").status_code == 403


def test_staff_cannot_use_the_portal_api(acme, make_user, api_for):
    assert api_for(acme, make_user(acme, "admin")).get("/api/v1/portal/me/").status_code == 403


def test_portal_user_changes_its_contact_and_the_login_email_follows(acme, two_customers, client_for):
    (mine, _m, _e), _theirs = two_customers
    client = client_for(acme, mine.portal_user)
    response = client.post(
        "/portal/contact/", {"role": "login", "name": "Lea", "email": "new@client.example", "phone": ""}
    )
    assert response.status_code == 302
    with in_schema(acme):
        mine.portal_user.refresh_from_db()
    assert mine.portal_user.email == "new@client.example"


def test_password_recovery_reaches_the_login_contact_of_a_portal_user(
    acme, two_customers, client_for, mailoutbox
):
    (mine, _m, _e), _theirs = two_customers
    client = client_for(acme)
    client.post("/password-reset/", {"login": mine.number, "email": mine.number, "username": mine.number})
    assert [m.to for m in mailoutbox] == [["mine@client.example"]]


def test_the_logins_link_lets_the_customer_choose_a_password_and_log_in(
    acme, make_customer, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    from customers.services import customer_create

    with in_schema(acme), django_capture_on_commit_callbacks(execute=True):
        customer = customer_create(
            now=timezone.now(),
            by=None,
            data={"kind": "consumer", "first_name": "Jeanne", "last_name": "Durand"},
            login_contact={"email": "jeanne@example.org"},
            send_logins=True,
        )
    link = re.search(r"http://acme\.localhost(/reset/\S+)", mailoutbox[0].body).group(1)
    client = client_for(acme)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(
        set_url, {"new_password1": "Une-phrase-longue-2026", "new_password2": "Une-phrase-longue-2026"}
    )
    assert done.status_code == 302
    logged = client.post(
        "/portal/login/", {"username": customer.number, "password": "Une-phrase-longue-2026"}
    )
    assert logged.status_code == 302
    assert "Jeanne Durand" in client.get("/portal/").content.decode()


def test_the_portal_log_in_page_shows_the_customer_area(acme, client_for):
    body = client_for(acme).get("/portal/login/").content.decode()
    assert "Espace client" in body
