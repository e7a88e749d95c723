"""Operator invoices, their profiles, references and the operator's PDFs: pages, API and downloads
of one tenant are out of reach of another (acme vs nova), and a portal account sees only its own."""

import shutil

import pytest
from django.core.files.base import ContentFile

from cdr_import.models import Import
from cdr_import.models_invoices import OperatorInvoice, OperatorPdf, OperatorReference
from cdr_import.operator_invoices import operator_invoice_profile_create
from cdr_import.services import import_file
from tests.cdr_import.conftest import NOW, SAMPLES
from tests.cdr_import.test_operator_invoices import NWIND_PROFILE
from tests.conftest import in_schema


@pytest.fixture
def acme_costs(acme, tmp_path):
    copy = tmp_path / "SOFIA_202610.mdb"
    shutil.copy(SAMPLES / "mdb" / "nwind.mdb", copy)
    with in_schema(acme):
        profile = operator_invoice_profile_create(values=NWIND_PROFILE, by=None)
        import_file(path=copy, source="command", by=None, now=NOW, feed_type="operator_invoice")
        feed_import = Import.objects.create(
            source="command", original_name="Facture_ACME_202610.pdf", sha256="a" * 64, received_at=NOW
        )
        pdf = OperatorPdf(
            feed_import=feed_import, month=NOW.date().replace(day=1), name="Facture_ACME_202610.pdf",
            sha256="a" * 64, received_at=NOW,
        )  # fmt: skip
        pdf.file.save("Facture_ACME_202610.pdf", ContentFile(b"%PDF-1.4 acme"), save=True)
        invoice = OperatorInvoice.objects.get(invoice_ref="10248")
        reference = OperatorReference.objects.get(value="VINET")
    return {"profile": profile.pk, "invoice": invoice.pk, "pdf": pdf.pk, "reference": reference.pk}


def test_acme_staff_see_their_operator_invoices_pages_and_files(acme, acme_costs, make_user, client_for):
    client = client_for(acme, make_user(acme, "accountant"))
    assert client.get("/imports/operator-invoices/").status_code == 200
    page = client.get(f"/imports/operator-invoices/{acme_costs['invoice']}/")
    assert page.status_code == 200 and "10248" in page.content.decode()
    output = client.get(f"/imports/operator-invoices/{acme_costs['invoice']}/output/")
    assert output.status_code == 200 and b"TRAILER;3" in output.content
    assert client.get("/imports/operator-invoices/references/").status_code == 200
    assert client.get("/imports/operator-invoices/profiles/").status_code == 200
    pdfs = client.get("/imports/operator-pdfs/")
    assert pdfs.status_code == 200 and "Facture_ACME_202610.pdf" in pdfs.content.decode()
    assert client.get(f"/imports/operator-pdfs/{acme_costs['pdf']}/download/").content == b"%PDF-1.4 acme"


def test_nova_staff_reach_none_of_acme_operator_invoices(nova, acme_costs, make_user, client_for, api_for):
    admin = make_user(nova, "admin")
    client = client_for(nova, admin)
    for url in (
        f"/imports/operator-invoices/{acme_costs['invoice']}/",
        f"/imports/operator-invoices/{acme_costs['invoice']}/output/",
        f"/imports/operator-invoices/profiles/{acme_costs['profile']}/",
        f"/imports/operator-pdfs/{acme_costs['pdf']}/download/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/imports/operator-invoices/references/{acme_costs['reference']}/assign/",
            {"customer_number": ""},
        ).status_code
        == 404
    )
    listing = client.get("/imports/operator-invoices/").content.decode()
    assert "10248" not in listing and "VINET" not in listing
    assert "Facture_ACME" not in client.get("/imports/operator-pdfs/").content.decode()
    api = api_for(nova, admin)
    body = api.get("/api/v1/operator-invoices/").json()
    assert (body["results"] if isinstance(body, dict) else body) == []
    for url in (
        f"/api/v1/operator-invoices/{acme_costs['invoice']}/",
        f"/api/v1/operator-invoices/{acme_costs['invoice']}/output/",
        f"/api/v1/operator-invoice-profiles/{acme_costs['profile']}/",
        f"/api/v1/operator-pdfs/{acme_costs['pdf']}/",
        f"/api/v1/operator-pdfs/{acme_costs['pdf']}/download/",
    ):
        assert api.get(url).status_code == 404, url
    assert (
        api.post(
            f"/api/v1/operator-references/{acme_costs['reference']}/assign/",
            {"customer": None},
            format="json",
        ).status_code
        == 404
    )


def test_acme_api_lists_and_downloads(acme, acme_costs, make_user, api_for):
    api = api_for(acme, make_user(acme, "admin"))
    detail = api.get(f"/api/v1/operator-invoices/{acme_costs['invoice']}/")
    assert detail.status_code == 200 and len(detail.json()["lines"]) == 3
    assert b"TRAILER;3" in api.get(f"/api/v1/operator-invoices/{acme_costs['invoice']}/output/").content
    assert api.get(f"/api/v1/operator-pdfs/{acme_costs['pdf']}/download/").content == b"%PDF-1.4 acme"
    profiles = api.get("/api/v1/operator-invoice-profiles/").json()
    assert "sofia-nwind" in str(profiles)
    bad = api.post(
        "/api/v1/operator-invoice-profiles/", {"code": "x", "label": "X", "columns": {}}, format="json"
    )
    assert bad.status_code == 400


def test_portal_customer_sees_only_their_operator_invoices(acme, acme_costs, make_user, client_for):
    from cdr_import.operator_invoices import operator_reference_assign
    from customers.models import Customer

    with in_schema(acme):
        mine = Customer.objects.create(number="C-PORTAL-1", company_name="Vins Chevalier")
        other = Customer.objects.create(number="C-PORTAL-2", company_name="Autre")
        operator_reference_assign(
            reference=OperatorReference.objects.get(value="VINET"), customer=mine, by=None, now=NOW
        )
        operator_reference_assign(
            reference=OperatorReference.objects.get(value="TOMSP"), customer=other, by=None, now=NOW
        )
        tomsp = OperatorInvoice.objects.filter(account_ref="TOMSP").first()
        user = make_user(acme, "customer")
        mine.portal_user = user
        mine.save()
    client = client_for(acme, user)
    page = client.get("/portal/operator-invoices/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "10248" in text and tomsp.invoice_ref not in text
    assert client.get(f"/portal/operator-invoices/{acme_costs['invoice']}/output/").status_code == 200
    assert client.get(f"/portal/operator-invoices/{tomsp.pk}/output/").status_code == 404


def test_customer_costs_tab_shows_the_cost_side(acme, acme_costs, make_user, client_for):
    from cdr_import.operator_invoices import operator_reference_assign
    from customers.models import Customer

    with in_schema(acme):
        customer = Customer.objects.create(number="C-COST-1", company_name="Vins Chevalier")
        operator_reference_assign(
            reference=OperatorReference.objects.get(value="VINET"), customer=customer, by=None, now=NOW
        )
    client = client_for(acme, make_user(acme, "admin"))
    page = client.get(f"/customers/{customer.pk}/?tab=costs")
    assert page.status_code == 200 and "10248" in page.content.decode()
    saved = client.post(f"/imports/customers/{customer.pk}/roaming-cap/", {"lifted": "on"})
    assert saved.status_code == 302
    with in_schema(acme):
        from cdr_import.models_usage import RoamingCapLift

        assert RoamingCapLift.objects.filter(customer=customer).exists()
