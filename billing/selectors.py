"""Reads of the billing app: settings, due dates, the checks before a run, runs and invoices."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from billing.content import Period
from billing.models import (
    BillingRun,
    BillingSettings,
    Invoice,
    InvoiceStatus,
    NumberCounter,
    NumberKind,
    NumberRestart,
)
from cdr_import.models import Cdr, FeedType, Import, ImportStatus
from cdr_import.settle import period_bounds
from core.choices import PaymentMode
from core.errors import ApplicationError
from provisioning.models import LineAction, LineActionStatus
from tenants.models import Tenant
from tenants.settings.numbering import invoice_number_format
from tenants.settings.selectors import invoice_settings_get


def billing_settings_get() -> BillingSettings:
    """The tenant's billing settings; the defaults (unsaved) until an admin changes them."""
    return BillingSettings.objects.order_by("pk").first() or BillingSettings()


def due_dates(*, settings: BillingSettings, mode: str, issue_date: dt.date) -> tuple[dt.date, dt.date | None]:
    """(due date, debit date) of an invoice issued on `issue_date` and paid by `mode`.

    SEPA: the debit is on the settings' day of the month, the first such day at least the
    pre-notification delay after the issue; it is the due date. Other modes: a delay in days.
    """
    if mode == PaymentMode.SEPA:
        earliest = issue_date + dt.timedelta(days=settings.sepa_prenotification_days)
        day = max(1, min(28, settings.sepa_debit_day))
        debit = earliest.replace(day=day)
        if debit < earliest:
            debit = (debit.replace(day=1) + dt.timedelta(days=32)).replace(day=day)
        return debit, debit
    delays: dict[str, int] = {
        PaymentMode.TRANSFER: settings.due_days_transfer,
        PaymentMode.CHEQUE: settings.due_days_cheque,
        PaymentMode.CARD: settings.due_days_card,
    }
    delay = delays.get(mode, settings.due_days_transfer)
    return issue_date + dt.timedelta(days=delay), None


def number_period_key(*, restart: str, day: dt.date) -> str:
    """The numbering period a number taken on `day` belongs to, by the restart rule."""
    if restart == NumberRestart.MONTHLY:
        return f"{day.year:04d}-{day.month:02d}"
    if restart == NumberRestart.YEARLY:
        return f"{day.year:04d}"
    return ""


def next_invoice_number(*, tenant: Tenant, today: dt.date) -> str:
    """The number the next finalized invoice would take today."""
    key = number_period_key(restart=billing_settings_get().number_restart, day=today)
    counter = NumberCounter.objects.filter(kind=NumberKind.INVOICE, period_key=key).first()
    last = counter.last if counter else 0
    pattern = invoice_settings_get(tenant=tenant).number_format
    return invoice_number_format(pattern, year=today.year, month=today.month, seq=last + 1)


def billing_preflight(*, period: str, today: dt.date, tenant: Tenant | None = None) -> dict[str, Any]:
    """What is missing or odd before billing `period` (shown before the run starts)."""
    first, following = period_bounds(period)
    cdrs = Cdr.objects.filter(start_time__gte=first, start_time__lt=following)
    billed_loaded = Import.objects.filter(
        feed_type=FeedType.BILLED,
        billing_period=period,
        status__in=[ImportStatus.DONE, ImportStatus.DONE_WITH_REJECTIONS],
    ).exists()
    checks: dict[str, Any] = {
        "billed_loaded": billed_loaded,
        "cdrs": cdrs.count(),
        "unrated": cdrs.filter(unrated=True).count(),
        "unknown_line": cdrs.filter(unknown_line=True).count(),
        "pending_actions": LineAction.objects.filter(
            status__in=[LineActionStatus.REQUESTED, LineActionStatus.SENT]
        ).count(),
    }
    if tenant is not None:
        checks["next_number"] = next_invoice_number(tenant=tenant, today=today)
    return checks


def previous_totals(*, period: str) -> dict[int, Decimal]:
    """Each customer's total excl. VAT of `period` (its latest invoice not cancelled)."""
    rows = (
        Invoice.objects.filter(period=period)
        .exclude(status=InvoiceStatus.CANCELLED)
        .order_by("customer_id", "id")
        .values_list("customer_id", "total_excl_vat")
    )
    return dict(rows)


def billing_run_list() -> QuerySet[BillingRun]:
    return BillingRun.objects.select_related("job", "created_by").order_by("-period", "-id")


def billing_run_review(*, run: BillingRun, only_anomalies: bool = False) -> QuerySet[Invoice]:
    """The run's invoices for review: totals per customer, change against the previous month."""
    invoices = Invoice.objects.filter(run=run).order_by("customer_number", "id")
    if only_anomalies:
        invoices = invoices.exclude(anomalies=[])
    return invoices


def invoice_list(*, status: str = "", period: str = "", customer_id: int | None = None) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("run").order_by("-period", "customer_number", "-id")
    if status:
        invoices = invoices.filter(status=status)
    if period:
        invoices = invoices.filter(period=period)
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
    return invoices


def period_validate(period: str, *, today: dt.date) -> Period:
    """A billing period is a calendar month `YYYY-MM` that has begun."""
    period_bounds(period)  # raises the French message on a malformed period
    parsed = Period.parse(period)
    if parsed.start > today:
        raise ApplicationError(_("The period %(period)s has not begun.") % {"period": period}, field="period")
    return parsed


def run_summary(run: BillingRun) -> dict[str, Any]:
    """The one-line JSON of `manage.py billing_run`."""
    return {
        "run_id": run.pk,
        "status": run.status,
        "invoices": run.invoices_count,
        "total_excl_vat": str(run.total_excl_vat),
        "total_vat": str(run.total_vat),
        "total_incl_vat": str(run.total_incl_vat),
        "first_number": run.first_number or None,
        "last_number": run.last_number or None,
    }


# --- finalization: numbering --------------------------------------------------------------------


def frozen_customers(*, period: str) -> set[int]:
    """Customers whose invoice of `period` is finalized: settling the month leaves their CDRs be."""
    return set(
        Invoice.objects.filter(period=period)
        .exclude(status=InvoiceStatus.DRAFT)
        .values_list("customer_id", flat=True)
    )
