"""The demo feed: the files of the last two months (the month the demo bills, last month) and
this month's daily ones for the tenant's lines, taken by the poller, once."""

import datetime as dt

from django.utils import timezone

from cdr_import.demo import seed_tenant
from cdr_import.models import Cdr, Import
from cdr_import.store import PARIS
from tests.conftest import in_schema


def test_the_demo_feed_writes_last_months_files_and_imports_them_once(acme_lines, settings, tmp_path):
    settings.STATE_DIR = tmp_path
    with in_schema(acme_lines):
        seed_tenant(acme_lines)
        rated = Import.objects.filter(feed_type="rated")
        billed = list(Import.objects.filter(feed_type="billed").order_by("original_name"))
        files = list((tmp_path / "feeds" / "acme" / "RatedCDRs").iterdir())
        assert rated.count() == len(files) >= 29  # the billed month in one file, last month's daily
        assert set(rated.values_list("status", flat=True)) == {"done"}
        stored = Cdr.objects.count()
        assert stored == sum(rated.values_list("imported", flat=True)) > 100
        today = timezone.now().astimezone(PARIS).date()
        this_month = dt.datetime(today.year, today.month, 1, tzinfo=PARIS)
        last = (this_month - dt.timedelta(days=1)).replace(day=1)
        before = (last - dt.timedelta(days=1)).replace(day=1)
        # This month's daily files until yesterday (the charts of this month are not empty).
        assert rated.count() == len(files) >= 29 + today.day - 1
        assert Cdr.objects.filter(start_time__gte=this_month).exists() == (today.day > 1)
        # A billed file per past month (the month the demo bills, last month): every CDR but one,
        # one cost corrected.
        assert [b.original_name[-10:-4] for b in billed] == [f"{before:%Y%m}", f"{last:%Y%m}"]
        for imp, start, end in ((billed[0], before, last), (billed[1], last, this_month)):
            month = Cdr.objects.filter(start_time__gte=start, start_time__lt=end).count()
            assert (imp.status, imp.imported, imp.corrected, imp.known) == ("done", 0, 1, month - 2)
        assert Cdr.objects.filter(not_billed_by_operator=True).count() == 2
        reports = [p for p in (tmp_path / "feeds" / "acme" / "Retours").iterdir() if "CDRs_" in p.name]
        assert len(reports) == len(files) + 2
        seed_tenant(acme_lines)
        cdr_imports = Import.objects.filter(feed_type__in=["rated", "billed"])
        assert cdr_imports.count() == len(files) + 2 and Cdr.objects.count() == stored


def test_the_demo_brings_consumption_alerts_operator_invoices_and_the_operators_pdf(
    acme_lines, settings, tmp_path
):
    from decimal import Decimal

    from cdr_import.models import ConsumptionAlert, OperatorInvoice, OperatorPdf, OperatorReference
    from customers.models import Customer
    from offers.models import Allowance, Offer

    settings.STATE_DIR = tmp_path
    with in_schema(acme_lines):
        Allowance.objects.create(
            offer=Offer.objects.get(code="OFFER-GRILLE"),
            event_type="DATA",
            zones="FR_DATA",
            origin_zones="HOME,EU",
            quantity=Decimal(1024),
            unit="MB",
        )
        portal = Customer.objects.create(number="C000001", company_name="Démo SARL")
        seed_tenant(acme_lines)
        alerts = ConsumptionAlert.objects.filter(kind="allowance")
        assert {a.threshold for a in alerts} == {80, 100} and alerts.filter(threshold=100).count() >= 1
        invoice_import = Import.objects.get(feed_type="operator_invoice")
        assert invoice_import.status in ("done", "done_with_rejections"), invoice_import.reason
        assert OperatorInvoice.objects.count() > 100
        assert OperatorReference.objects.filter(customer=portal).count() == 1
        assert OperatorInvoice.objects.filter(customer=portal).exists()
        assert OperatorPdf.objects.count() == 1
        counts = (ConsumptionAlert.objects.count(), OperatorInvoice.objects.count(), Import.objects.count())
        seed_tenant(acme_lines)  # idempotent
        assert (
            ConsumptionAlert.objects.count(),
            OperatorInvoice.objects.count(),
            Import.objects.count(),
        ) == counts
