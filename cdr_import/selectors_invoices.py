"""Reads of operator invoices, their references and profiles, the operator's PDFs, usage alerts."""

from django.db.models import QuerySet

from cdr_import.models_invoices import (
    OperatorInvoice,
    OperatorInvoiceLine,
    OperatorInvoiceProfile,
    OperatorReference,
)
from cdr_import.models_usage import ConsumptionAlert


def operator_invoice_list(
    *, customer_id: int | None = None, unassigned: bool = False
) -> QuerySet[OperatorInvoice]:
    qs = OperatorInvoice.objects.select_related("customer")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if unassigned:
        qs = qs.filter(customer__isnull=True)
    return qs


def operator_invoice_lines(*, invoice: OperatorInvoice) -> QuerySet[OperatorInvoiceLine]:
    return invoice.lines.select_related("customer").order_by("position")


def operator_reference_list(*, waiting: bool = True) -> QuerySet[OperatorReference]:
    qs = OperatorReference.objects.select_related("customer")
    return qs.filter(customer__isnull=True) if waiting else qs


def operator_invoice_profile_list() -> QuerySet[OperatorInvoiceProfile]:
    return OperatorInvoiceProfile.objects.order_by("code")


def consumption_alert_list(*, customer_id: int) -> QuerySet[ConsumptionAlert]:
    return ConsumptionAlert.objects.filter(customer_id=customer_id).select_related("line")
