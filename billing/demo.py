"""Demo billing: each demo tenant's month before last, billed through the real run (settle, drafts,
finalize) as if issued at the start of last month, then about half its invoices paid (transfer,
cheque, card, cash), some in part, the rest overdue by now. Idempotent: a period already billed is
left as it is."""

import datetime as dt
from typing import Any

from django.utils import timezone

from billing.models import UNPAID_STATUSES, BillingRun, Invoice, PaymentChannel, RunStatus
from billing.services import billing_run_execute, billing_run_finalize, billing_run_start
from billing.services_payments import invoices_restate, payment_record
from core.money import quantize_price

CHANNELS = (PaymentChannel.TRANSFER, PaymentChannel.CHEQUE, PaymentChannel.CARD, PaymentChannel.CASH)


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def seed_tenant(tenant: Any) -> None:
    today = timezone.localdate()
    billed = _months_back(today, 2)
    period = f"{billed.year:04d}-{billed.month:02d}"
    if BillingRun.objects.filter(period=period).exists():
        return
    issued_on = _months_back(today, 1) + dt.timedelta(days=1)
    at = timezone.make_aware(dt.datetime.combine(issued_on, dt.time(8, 0)))
    started = billing_run_start(period=period, by=None, now=at, today=issued_on, tenant=tenant)
    run = billing_run_execute(run_id=started.pk, now=at, today=issued_on)
    if run is None or run.status != RunStatus.DRAFT or not run.invoices.exists():
        return
    billing_run_finalize(run=run, tenant=tenant, by=None, now=at, today=issued_on)
    paid_on = issued_on + dt.timedelta(days=10)
    paid_at = timezone.make_aware(dt.datetime.combine(paid_on, dt.time(9, 0)))
    invoices = list(Invoice.objects.filter(run=run, status__in=UNPAID_STATUSES).select_related("customer"))
    for position, invoice in enumerate(invoices):
        if position % 2 or invoice.total_incl_vat <= 0 or invoice.payment_mode == "sepa":
            continue
        amount = invoice.total_incl_vat if position % 6 else quantize_price(invoice.total_incl_vat / 2)
        payment_record(
            customer=invoice.customer,
            channel=CHANNELS[position // 2 % len(CHANNELS)],
            amount=amount,
            received_on=paid_on,
            reference=f"DEMO-{invoice.number}",
            invoices=[invoice],
            by=None,
            now=paid_at,
            today=paid_on,
        )
    invoices_restate(today=today, now=timezone.now())
