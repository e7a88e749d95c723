"""A hand-computed financial scenario (July to September 2026), written in a tenant's schema.

July's service, invoiced on 1 August (due 3 September):
- INV-1 (C1): subscription 20.00 + national calls 5.00 excl. VAT -> 30.00 incl. VAT 20 %
- INV-2 (C2): option 10.00 + hardware 50.00 -> 72.00 incl. VAT
- a draft of C1 for July (1 000.00) that must never count
- an issued credit note on INV-2, 10 August: hardware 50.00 -> 60.00 incl. VAT; a draft one (7.00) that does not count
CDRs (wholesale cost): 1.25 + 2.50 + 0.25 in July, 0.75 in August; an operator invoice of 10.00
dated 20 July. Payments: C1 30.00 on 15 August (INV-1); C2 12.00 on 20 August, rejected; C2 5.00
on 5 September (INV-2).

Expected (by hand):
            revenue  cost   margin  rate   payments  outstanding  overdue
July         35.00   14.00   21.00  60.0      0.00        0.00     0.00
August        0.00    0.75   -0.75  —        30.00       12.00     0.00   (72 - 60 credited)
September     0.00    0.00    0.00  —         5.00        7.00     7.00   (due 3 Sept. passed)
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment, PaymentAllocation
from cdr_import.models import Import
from cdr_import.models_invoices import OperatorInvoice
from tests.billing.conftest import customer, line, load, offer, rate_table
from tests.billing.issued import issued_invoice

NOW = dt.datetime(2026, 9, 10, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 9, 10)
MSISDN = "33611000077"
HEADER = "CDR_ID;EVENT_TYPE;MSISDN;IMSI;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;ROAMING_COUNTRY;DESTINATION_LABEL;APN;WHOLESALE_COST"
CDRS = [
    ("F1", "2026-07-03 10:00:00", "1,2500"),
    ("F2", "2026-07-15 10:00:00", "2,5000"),
    ("F3", "2026-07-31 21:30:00", "0,2500"),  # 31 July in Paris
    ("F4", "2026-08-02 10:00:00", "0,7500"),
]
EXPECTED = {
    "2026-07": {"revenue": "35.00", "cost": "14.00", "margin": "21.00", "rate": "60.0", "payments": "0",
                "outstanding": "0", "overdue": "0", "cdr_cost": "4.00", "operator": "10.00"},
    "2026-08": {"revenue": "0", "cost": "0.75", "margin": "-0.75", "rate": None, "payments": "30.00",
                "outstanding": "12.00", "overdue": "0", "cdr_cost": "0.75", "operator": "0"},
    "2026-09": {"revenue": "0", "cost": "0", "margin": "0", "rate": None, "payments": "5.00",
                "outstanding": "7.00", "overdue": "7.00", "cdr_cost": "0", "operator": "0"},
}  # fmt: skip


def _cdr_file(tmp_path: Path) -> Path:
    rows = [HEADER]
    for cdr_id, start, cost in CDRS:
        rows.append(f"{cdr_id};VOICE_MO;{MSISDN};20815900000000;{start};60;0;33140000000;;;;{cost}")
    rows.append(f"TRAILER;{len(CDRS)}")
    path = tmp_path / "RatedCDRs_MOBILE_ACME_20260902000000.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode())
    return path


def _credit_note(invoice: Invoice, *, number: str | None, amount: str, issued: bool) -> CreditNote:
    excl = Decimal(amount)
    note = CreditNote.objects.create(
        invoice=invoice, customer=invoice.customer, number=number, reason="Retour du terminal",
        issue_date=dt.date(2026, 8, 10) if issued else None, customer_number=invoice.customer_number,
        customer_name=invoice.customer_name, total_excl_vat=excl, total_vat=excl / 5,
        total_incl_vat=excl * Decimal("1.2"), created_at=NOW,
    )  # fmt: skip
    CreditNoteLine.objects.create(
        credit_note=note, category="hardware", label="Terminal", quantity=1, unit_price=excl, amount=excl,
        vat_rate=Decimal(20),
    )  # fmt: skip
    if issued:
        note.status = "issued"
        note.save(update_fields=["status"])
    return note


def _payment(cust, invoice: Invoice, amount: str, on: dt.date, status: str = "received") -> None:
    payment = Payment.objects.create(
        customer=cust, channel="transfer", status=status, amount_incl_vat=Decimal(amount), received_on=on,
        created_at=NOW,
    )  # fmt: skip
    PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount_incl_vat=Decimal(amount))


def write_scenario(tmp_path: Path, *, prefix: str = "FIN") -> dict[str, Invoice]:
    """The scenario above, in the current schema; returns the issued invoices."""
    plan = offer(f"{prefix}P", "20.00", table=rate_table(f"{prefix}T"))
    c1, c2 = customer(f"{prefix}1"), customer(f"{prefix}2")
    line(c1, plan, MSISDN, dt.date(2026, 1, 1))
    load(_cdr_file(tmp_path))
    source = Import.objects.create(
        source="upload",
        original_name="sofia.mdb",
        sha256="f" * 64,
        received_at=NOW,
        feed_type="operator_invoice",
    )
    OperatorInvoice.objects.create(
        feed_import=source, operator_code="TEF", invoice_ref=f"{prefix}-OP-1", invoice_date=dt.date(2026, 7, 20),
        total_excl_vat=Decimal("10.00"), total_vat=Decimal("2.00"), created_at=NOW,
    )  # fmt: skip
    common = {"period": "2026-07", "issue_date": dt.date(2026, 8, 1), "due_date": dt.date(2026, 9, 3)}
    inv1 = issued_invoice(
        c1, number=f"{prefix}-2026-000001", lines=[("subscription", "20.00", "20"), ("usage_national", "5.00", "20")],
        **common,
    )  # fmt: skip
    inv2 = issued_invoice(
        c2,
        number=f"{prefix}-2026-000002",
        lines=[("option", "10.00", "20"), ("hardware", "50.00", "20")],
        **common,
    )
    draft = Invoice.objects.create(
        customer=c1, period="2026-07", period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 7, 31),
        payment_mode="transfer", customer_number=c1.number, customer_name=c1.display_name,
        customer_kind=c1.kind, total_excl_vat=Decimal(1000), total_vat=Decimal(200),
        total_incl_vat=Decimal(1200), created_at=NOW,
    )  # fmt: skip
    InvoiceLine.objects.create(
        invoice=draft, position=1, category="subscription", label="Brouillon", quantity=1,
        unit_price=Decimal(1000), amount=Decimal(1000), vat_rate=Decimal(20),
    )  # fmt: skip
    _credit_note(inv2, number=f"{prefix}-AV-2026-000001", amount="50.00", issued=True)
    _credit_note(inv2, number=None, amount="7.00", issued=False)
    _payment(c1, inv1, "30.00", dt.date(2026, 8, 15))
    _payment(c2, inv2, "12.00", dt.date(2026, 8, 20), status="rejected")
    _payment(c2, inv2, "5.00", dt.date(2026, 9, 5))
    return {"inv1": inv1, "inv2": inv2}
