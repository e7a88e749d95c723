"""The demo bills the previous month of each demo tenant: issued, numbered invoices; seeded once."""

import datetime as dt

from tests.conftest import in_schema

NOW = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_the_demo_bills_and_finalizes_the_previous_month_once(acme):
    from billing.demo import seed_tenant
    from billing.models import BillingRun, Invoice, RunStatus
    from customers.demo import seed_tenant as seed_customers
    from offers.demo import seed_tenant as seed_offers
    from provisioning.demo import seed_tenant as seed_lines

    with in_schema(acme):
        seed_customers(acme)
        seed_offers(acme)
        seed_lines(acme, now=NOW)
        seed_tenant(acme, now=NOW)
        run = BillingRun.objects.get()
        assert run.period == "2027-02" and run.status == RunStatus.FINALIZED
        invoices = Invoice.objects.filter(run=run)
        assert invoices.count() == run.invoices_count > 0
        assert not invoices.filter(number__isnull=True).exists()
        assert run.total_incl_vat > 0
        seed_tenant(acme, now=NOW)
        assert BillingRun.objects.count() == 1
