"""Issued documents: the PDF read back (number, totals, mentions), Factur-X checked against its XSD,
the call detail masked, downloads and the ZIP, acme never reaching nova's invoices."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import facturx
from django.utils import translation
from lxml import etree
from pypdf import PdfReader

from billing.documents import document_pdf_store, mask_number
from billing.issuing import billing_run_finalize, credit_note_issue
from billing.models import Invoice
from tests.billing.issuing_helpers import NOW, TODAY, customer, draft_run
from tests.conftest import in_schema

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\u00a0", " ")


def _issued(tenant, customers, **kwargs):
    from tenants.models import TenantInvoiceSettings

    TenantInvoiceSettings.objects.update_or_create(
        tenant=tenant, defaults={"number_format": "F{YYYY}-{SEQ:5}"}
    )
    run = draft_run("2027-01", customers, **kwargs)
    return billing_run_finalize(run=run, tenant=tenant, by=None, now=NOW, today=TODAY)


def _cdr(cust, called: str, when: dt.datetime):
    from cdr_import.models import Cdr
    from cdr_import.store import cdr_partition_ensure

    cdr_partition_ensure(month=when.date().replace(day=1))
    Cdr.objects.create(
        family="MOBILE", cdr_id=f"X{called}{when:%H%M%S}", line_ref="33611000001", customer=cust,
        event_type="VOICE_MO", start_time=when, duration_s=125, called_number=called,
        wholesale_cost=Decimal("0.01"), rated_amount=Decimal("0.4200"), rating_status="rated",
        rate_destination="Mobiles",
    )  # fmt: skip


def test_a_business_invoice_is_a_factur_x_pdf_holding_its_number_totals_and_mentions(acme):
    with in_schema(acme):
        acme.siren, acme.vat_number, acme.legal_name = "443061841", "FR47443061841", "Acme Télécom SAS"
        acme.save()
        cust = customer("C1", delivery_differs=True)
        Invoice.objects.none()
        run = _issued(acme, [cust])
        invoice = Invoice.objects.get(run=run)
        Invoice.objects.filter(pk=invoice.pk)  # the delivery address was copied at build time by h13a's run
        assert document_pdf_store(invoice, tenant=acme)
        invoice.refresh_from_db()
        pdf = invoice.pdf.read()
    text = _text(pdf)
    assert "F2027-00001" in text
    for amount in ("34,90 €", "6,98 €", "41,88 €"):
        assert amount in text
    assert "732829320" in text  # the customer's SIREN
    assert "Prestations de services" in text
    assert "40 €" in text  # the recovery indemnity of the late-payment terms, for a business
    flavor, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    assert xml, "no Factur-X XML embedded"
    facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    tree = etree.fromstring(xml)
    assert (
        tree.findtext(".//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID", namespaces=NS) == "S1"
    )
    assert (
        tree.findtext(".//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", namespaces=NS)
        == "732829320"
    )
    codes = [n.text for n in tree.findall(".//ram:IncludedNote/ram:SubjectCode", namespaces=NS)]
    assert sorted(codes) == ["AAB", "PMD", "PMT"]
    assert tree.findtext(".//ram:GrandTotalAmount", namespaces=NS) == "41.88"
    assert tree.findtext(".//rsm:ExchangedDocument/ram:ID", namespaces=NS) == "F2027-00001"
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()  # PDF/A-3 and Factur-X metadata
    assert 'pdfaid:part="3"' in xmp and "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in xmp
    assert "<pdfaSchema:prefix>fx</pdfaSchema:prefix>" in xmp  # the extension schema PDF/A asks for
    [spec] = [ref.get_object() for ref in root["/AF"]]
    assert (spec["/F"], spec["/AFRelationship"]) == ("factur-x.xml", "/Data")
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/text/xml"


def test_a_consumer_invoice_by_direct_debit_pre_notifies_the_debit_and_masks_called_numbers(acme):
    with in_schema(acme):
        cust = customer("C2", kind="consumer", payment_mode="sepa")
        _cdr(cust, "33622334455", dt.datetime(2027, 1, 10, 10, 0, tzinfo=dt.UTC))
        run = _issued(acme, [cust])
        invoice = Invoice.objects.get(run=run)
        document_pdf_store(invoice, tenant=acme)
        invoice.refresh_from_db()
        pdf = invoice.pdf.read()
    text = _text(pdf)
    assert "41,88 €" in text and f"{invoice.debit_date:%d/%m/%Y}" in text
    assert "prélevé" in text.lower()
    assert "3362233XXXX" in text and "33622334455" not in text
    assert "40 €" not in text  # penalties and indemnity are for businesses
    assert not facturx.get_xml_from_pdf(pdf, check_xsd=False)[1]  # no Factur-X for a consumer


def test_called_numbers_in_full_when_asked_and_no_detail_when_refused():
    assert mask_number("33622334455", full=False) == "3362233XXXX"
    assert mask_number("33622334455", full=True) == "33622334455"


def test_no_call_detail_for_a_customer_who_asked_for_none(acme):
    with in_schema(acme):
        cust = customer("C3", kind="consumer", no_detailed_invoice=True, full_called_numbers=True)
        _cdr(cust, "33622334455", dt.datetime(2027, 1, 10, 10, 0, tzinfo=dt.UTC))
        invoice = Invoice.objects.get(run=_issued(acme, [cust]))
        document_pdf_store(invoice, tenant=acme)
        invoice.refresh_from_db()
        text = _text(invoice.pdf.read())
    assert "33622334455" not in text and "Détail des appels" not in text


def test_a_credit_note_pdf_references_its_invoice(acme):
    with in_schema(acme):
        invoice = Invoice.objects.get(run=_issued(acme, [customer("C1")]))
        note = credit_note_issue(
            invoice=invoice, reason="Erreur", items=None, tenant=acme, by=None, now=NOW, today=TODAY
        )
        pdf = note.pdf.read()
    text = _text(pdf)
    assert "AVOIR" in text and note.number in text and "F2027-00001" in text and "41,88 €" in text
    _flavor, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    tree = etree.fromstring(xml)
    assert tree.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    assert (
        tree.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=NS) == "F2027-00001"
    )


def test_staff_download_an_invoice_and_a_run_as_a_zip(acme, make_user, client_for, api_for):
    accountant = make_user(acme, "accountant")
    with in_schema(acme):
        run = _issued(acme, [customer("C1", kind="consumer"), customer("C2", kind="consumer")])
        first = Invoice.objects.get(run=run, sequence=1)
    client = client_for(acme, accountant)
    response = client.get(f"/billing/invoices/{first.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "F2027-00001" in _text(b"".join(response.streaming_content))
    response = client.get(f"/billing/runs/{run.pk}/zip/")
    assert response.status_code == 200 and response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == ["facture-F2027-00001.pdf", "facture-F2027-00002.pdf"]
    assert "F2027-00002" in _text(archive.read("facture-F2027-00002.pdf"))
    api = api_for(acme, accountant)
    assert api.get(f"/api/v1/invoices/{first.pk}/pdf/").status_code == 200
    created = api.post(f"/api/v1/invoices/{first.pk}/credit-notes/", {"reason": "Erreur"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["number"].startswith("AV") and created.json()["full"]
    assert api.get("/api/v1/credit-notes/").json()["count"] == 1


def test_acme_staff_and_portal_users_cannot_reach_novas_invoices(acme, nova, make_user, client_for, api_for):
    with in_schema(nova):
        run = _issued(nova, [customer("N1", kind="consumer")])
        invoice = Invoice.objects.get(run=run)
        note = credit_note_issue(
            invoice=invoice, reason="Erreur", items=None, tenant=nova, by=None, now=NOW, today=TODAY
        )
    acme_admin = make_user(acme, "admin")
    client, api = client_for(acme, acme_admin), api_for(acme, acme_admin)
    for url in (
        f"/billing/invoices/{invoice.pk}/pdf/",
        f"/billing/runs/{run.pk}/zip/",
        f"/billing/credit-notes/{note.pk}/pdf/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/api/v1/invoices/{invoice.pk}/pdf/",
        f"/api/v1/credit-notes/{note.pk}/",
        f"/api/v1/credit-notes/{note.pk}/pdf/",
        f"/api/v1/billing-runs/{run.pk}/zip/",
    ):
        assert api.get(url).status_code == 404, url
    assert api.get("/api/v1/credit-notes/").json()["count"] == 0
    assert (
        api.post(f"/api/v1/invoices/{invoice.pk}/credit-notes/", {"reason": "x"}, format="json").status_code
        == 404
    )
    # an acme portal user reaches no staff download at all, nova's even less
    portal_user = make_user(acme, "customer")  # an end customer of acme (the portal's user)
    portal = client_for(acme, portal_user)
    assert portal.get(f"/billing/invoices/{invoice.pk}/pdf/").status_code == 403
    assert api_for(acme, portal_user).get(f"/api/v1/invoices/{invoice.pk}/pdf/").status_code in (403, 404)
    # nova's file is stored in nova's own media folder
    with in_schema(nova):
        assert "/nova/" in note.pdf.path


def test_the_call_detail_prints_one_line_per_call_with_labels_not_codes(acme):
    """Issue 13 (speed): the call detail is one preformatted line per call; still labelled in
    French, the called number masked, the amount the French way."""
    with in_schema(acme):
        cust = customer("C4", kind="consumer")
        _cdr(cust, "33622334455", dt.datetime(2027, 1, 10, 10, 0, tzinfo=dt.UTC))
        _cdr(cust, "33622334466", dt.datetime(2027, 1, 11, 9, 30, tzinfo=dt.UTC))
        invoice = Invoice.objects.get(run=_issued(acme, [cust]))
        document_pdf_store(invoice, tenant=acme)
        invoice.refresh_from_db()
        text = _text(invoice.pdf.read())
    assert "Détail des appels" in text and "Numéro appelé" in text and "Durée / volume" in text
    assert text.count("Appels sortants") == 2 and "VOICE_MO" not in text
    assert "3362233XXXX" in text and "33622334455" not in text and "33622334466" not in text
    assert "10/01/2027 11:00:00" in text and "2 min 05 s" in text and "0,42 €" in text


def test_a_call_detail_over_several_pages_carries_its_column_headings_on_each(acme):
    with in_schema(acme):
        cust = customer("C5", kind="consumer")
        start = dt.datetime(2027, 1, 2, 8, 0, tzinfo=dt.UTC)
        for n in range(150):
            _cdr(cust, "33622334455", start + dt.timedelta(minutes=7 * n))
        invoice = Invoice.objects.get(run=_issued(acme, [cust]))
        document_pdf_store(invoice, tenant=acme)
        invoice.refresh_from_db()
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(invoice.pdf.read())).pages]
    detail = [text for text in pages if "Appels sortants" in text]
    assert len(detail) >= 2 and sum(text.count("Appels sortants") for text in detail) == 150
    assert all("Numéro appelé" in text and "Durée / volume" in text for text in detail)
    assert "Numéro appelé" not in pages[0]


def test_the_factur_x_schema_is_parsed_once_and_still_refuses_a_broken_document():
    from billing.facturx import _en16931_schema

    assert _en16931_schema() is _en16931_schema()
    broken = etree.fromstring(f"<rsm:CrossIndustryInvoice xmlns:rsm='{NS['rsm']}'/>".encode())
    assert not _en16931_schema().validate(broken)


def test_the_call_detail_lines_are_fixed_width_columns_escaped_in_local_time():
    from billing.templatetags.billing_format import call_lines

    events = [
        {"time": dt.datetime(2027, 1, 3, 23, 30, 5, tzinfo=dt.UTC), "event": "DATA", "called": "", "quantity": "1234 Ko",
         "destination": "Roaming <Zone 1> & Europe, une destination bien trop longue", "amount": None},
        {"time": dt.datetime(2027, 1, 4, 8, 0, 0, tzinfo=dt.UTC), "event": "VOICE_MO", "called": "3362233XXXX",
         "quantity": "2 min 05 s", "destination": "Mobiles", "amount": Decimal("0.4200")},
    ]  # fmt: skip
    with translation.override("fr"):
        first, second = str(call_lines(events)).splitlines()
    assert first.startswith("04/01/2027 00:30:05  ")  # Paris time
    assert first.endswith("Roaming &lt;Zone 1&gt; &amp; Europe, un…")  # cut at 30 characters, then escaped
    assert (
        second
        == "04/01/2027 09:00:00  Appels sortants    3362233XXXX          2 min 05 s      0,42\u00a0€  Mobiles"
    )
