"""Issued invoices for the delivery and collection tests, written straight into the tables (the
finalization path numbers and renders them in its own tests)."""

import datetime as dt
from decimal import Decimal

from billing.models import Invoice, InvoiceLine, InvoiceStatus, InvoiceVat
from core.money import vat_amount

NOW = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)


def issued_invoice(
    customer,
    *,
    number: str,
    lines: list[tuple[str, str, str]] = (("subscription", "20.00", "20"),),  # type: ignore[assignment]
    issue_date: dt.date = dt.date(2027, 2, 1),
    due_date: dt.date | None = dt.date(2027, 3, 3),
    mode: str = "transfer",
    email: str = "compta@client.example",
    period: str = "2027-01",
    debit_date: dt.date | None = None,
    run=None,
) -> Invoice:
    """An issued invoice: lines (category, amount excl. VAT, VAT rate) and its VAT per rate.

    Written as a draft with its lines and totals, then issued (the database refuses lines added to
    an issued document)."""
    sequence = int(number.rsplit("-", 1)[-1])
    invoice = Invoice.objects.create(
        run=run,
        customer=customer,
        status=InvoiceStatus.DRAFT,
        number=number,
        number_period=str(issue_date.year),
        sequence=sequence,
        period=period,
        period_start=dt.date(int(period[:4]), int(period[5:]), 1),
        period_end=dt.date(int(period[:4]), int(period[5:]), 28),
        issue_date=issue_date,
        due_date=due_date,
        debit_date=debit_date,
        payment_mode=mode,
        customer_number=customer.number,
        customer_name=customer.display_name,
        customer_kind=customer.kind,
        customer_email=email,
        created_at=NOW,
        finalized_at=NOW,
    )
    bases: dict[Decimal, Decimal] = {}
    for position, (category, amount, rate) in enumerate(lines):
        InvoiceLine.objects.create(
            invoice=invoice, position=position, category=category, label=category, quantity=1,
            unit_price=Decimal(amount), amount=Decimal(amount), vat_rate=Decimal(rate),
        )  # fmt: skip
        bases[Decimal(rate)] = bases.get(Decimal(rate), Decimal("0")) + Decimal(amount)
    total_vat = Decimal("0")
    for rate, base in bases.items():
        vat = vat_amount(base, rate)
        InvoiceVat.objects.create(invoice=invoice, vat_rate=rate, base=base, vat=vat)
        total_vat += vat
    invoice.total_excl_vat = sum(bases.values(), Decimal("0"))
    invoice.total_vat = total_vat
    invoice.total_incl_vat = invoice.total_excl_vat + total_vat
    invoice.save(update_fields=["total_excl_vat", "total_vat", "total_incl_vat"])
    invoice.status = InvoiceStatus.ISSUED
    invoice.save(update_fields=["status"])
    return invoice
