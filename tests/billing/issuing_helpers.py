"""Builders of the issuing tests: a run of drafts written directly (no settling), totals by hand."""

import datetime as dt
from decimal import Decimal

from billing.models import BillingRun, Invoice, InvoiceLine, InvoiceVat, RunStatus
from core.money import quantize_price, vat_amount

NOW = dt.datetime(2027, 2, 3, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2027, 2, 3)


def customer(number: str, *, kind: str = "business", **fields):
    from customers.models import Customer

    if kind == "business":
        fields.setdefault("company_name", f"Société {number}")
        fields.setdefault("siren", "732829320")
        fields.setdefault("vat_number", "FR44732829320")
    else:
        fields.setdefault("first_name", "Jeanne")
        fields.setdefault("last_name", f"Martin {number}")
    fields.setdefault("payment_mode", "transfer")
    fields.setdefault("billing_line1", "12 rue des Lilas")
    fields.setdefault("billing_postal_code", "69003")
    fields.setdefault("billing_city", "Lyon")
    return Customer.objects.create(number=number, kind=kind, **fields)


def draft(run: BillingRun, cust, lines: list[tuple[str, str, str, str]], **fields) -> Invoice:
    """A draft of `cust` in `run`; lines: (label, quantity, unit price, VAT rate)."""
    amounts = [
        (label, Decimal(q), Decimal(p), Decimal(r), quantize_price(Decimal(q) * Decimal(p)))
        for label, q, p, r in lines
    ]
    bases: dict[Decimal, Decimal] = {}
    for *_rest, rate, amount in amounts:
        bases[rate] = bases.get(rate, Decimal(0)) + amount
    vats = {rate: vat_amount(base, rate) for rate, base in bases.items()}
    excl, vat = sum(bases.values(), Decimal(0)), sum(vats.values(), Decimal(0))
    invoice = Invoice.objects.create(
        run=run,
        customer=cust,
        period=run.period,
        period_start=run.period_start,
        period_end=run.period_end,
        payment_mode=cust.payment_mode,
        customer_number=cust.number,
        customer_name=cust.display_name,
        customer_kind=cust.kind,
        customer_siren=cust.siren if cust.kind == "business" else "",
        customer_vat_number=cust.vat_number,
        billing_address=f"{cust.billing_line1}\n{cust.billing_postal_code} {cust.billing_city}",
        detailed=not cust.no_detailed_invoice,
        total_excl_vat=excl,
        total_vat=vat,
        total_incl_vat=excl + vat,
        created_at=NOW,
        **fields,
    )
    for position, (label, q, p, r, amount) in enumerate(amounts, start=1):
        InvoiceLine.objects.create(
            invoice=invoice, position=position, category="subscription", label=label, quantity=q, unit_price=p,
            amount=amount, vat_rate=r,
        )  # fmt: skip
    for rate, base in bases.items():
        InvoiceVat.objects.create(invoice=invoice, vat_rate=rate, base=base, vat=vats[rate])
    return invoice


def draft_run(period: str, customers: list, *, lines=None) -> BillingRun:
    """A run of `period` whose drafts are ready: one invoice per customer."""
    year, month = map(int, period.split("-"))
    start = dt.date(year, month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    run = BillingRun.objects.create(
        period=period, period_start=start, period_end=end, status=RunStatus.DRAFT, created_at=NOW
    )
    for cust in customers:
        draft(run, cust, lines or [("Forfait Pro", "1", "24.90", "20"), ("Option Europe", "2", "5.00", "20")])
    return run
