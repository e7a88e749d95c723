"""The PDF of an issued invoice or credit note, through the one PDF path (`core.documents`).

Everything printed comes from the document's own snapshot (seller and customer as they were when
it was issued, lines, VAT per rate), so the PDF rendered again later is the same document. For a
business customer the PDF is a PDF/A-3 with its Factur-X XML embedded (`billing.facturx`).
The call detail (one table per phone line, the period's events) follows the invoice unless the
customer asked for none; called numbers lose their last four digits unless it asked for them in full.
"""

import hashlib
from collections import defaultdict
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone, translation

from billing.facturx import cii_xml, facturx_parts
from billing.models import CreditNote, Invoice, LineCategory
from cdr_import.models import Cdr
from cdr_import.settle import period_bounds
from core.choices import PaymentMode
from core.documents import PdfAttachment, PdfInfo, image_data_uri, render_pdf
from customers.models import CustomerKind
from tenants.models import Tenant
from tenants.settings.selectors import branding_get, branding_image

RECEIVED = ("VOICE_MT", "VOICE_IN", "SMS_MT")  # received calls and SMS are not itemised
DETAIL_LIMIT = 5000  # events per invoice printed in the call detail (the rest are counted)
SERVICES_CATEGORY = "Prestations de services"
INVOICE_CSS = "pdf/invoice.css"  # the shared part of billing/invoice.html's style, parsed once per process


def seller_snapshot(*, tenant: Tenant, texts: dict[str, str]) -> dict[str, Any]:
    """The seller's identity and the texts printed on a document, fixed when it is issued."""
    return {
        "name": tenant.name,
        "legal_name": tenant.legal_name or tenant.name,
        "address_lines": [line for line in (tenant.address_line1, tenant.address_line2) if line],
        "postal_code": tenant.postal_code,
        "city": tenant.city,
        "country": tenant.country or "FR",
        "siren": tenant.siren,
        "siret": tenant.siret,
        "vat_number": tenant.vat_number,
        "share_capital": str(tenant.share_capital) if tenant.share_capital is not None else "",
        "rcs_city": tenant.rcs_city,
        "creditor_id": tenant.sepa_creditor_id,
        "iban": tenant.creditor_iban,
        "bic": tenant.creditor_bic,
        **texts,
    }


def mask_number(number: str, *, full: bool) -> str:
    """The called number as the itemised bill prints it: its last four digits masked unless `full`."""
    if full or len(number) <= 4:
        return number
    return number[:-4] + "XXXX"


