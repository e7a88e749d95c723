"""Staff pages and API of the customers app, with two tenants."""

import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.conftest import in_schema
from tests.customers.conftest import VALID_BIC, VALID_IBAN

FORM = {
    "kind": "business",
    "company_name": "SOCIETE L ETOILE BLEUE",
    "siren": "732829320",
    "billing_name": "Paul Compta",
    "billing_email": "compta@etoile.example",
    "billing_phone": "+33 1 23 45 67 89",
    "login_name": "Lea Admin",
    "login_email": "lea@etoile.example",
    "billing_line1": "12 rue des Lilas",
    "billing_postal_code": "69003",
    "billing_city": "Lyon",
    "billing_country": "FR",
    "delivery_country": "FR",
    "payment_mode": "sepa",
    "iban": VALID_IBAN,
    "bic": VALID_BIC,
    "balance_mode": "postpaid",
    "balance_policy": "permissive",
}


def test_sales_creates_a_business_customer_with_its_mandate_and_logins_by_mail(
    acme, make_user, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    from customers.models import Customer

    client = client_for(acme, make_user(acme, "sales"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/customers/new/", {**FORM, "send_logins": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    with in_schema(acme):
        customer = Customer.objects.get(company_name="SOCIETE L ETOILE BLEUE")
        assert customer.mandates.get().iban == VALID_IBAN
        assert customer.portal_user.email == "lea@etoile.example"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["lea@etoile.example"]
    assert customer.number in mailoutbox[0].body
    assert "http://acme.localhost/reset/" in mailoutbox[0].body
    page = client.get(response["Location"])
    assert customer.number in page.content.decode() and "SOCIETE L ETOILE BLEUE" in page.content.decode()


def test_the_form_refuses_an_accented_company_name_and_the_normalise_button_fixes_it(
    acme, make_user, client_for
):
    client = client_for(acme, make_user(acme, "sales"))
    response = client.post("/customers/new/", {**FORM, "company_name": "Société L'Étoile-Bleue"})
    assert response.status_code == 200
    assert "SOCIETE L ETOILE BLEUE" in response.content.decode()  # the suggestion in the error
    normalised = client.get("/customers/name-normalised/", {"company_name": "Société L'Étoile-Bleue"})
    assert 'value="SOCIETE L ETOILE BLEUE"' in normalised.content.decode()


def test_sepa_without_iban_is_refused_on_the_page(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "sales"))
    response = client.post("/customers/new/", {**FORM, "iban": "", "bic": ""})
    assert response.status_code == 200 and "IBAN" in response.content.decode()


def test_the_list_searches_by_number_name_email_and_phone(acme, make_user, make_customer, client_for):
    customer = make_customer(acme, company_name="BOULANGERIE DUPONT")
    make_customer(acme, company_name="GARAGE MARTIN")
    client = client_for(acme, make_user(acme, "support"))
    for query in (customer.number, "boulangerie", "compta@client", "01 23 45 67", "+33123456789"):
        body = client.get("/customers/", {"q": query}).content.decode()
        assert "BOULANGERIE DUPONT" in body, query
    assert "BOULANGERIE DUPONT" not in client.get("/customers/", {"q": "garage"}).content.decode()
    hits = client.get("/search/", {"q": "boulangerie"}).content.decode()
    assert f"/customers/{customer.pk}/" in hits


def test_list_and_detail_pages_do_not_grow_queries_with_rows(
    acme, make_user, make_customer, client_for, django_assert_max_num_queries
):
    from customers.services import payment_record

    client = client_for(acme, make_user(acme, "admin"))
    for _ in range(30):
        c = make_customer(acme, login_email="")
        with in_schema(acme):
            payment_record(now=timezone.now(), customer=c, by=None, amount="10")
    with django_assert_max_num_queries(12):
        assert client.get("/customers/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/customers/", {"q": "acme", "sort": "-balance"}).status_code == 200
    for tab in ("overview", "lines", "orders", "invoices", "payments", "balance", "documents", "history"):
        with django_assert_max_num_queries(16):
            response = client.get(f"/customers/{c.pk}/", {"tab": tab})
        assert response.status_code == 200, tab


def test_customer_page_history_tab_shows_its_audit_trail(acme, make_user, make_customer, client_for):
    sales = make_user(acme, "sales")
    customer = make_customer(acme, by=sales)
    body = client_for(acme, make_user(acme, "admin")).get(f"/customers/{customer.pk}/", {"tab": "history"})
    assert "customer.created" in body.content.decode()


def test_the_page_says_what_to_end_before_deleting(acme, make_user, make_customer, client_for):
    from customers.services import charge_record

    customer = make_customer(acme)
    with in_schema(acme):
        charge_record(now=timezone.now(), customer=customer, by=None, amount_ht="10", description="Frais")
    client = client_for(acme, make_user(acme, "admin"))
    body = client.get(f"/customers/{customer.pk}/delete/").content.decode()
    assert "12,00" in body and 'data-testid="blockers"' in body
    response = client.post(
        f"/customers/{customer.pk}/delete/",
        HTTP_REFERER=f"http://acme.localhost/customers/{customer.pk}/delete/",
    )
    assert response.status_code == 302
    with in_schema(acme):
        customer.refresh_from_db()
    assert customer.status == "active"


def test_mandate_pdf_carries_the_creditor_and_the_rum(acme, make_user, make_customer, client_for):
    from customers.services import mandate_create

    acme.legal_name, acme.sepa_creditor_id, acme.city = "ACME TELECOM SAS", "FR72ZZZ123456", "Lyon"
    acme.save()
    customer = make_customer(acme)
    with in_schema(acme):
        mandate = mandate_create(
            now=timezone.now(), customer=customer, by=None, iban=VALID_IBAN, bic=VALID_BIC
        )
    response = client_for(acme, make_user(acme, "support")).get(
        f"/customers/{customer.pk}/mandates/{mandate.pk}/pdf/"
    )
    assert response["Content-Type"] == "application/pdf"
    import io

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = re.sub(r"\s+", " ", text)
    for expected in ("ACME TELECOM SAS", "FR72ZZZ123456", mandate.rum, "FR14 2004 1010 0505 0001 3M02 606"):
        assert expected in text, expected


def test_accountant_records_a_payment_but_cannot_edit_the_record(acme, make_user, make_customer, client_for):
    customer = make_customer(acme)
    client = client_for(acme, make_user(acme, "accountant"))
    response = client.post(
        f"/customers/{customer.pk}/payments/new/",
        {"payment-amount": "40.00", "payment-entry_date": "2026-01-15", "payment-method": "cheque"},
    )
    assert response.status_code == 302
    balance_tab = client.get(f"/customers/{customer.pk}/", {"tab": "balance"}).content.decode()
    assert "40,00 €" in balance_tab
    assert client.get(f"/customers/{customer.pk}/edit/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/customers/{pk}/",
        "/customers/{pk}/edit/",
        "/customers/{pk}/delete/",
        "/customers/{pk}/mandates/{m}/pdf/",
    ],
)
def test_acme_staff_cannot_open_novas_customer_pages(acme, nova, make_user, make_customer, client_for, path):
    from customers.services import mandate_create

    theirs = make_customer(nova, company_name="CLIENT DE NOVA")
    with in_schema(nova):
        mandate = mandate_create(now=timezone.now(), customer=theirs, by=None, iban=VALID_IBAN, bic=VALID_BIC)
    client = client_for(acme, make_user(acme, "admin"))
    assert client.get(path.format(pk=theirs.pk, m=mandate.pk)).status_code == 404
    assert "CLIENT DE NOVA" not in client.get("/customers/", {"q": "nova"}).content.decode()


def test_acme_staff_cannot_reach_novas_customers_through_the_api(
    acme, nova, make_user, make_customer, api_for
):
    from customers.services import mandate_create, payment_record

    theirs = make_customer(nova, company_name="CLIENT DE NOVA")
    with in_schema(nova):
        mandate = mandate_create(now=timezone.now(), customer=theirs, by=None, iban=VALID_IBAN, bic=VALID_BIC)
        entry = payment_record(now=timezone.now(), customer=theirs, by=None, amount="5")
        contact = theirs.contacts.get()
    ours = make_customer(acme, company_name="CLIENT ACME")
    api = api_for(acme, make_user(acme, "admin"))
    listed = api.get("/api/v1/customers/", {"q": "CLIENT"}).json()
    assert [c["company_name"] for c in listed["results"]] == ["CLIENT ACME"]
    # ids of nova's objects: not found in acme (unless acme has its own object with that id)
    with in_schema(acme):
        from customers.models import Contact, Customer, LedgerEntry, Mandate

        acme_ids = {
            "customers": set(Customer.objects.values_list("pk", flat=True)),
            "mandates": set(Mandate.objects.values_list("pk", flat=True)),
            "ledger-entries": set(LedgerEntry.objects.values_list("pk", flat=True)),
            "contacts": set(Contact.objects.values_list("pk", flat=True)),
        }
    for kind, pk in (
        ("customers", theirs.pk),
        ("mandates", mandate.pk),
        ("ledger-entries", entry.pk),
        ("contacts", contact.pk),
    ):
        response = api.get(f"/api/v1/{kind}/{pk}/")
        if pk in acme_ids[kind]:
            assert "NOVA" not in response.content.decode()
        else:
            assert response.status_code == 404, kind
    assert (
        api.patch(f"/api/v1/customers/{ours.pk}/", {"company_name": "RENAMED"}, format="json").status_code
        == 200
    )


def test_api_creates_a_customer_with_the_same_rules(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "sales"))
    refused = api.post("/api/v1/customers/", {"kind": "business", "company_name": "L'Étoile"}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "company_name"
    created = api.post(
        "/api/v1/customers/",
        {
            "kind": "business",
            "company_name": "ETOILE",
            "payment_mode": "sepa",
            "billing_contact": {"email": "f@etoile.example"},
            "mandate": {"iban": VALID_IBAN, "bic": VALID_BIC},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    mandates = api.get(f"/api/v1/customers/{pk}/mandates/").json()
    assert mandates[0]["rum"].startswith(created.json()["number"])
    signed = api.patch(f"/api/v1/mandates/{mandates[0]['id']}/", {"signed_on": "2026-01-05"}, format="json")
    assert signed.status_code == 200 and signed.json()["signed_on"] == "2026-01-05"
    assert (
        api.patch(
            f"/api/v1/mandates/{mandates[0]['id']}/", {"signed_on": "2099-01-05"}, format="json"
        ).status_code
        == 400
    )
    assert (
        api.post(
            f"/api/v1/customers/{pk}/ledger-entries/", {"kind": "payment", "amount": "10"}, format="json"
        ).status_code
        == 403
    )


def test_api_ledger_entries_for_accountants(acme, make_user, make_customer, api_for):
    customer = make_customer(acme)
    api = api_for(acme, make_user(acme, "accountant"))
    charge = api.post(
        f"/api/v1/customers/{customer.pk}/ledger-entries/",
        {"kind": "charge", "amount_ht": "100.00", "vat_rate": "20", "description": "Installation"},
        format="json",
    )
    assert charge.status_code == 201 and charge.json()["amount_ttc"] == "-120.00"
    reversal = api.post(
        f"/api/v1/customers/{customer.pk}/ledger-entries/",
        {"kind": "reversal", "reverses": charge.json()["id"]},
        format="json",
    )
    assert reversal.status_code == 201
    assert api.get(f"/api/v1/customers/{customer.pk}/").json()["balance"] == "0.00"


def test_openapi_schema_stays_valid(acme, make_user, client_for):
    response = client_for(acme, make_user(acme, "admin")).get("/api/v1/schema/")
    assert response.status_code == 200 and b"/api/v1/portal/me/ledger-entries/" in response.content


def test_editing_the_record_is_audited_and_the_login_email_follows_the_contact(
    acme, make_user, make_customer, client_for
):
    from audit.models import AuditEvent

    customer = make_customer(acme, login_email="lea@client.example")
    client = client_for(acme, make_user(acme, "support"))
    form = client.get(f"/customers/{customer.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, bool)}
    data.update(company_name="ACME CLIENT RENOMME", login_email="new@client.example", login_name="Lea")
    for flag in ("delivery_differs", "no_detailed_invoice"):
        data.pop(flag, None)
    response = client.post(f"/customers/{customer.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with in_schema(acme):
        customer.refresh_from_db()
        customer.portal_user.refresh_from_db()
        event = AuditEvent.objects.get(action="customer.updated", object_id=str(customer.pk))
    assert customer.company_name == "ACME CLIENT RENOMME"
    assert customer.portal_user.email == "new@client.example"
    assert event.changes["company_name"] == ["ACME CLIENT", "ACME CLIENT RENOMME"]


def test_staff_send_the_logins_again_from_the_customer_page(
    acme, make_user, make_customer, client_for, mailoutbox
):
    customer = make_customer(acme, login_email="lea@client.example")
    client = client_for(acme, make_user(acme, "sales"))
    assert client.post(f"/customers/{customer.pk}/send-logins/").status_code == 302
    assert [m.to for m in mailoutbox] == [["lea@client.example"]]
    assert "/reset/" in mailoutbox[0].body and customer.number in mailoutbox[0].body
