"""A sample invoice with the tenant's branding and settings, to preview before the first run.

It is built like a real one (Decimal amounts, lines rounded to cents, VAT per rate on the base of
that rate) but carries a SPECIMEN mark and is never saved or numbered for real.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.documents import image_data_uri
from core.money import ZERO, quantize_price, vat_amount
from tenants.models import Tenant
from tenants.settings.numbering import invoice_number_format
from tenants.settings.selectors import (
    branding_get,
    branding_image,
    invoice_payment_text,
    invoice_settings_get,
)

SAMPLE_LINES = [
    # label, quantity, unit price HT, VAT rate %
    ("Forfait Mobile Pro 100 Go — 06 12 34 56 78", Decimal("1"), Decimal("24.90"), Decimal("20")),
    ("Forfait Mobile Pro 100 Go — 06 98 76 54 32", Decimal("1"), Decimal("24.90"), Decimal("20")),
    ("Option International Europe", Decimal("2"), Decimal("5.00"), Decimal("20")),
    ("Communications hors forfait (42 min)", Decimal("42"), Decimal("0.0850"), Decimal("20")),
    ("Location terminal — Galaxy A55", Decimal("1"), Decimal("12.50"), Decimal("20")),
    ("Frais d'envoi de facture papier", Decimal("1"), Decimal("2.00"), Decimal("5.5")),
]


def invoice_specimen_context(*, tenant: Tenant, today: date, payment_mode: str = "sepa") -> dict[str, Any]:
    """Everything `billing/invoice.html` needs, for a sample customer of `tenant`."""
    settings = invoice_settings_get(tenant=tenant)
    lines = []
    bases: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for label, quantity, unit_price, vat_rate in SAMPLE_LINES:
        amount = quantize_price(quantity * unit_price)
        lines.append(
            {
                "label": label,
                "quantity": quantity,
                "unit_price": unit_price,
                "vat_rate": vat_rate,
                "amount": amount,
            }
        )
        bases[vat_rate] += amount
    vat_lines = [
        {"rate": rate, "base": base, "vat": vat_amount(base, rate)} for rate, base in sorted(bases.items())
    ]
    total_ht = sum((line["base"] for line in vat_lines), ZERO)
    total_vat = sum((line["vat"] for line in vat_lines), ZERO)
    period_end = today.replace(day=1) - timedelta(days=1)
    logo = branding_image(tenant=tenant, kind="logo")
    banner = branding_image(tenant=tenant, kind="banner")
    bank_details = settings.bank_details or "\n".join(
        part
        for part in (
            f"IBAN : {tenant.creditor_iban}" if tenant.creditor_iban else "",
            f"BIC : {tenant.creditor_bic}" if tenant.creditor_bic else "",
        )
        if part
    )
    return {
        "specimen": True,
        "brand_color": branding_get(tenant=tenant).primary_color,  # validated #RRGGBB
        "tenant": tenant,
        "logo_src": image_data_uri(logo[0] if logo else None),
        "banner_src": image_data_uri(banner[0] if banner else None),
        "invoice": {
            "number": invoice_number_format(
                settings.number_format, year=today.year, month=today.month, seq=1
            ),
            "date": today,
            "due_date": today + timedelta(days=30),
            "period_start": period_end.replace(day=1),
            "period_end": period_end,
            "payment_mode": payment_mode,
            "total_ht": total_ht,
            "total_vat": total_vat,
            "total_ttc": total_ht + total_vat,
        },
        "customer": {
            "number": "C000123",
            "name": "Transports Dupont SARL",
            "address": ["Service comptabilité", "12 rue des Lilas", "69003 Lyon"],
            "vat_number": "FR40303265045",
            "mandate_reference": "RUM-C000123-01" if payment_mode == "sepa" else "",
        },
        "lines": lines,
        "vat_lines": vat_lines,
        "payment_text": invoice_payment_text(settings=settings, mode=payment_mode),
        "late_payment_text": settings.late_payment_text,
        "footer_text": settings.footer_text,
        "bank_details": bank_details,
    }
