"""The printable SEPA mandate form: a Django template rendered to HTML, then PDF (WeasyPrint)."""

from typing import Any

from django.template.loader import render_to_string

from customers.models import Mandate
from ism.identifiers import format_iban


def mandate_pdf(*, mandate: Mandate, creditor: Any) -> bytes:
    """The mandate for the customer to sign, with the creditor's (the tenant's) name, ICS and address."""
    from weasyprint import HTML  # heavy: imported only when a PDF is made

    html = render_to_string(
        "customers/mandate_pdf.html",
        {
            "mandate": mandate,
            "customer": mandate.customer,
            "creditor": creditor,
            "creditor_name": getattr(creditor, "legal_name", "") or getattr(creditor, "name", ""),
            "iban": format_iban(mandate.iban),
        },
    )
    return bytes(HTML(string=html).write_pdf())
