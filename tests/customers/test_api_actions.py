"""Issue 5: what the customer pages can do, the API can do too: delete (archive, or refuse with
what to end first), send the logins, revoke a mandate — within the tenant only."""

from django.utils import timezone

from tests.conftest import in_schema
from tests.customers.conftest import VALID_BIC, VALID_IBAN


def test_deleting_over_the_api_is_refused_with_the_reasons_then_archives(
    acme, make_user, make_customer, api_for
):
    from customers.models import LedgerEntry
    from customers.services import charge_record, ledger_entry_reverse

    customer = make_customer(acme, company_name="CLIENT API DELETE")
    with in_schema(acme):
        charge = charge_record(
            now=timezone.now(), customer=customer, by=None, amount_ht="10", description="Frais"
        )
    api = api_for(acme, make_user(acme, "sales"))
    refused = api.delete(f"/api/v1/customers/{customer.pk}/")
    assert refused.status_code == 400
    assert "12,00 €" in refused.json()["detail"] and len(refused.json()["reasons"]) == 1
    assert api.get(f"/api/v1/customers/{customer.pk}/").json()["status"] == "active"
    with in_schema(acme):
        ledger_entry_reverse(now=timezone.now(), entry=charge, by=None, reason="Erreur")
    assert api.delete(f"/api/v1/customers/{customer.pk}/").status_code == 204
    got = api.get(f"/api/v1/customers/{customer.pk}/").json()  # archived, never erased
    assert got["status"] == "archived" and got["archived_at"]
    with in_schema(acme):
        assert LedgerEntry.objects.filter(customer_id=customer.pk).count() == 2


def test_an_accountant_cannot_delete_and_acme_cannot_touch_novas_customer(
    acme, nova, make_user, make_customer, api_for
):
    from customers.models import Customer

    mine = make_customer(acme, company_name="CLIENT ACME")
    with in_schema(acme):
        acme_ids = set(Customer.objects.values_list("pk", flat=True))
    theirs = make_customer(nova, company_name="CLIENT NOVA", login_email="nova@client.example")
    while theirs.pk in acme_ids:  # an id that means nothing in acme's schema
        theirs = make_customer(nova, company_name="CLIENT NOVA", login_email="nova@client.example")
    assert (
        api_for(acme, make_user(acme, "accountant")).delete(f"/api/v1/customers/{mine.pk}/").status_code
        == 403
    )
    api = api_for(acme, make_user(acme, "admin"))
    assert api.delete(f"/api/v1/customers/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/customers/{theirs.pk}/send-logins/").status_code == 404
    with in_schema(nova):
        assert Customer.objects.get(pk=theirs.pk).status == "active"


def test_the_api_sends_the_logins_to_the_login_contact(acme, make_user, make_customer, api_for, mailoutbox):
    customer = make_customer(acme, login_email="lea@client.example")
    api = api_for(acme, make_user(acme, "support"))
    response = api.post(f"/api/v1/customers/{customer.pk}/send-logins/")
    assert response.status_code == 200 and response.json() == {"sent_to": "lea@client.example"}
    assert [m.to for m in mailoutbox] == [["lea@client.example"]]
    assert customer.number in mailoutbox[0].body and "/reset/" in mailoutbox[0].body
    without = make_customer(acme, company_name="CLIENT SANS LOGIN")
    refused = api.post(f"/api/v1/customers/{without.pk}/send-logins/")
    assert refused.status_code == 400 and "espace client" in refused.json()["detail"]


def test_a_mandate_is_revoked_over_the_api_and_stays_in_the_history(acme, make_user, make_customer, api_for):
    from customers.services import mandate_create

    customer = make_customer(acme)
    with in_schema(acme):
        mandate = mandate_create(
            now=timezone.now(), customer=customer, by=None, iban=VALID_IBAN, bic=VALID_BIC
        )
    api = api_for(acme, make_user(acme, "sales"))
    revoked = api.post(f"/api/v1/mandates/{mandate.pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = api.post(f"/api/v1/mandates/{mandate.pk}/revoke/")
    assert again.status_code == 400
    listed = api.get(f"/api/v1/customers/{customer.pk}/mandates/").json()
    assert [m["rum"] for m in listed] == [mandate.rum]
