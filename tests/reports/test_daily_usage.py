"""The daily usage per line: kept by the import, equal to the sums of the CDRs, rebuildable."""

import datetime as dt

from django.core.management import call_command
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from audit.models import AuditEvent
from cdr_import.models import Cdr
from reports.models import DailyUsage
from reports.services import PARIS, daily_usage_rebuild
from tests.conftest import in_schema
from tests.reports.conftest import BILLED, SAMPLES, import_path

KEYS = ("line_ref", "event_type")


def _cdr_sums():
    rows = (
        Cdr.objects.annotate(day=TruncDate("start_time", tzinfo=PARIS))
        .values("day", *KEYS)
        .annotate(
            events=Count("id"),
            duration_s=Sum("duration_s"),
            volume_bytes=Sum("volume_bytes"),
            rated_amount=Sum("rated_amount"),
            wholesale_cost=Sum("wholesale_cost"),
        )
        .order_by()
    )
    return {(r["day"], r["line_ref"], r["event_type"]): r for r in rows}


def _usage_sums():
    rows = (
        DailyUsage.objects.values("day", *KEYS)
        .annotate(
            events=Sum("events"),
            duration_s=Sum("duration_s"),
            volume_bytes=Sum("volume_bytes"),
            rated_amount=Sum("rated_amount"),
            wholesale_cost=Sum("wholesale_cost"),
        )
        .order_by()
    )
    return {(r["day"], r["line_ref"], r["event_type"]): r for r in rows}


def test_the_import_keeps_the_daily_usage_equal_to_the_sums_of_its_cdrs(acme_usage):
    with in_schema(acme_usage):
        cdrs = _cdr_sums()
        assert len(cdrs) > 50
        assert _usage_sums() == cdrs
        line = DailyUsage.objects.exclude(mobile_line=None).first()
        assert line.customer_id is not None


def test_a_billed_file_correcting_costs_is_reflected_in_the_daily_usage(acme_usage):
    with in_schema(acme_usage):
        before = DailyUsage.objects.aggregate(cost=Sum("wholesale_cost"))["cost"]
        billed = import_path(SAMPLES / BILLED)
        assert billed.corrected == 1
        after = DailyUsage.objects.aggregate(cost=Sum("wholesale_cost"))["cost"]
        assert after != before
        assert after == Cdr.objects.aggregate(cost=Sum("wholesale_cost"))["cost"]
        assert _usage_sums() == _cdr_sums()


def test_rebuild_of_a_period_restores_its_figures_and_is_idempotent(acme_usage):
    with in_schema(acme_usage):
        expected = _usage_sums()
        DailyUsage.objects.filter(day__gte=dt.date(2026, 10, 10)).delete()
        DailyUsage.objects.filter(day=dt.date(2026, 10, 2)).update(events=999)
        now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
        daily_usage_rebuild(first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31), now=now)
        daily_usage_rebuild(first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31), now=now)
        assert _usage_sums() == expected
        assert AuditEvent.objects.filter(action="daily_usage.rebuilt").count() == 2


def test_rebuild_command_writes_the_figures_of_the_tenant_named(acme_usage, nova_usage, capsys):
    with in_schema(nova_usage):
        nova_before = _usage_sums()
    with in_schema(acme_usage):
        expected = _usage_sums()
        DailyUsage.objects.all().delete()
    call_command("usage_rebuild", schema="acme", first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31))
    assert "daily figures written" in capsys.readouterr().out
    with in_schema(acme_usage):
        assert _usage_sums() == expected
    with in_schema(nova_usage):
        assert _usage_sums() == nova_before
