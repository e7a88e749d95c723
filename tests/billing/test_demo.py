"""seed_demo bills a past month for each demo tenant: issued (or sent), paid and overdue invoices."""

from django.core.management import call_command

from billing.models import BillingRun, Invoice, InvoiceStatus, Payment
from tenants.models import Tenant
from tests.conftest import in_schema


def test_seed_demo_bills_a_past_month_with_paid_and_overdue_invoices(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    billed = 0
    for tenant in Tenant.objects.exclude(schema_name="public"):
        with in_schema(tenant):
            if not BillingRun.objects.exists():
                continue
            billed += 1
            statuses = set(Invoice.objects.values_list("status", flat=True))
            assert {InvoiceStatus.PAID, InvoiceStatus.OVERDUE} <= statuses, (tenant.schema_name, statuses)
            assert statuses & {InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE}
            assert Payment.objects.exists()
            assert not Invoice.objects.filter(status=InvoiceStatus.DRAFT).exists()
    assert billed >= 2
