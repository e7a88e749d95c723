"""The printable SEPA mandate form, through the one document path (`core.documents`)."""

from typing import Any

from core.documents import render_pdf
from core.identifiers import format_iban, mask_iban
from customers.models import Mandate


def mandate_pdf(*, mandate: Mandate, creditor: Any, reveal_iban: bool = False) -> bytes:
    """The mandate for the customer to sign, with the creditor's (the tenant's) name, ICS and
    address. The debtor's IBAN is masked unless `reveal_iban` (a reveal its caller recorded)."""
    return render_pdf(
        "customers/mandate_pdf.html",
        {
            "mandate": mandate,
            "customer": mandate.customer,
            "creditor": creditor,
            "creditor_name": getattr(creditor, "legal_name", "") or getattr(creditor, "name", ""),
            "iban": format_iban(mandate.iban) if reveal_iban else mask_iban(mandate.iban),
        },
    )