def _address_parts(text: str) -> tuple[list[str], str, str]:
    """(street lines, postal code, city) of a snapshot address whose last line is "CODE CITY"."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return [], "", ""
    code, _sep, city = lines[-1].partition(" ")
    if code.isdigit():
        return lines[:-1], code, city
    return lines, "", ""


def _party(name: str, address: str, country: str, siren: str, vat: str) -> dict[str, Any]:
    lines, code, city = _address_parts(address)
    return {
        "name": name,
        "address_lines": lines,
        "postal_code": code,
        "city": city,
        "country": country or "FR",
        "siren": siren,
        "vat_number": vat,
    }


def document_facts(document: Invoice | CreditNote) -> dict[str, Any]:
    """What the PDF and the Factur-X XML say of an issued invoice or credit note."""
    credit = isinstance(document, CreditNote)
    seller = dict(document.seller or {})
    invoice = document.invoice if isinstance(document, CreditNote) else document
    facts: dict[str, Any] = {
        "credit_note": credit,
        "number": document.number or "",
        "issue_date": document.issue_date,
        "seller": {**seller, "name": seller.get("legal_name") or seller.get("name", "")},
        "buyer": _party(
            document.customer_name,
            document.billing_address,
            invoice.billing_country,
            document.customer_siren,
            document.customer_vat_number,
        ),
        "ship_to": _party(invoice.customer_name, invoice.delivery_address, invoice.billing_country, "", "")
        if invoice.delivery_address
        else None,
        "payment_mode": invoice.payment_mode,
        "mandate_reference": invoice.mandate_reference,
        "creditor_id": seller.get("creditor_id", ""),
        "seller_iban": (seller.get("iban") or "").replace(" ", ""),
        "vat_on_debits": invoice.vat_on_debits,
        "period_start": invoice.period_start,
        "period_end": invoice.period_end,
        "due_date": None if credit else invoice.due_date,
        "total_excl_vat": document.total_excl_vat,
        "total_vat": document.total_vat,
        "total_incl_vat": document.total_incl_vat,
        "lines": [
            {
                "label": li.label,
                "detail": getattr(li, "detail", ""),
                "quantity": li.quantity,
                "unit_price": li.unit_price,
                "amount": li.amount,
                "vat_rate": li.vat_rate,
                "category": li.category,
            }
            for li in document.lines.order_by("position", "id")
        ],
        "vat_lines": [
            {"rate": v.vat_rate, "base": v.base, "vat": v.vat}
            for v in document.vat_lines.order_by("vat_rate")
        ],
        "invoice_reference": {"number": invoice.number, "issue_date": invoice.issue_date} if credit else None,
        "business": invoice.customer_kind == CustomerKind.BUSINESS,
    }
    return facts


def call_detail(invoice: Invoice) -> tuple[list[dict[str, Any]], int]:
    """The period's itemised events per phone line (called numbers masked unless asked in full),
    and how many were left out beyond DETAIL_LIMIT."""
    first, following = period_bounds(invoice.period)
    cdrs = (
        Cdr.objects.filter(customer_id=invoice.customer_id, start_time__gte=first, start_time__lt=following)
        .exclude(event_type__in=RECEIVED)
        .exclude(Q(unrated=True) | Q(unknown_line=True))
        .order_by("line_ref", "start_time", "id")
        .values_list("line_ref", "start_time", "event_type", "called_number", "duration_s", "volume_bytes",
                     "rate_destination", "rated_amount")
    )  # fmt: skip
    total = cdrs.count()
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line_ref, start, event, called, duration, volume, destination, amount in cdrs[:DETAIL_LIMIT]:
        groups[line_ref].append(
            {
                "time": timezone.localtime(start),
                "event": event,
                "called": mask_number(called, full=invoice.full_numbers),
                "quantity": _event_quantity(event, duration, volume),
                "destination": destination,
                "amount": amount,
            }
        )
    return [{"line": ref, "events": events} for ref, events in groups.items()], max(0, total - DETAIL_LIMIT)


def _event_quantity(event: str, duration: int, volume: int) -> str:
    if event == "DATA":
        return f"{(volume + 1023) // 1024} Ko"
    if event.startswith(("SMS", "MMS")):
        return "1"
    minutes, seconds = divmod(duration, 60)
    return f"{minutes} min {seconds:02d} s"


def document_context(document: Invoice | CreditNote, *, tenant: Tenant) -> dict[str, Any]:
    """The context of `billing/invoice.html` for an issued document."""
    facts = document_facts(document)
    seller = facts["seller"]
    invoice = document.invoice if isinstance(document, CreditNote) else document
    logo = branding_image(tenant=tenant, kind="logo")
    banner = branding_image(tenant=tenant, kind="banner")
    detail: list[dict[str, Any]] = []
    left_out = 0
    if isinstance(document, Invoice) and document.detailed:
        detail, left_out = call_detail(document)
    customer_lines = [line for line in (document.billing_address or "").splitlines() if line.strip()]
    business = facts["business"]
    return {
        "specimen": False,
        "credit_note": facts["credit_note"],
        "brand_color": branding_get(tenant=tenant).primary_color,
        "tenant": _SellerView(seller),
        "logo_src": image_data_uri(logo[0] if logo else None),
        "banner_src": image_data_uri(banner[0] if banner else None),
        "invoice": {
            "number": facts["number"],
            "date": facts["issue_date"],
            "due_date": facts["due_date"],
            "period_start": facts["period_start"],
            "period_end": facts["period_end"],
            "payment_mode": facts["payment_mode"],
            "total_ht": facts["total_excl_vat"],
            "total_vat": facts["total_vat"],
            "total_ttc": facts["total_incl_vat"],
            "category": SERVICES_CATEGORY,
            "vat_on_debits": facts["vat_on_debits"],
            "debit_date": invoice.debit_date if facts["payment_mode"] == PaymentMode.SEPA else None,
            "reference": facts["invoice_reference"],
            "reason": getattr(document, "reason", ""),
        },
        "customer": {
            "number": document.customer_number,
            "name": document.customer_name,
            "address": customer_lines,
            "siren": document.customer_siren,
            "vat_number": document.customer_vat_number,
            "delivery_address": [li for li in invoice.delivery_address.splitlines() if li.strip()],
            "mandate_reference": invoice.mandate_reference
            if facts["payment_mode"] == PaymentMode.SEPA
            else "",
            "business": business,
        },
        "lines": facts["lines"],
        "vat_lines": facts["vat_lines"],
        "payment_text": "" if facts["credit_note"] else seller.get("payment_text", ""),
        "late_payment_text": seller.get("late_payment_text", "") if business else "",
        "footer_text": seller.get("footer_text", ""),
        "bank_details": "" if facts["credit_note"] else seller.get("bank_details", ""),
        "call_detail": detail,
        "call_detail_left_out": left_out,
        "discount_category": LineCategory.DISCOUNT.value,
    }


class _SellerView:
    """The seller snapshot with the attribute names the invoice template reads from a tenant."""

    def __init__(self, seller: dict[str, Any]):
        self.name = seller.get("name", "")
        self.legal_name = seller.get("legal_name", "")
        lines = seller.get("address_lines") or []
        self.address_line1 = lines[0] if lines else ""
        self.address_line2 = lines[1] if len(lines) > 1 else ""
        self.postal_code = seller.get("postal_code", "")
        self.city = seller.get("city", "")
        self.siren = seller.get("siren", "")
        self.siret = seller.get("siret", "")
        self.vat_number = seller.get("vat_number", "")
        self.share_capital = seller.get("share_capital") or None
        self.rcs_city = seller.get("rcs_city", "")
        self.sepa_creditor_id = seller.get("creditor_id", "")


def document_pdf(document: Invoice | CreditNote, *, tenant: Tenant) -> bytes:
    """The PDF bytes of an issued document: PDF/A-3 with Factur-X for a business customer."""
    context = document_context(document, tenant=tenant)
    return invoice_pdf(context, document_facts(document) if context["customer"]["business"] else None)


def invoice_pdf(context: dict[str, Any], facts: dict[str, Any] | None) -> bytes:
    """The document's PDF from its context (`document_context`); with its facts (`document_facts`,
    a business customer), a PDF/A-3b carrying its Factur-X XML, written in one pass."""
    info: PdfInfo | None = None
    attachments: list[PdfAttachment] = []
    if facts is not None:
        title = ("Avoir " if facts["credit_note"] else "Facture ") + facts["number"]
        info, attachments = facturx_parts(
            cii_xml(facts), title=title, author=facts["seller"]["name"] or "ISM"
        )
    with translation.override("fr"):  # invoices are French documents, whatever the reader's language
        return render_pdf(
            "billing/invoice.html",
            context,
            variant="pdf/a-3b" if facts is not None else None,
            stylesheet=INVOICE_CSS,
            info=info,
            attachments=attachments,
        )


def document_file_name(document: Invoice | CreditNote) -> str:
    prefix = "avoir" if isinstance(document, CreditNote) else "facture"
    return f"{prefix}-{document.number}.pdf".replace("/", "-")


def document_pdf_store(document: Invoice | CreditNote, *, tenant: Tenant) -> bool:
    """Render and keep the PDF of an issued document once; False when it already has one.

    The file name is the document's number, and a file left by an attempt that died before
    recording it is replaced, so a document never has two files."""
    model = type(document)
    fresh = model.objects.get(pk=document.pk)
    if fresh.pdf:
        return False
    content = document_pdf(fresh, tenant=tenant)
    folder = "credit_notes" if isinstance(fresh, CreditNote) else "invoices"
    name = f"{folder}/{fresh.issue_date:%Y/%m}/{document_file_name(fresh)}"
    storage = fresh.pdf.storage
    if storage.exists(name):
        storage.delete(name)
    stored = storage.save(name, ContentFile(content))
    updated = model.objects.filter(pk=fresh.pk, pdf="").update(
        pdf=stored, pdf_sha256=hashlib.sha256(content).hexdigest()
    )
    return bool(updated)
