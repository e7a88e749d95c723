"""The monthly usage per line: kept with the daily figures by the import, a reprocess, settling a
month and the rebuild; always the sums of the CDRs; the report's totals read it exactly."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import TruncMonth

from cdr_import.models import Cdr
from cdr_import.services_deposits import import_reprocess
from cdr_import.settle import cdr_period_settle
from reports import selectors
from reports.models import DailyUsage, MonthlyUsage
from reports.services import PARIS, daily_usage_rebuild
from tests.cdr_import.conftest import MOBILE_NUMBERS, NOW, make_lines
from tests.conftest import in_schema
from tests.reports.conftest import BILLED, RATED, SAMPLES, import_path

KEYS = ("line_ref", "event_type", "mobile_line_id", "customer_id")
SUMS = ("events", "duration_s", "volume_bytes", "rated_amount", "wholesale_cost", "unrated")


def _cdr_month_sums():
    rows = (
        Cdr.objects.annotate(
            month=TruncMonth("start_time", tzinfo=PARIS, output_field=DateField()),
            roaming=~Q(roaming_country=""),
        )
        .values("month", "roaming", *KEYS)
        .annotate(
            events=Count("id"),
            duration_s=Sum("duration_s"),
            volume_bytes=Sum("volume_bytes"),
            rated_amount=Sum("rated_amount"),
            wholesale_cost=Sum("wholesale_cost"),
            unrated=Count("id", filter=Q(unrated=True)),
        )
        .order_by()
    )
    return {(r["month"], r["roaming"], *(r[k] for k in KEYS)): {s: r[s] for s in SUMS} for r in rows}


def _monthly_sums():
    return {
        (r["month"], r["roaming"], *(r[k] for k in KEYS)): {s: r[s] for s in SUMS}
        for r in MonthlyUsage.objects.values("month", "roaming", *KEYS, *SUMS)
    }


def _daily_as_months():
    rows = (
        DailyUsage.objects.annotate(month=TruncMonth("day"))
        .values("month", "roaming", *KEYS)
        .annotate(**{s: Sum(s) for s in SUMS})
        .order_by()
    )
    return {(r["month"], r["roaming"], *(r[k] for k in KEYS)): {s: r[s] for s in SUMS} for r in rows}


def _tenant_months(per_key):
    """The figures per (month, roaming, line…) summed per month: the whole tenant's."""
    months: dict = {}
    for (month, *_rest), sums in per_key.items():
        total = months.setdefault(month, dict.fromkeys(SUMS, 0))
        for name in SUMS:
            total[name] += sums[name]
    return months


def _destinations_as_months():
    """What the dashboard and the financial report read for the whole tenant."""
    rows = selectors.tenant_usage_months(dt.date(2000, 1, 1), dt.date(2100, 1, 1)).annotate(
        **{s: Sum(s) for s in SUMS}
    )
    return {r["month"]: {s: r[s] for s in SUMS} for r in rows}


def _assert_exact():
    expected = _cdr_month_sums()
    assert expected
    assert _monthly_sums() == expected
    assert _daily_as_months() == expected
    assert _destinations_as_months() == _tenant_months(expected)


def test_the_import_keeps_the_monthly_usage_equal_to_the_sums_of_its_cdrs(acme_usage):
    with in_schema(acme_usage):
        _assert_exact()
        assert MonthlyUsage.objects.count() < DailyUsage.objects.count()


def test_a_billed_file_correcting_rated_cdrs_is_carried_into_the_months(acme_usage):
    with in_schema(acme_usage):
        before = MonthlyUsage.objects.aggregate(cost=Sum("wholesale_cost"))["cost"]
        billed = import_path(SAMPLES / BILLED)
        assert billed.corrected == 1
        assert MonthlyUsage.objects.aggregate(cost=Sum("wholesale_cost"))["cost"] != before
        _assert_exact()


def test_settling_a_month_carries_the_ratings_it_changes_into_the_figures(acme_usage):
    with in_schema(acme_usage):
        # Ratings gone stale (as if rated in the order the files came), figures summed from them.
        stale = Cdr.objects.filter(event_type="VOICE_MO").exclude(rated_amount=0)
        assert stale.exists()
        stale.update(rated_amount=Decimal("99.0000"))
        daily_usage_rebuild(first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31), now=NOW)
        _assert_exact()
        wrong = MonthlyUsage.objects.aggregate(total=Sum("rated_amount"))["total"]
        result = cdr_period_settle(period="2026-10", now=NOW)
        assert result.changed > 0
        assert MonthlyUsage.objects.aggregate(total=Sum("rated_amount"))["total"] != wrong
        _assert_exact()


def test_a_reprocess_rating_the_cdrs_of_lines_created_since_moves_them_to_their_customer(acme, tmp_path):
    with in_schema(acme):
        make_lines(MOBILE_NUMBERS[:1])
        feed_import = import_path(SAMPLES / RATED)
        assert feed_import.unknown_line > 0
        _assert_exact()
        assert MonthlyUsage.objects.filter(customer__isnull=True).exists()
        make_lines(MOBILE_NUMBERS[1:])
        import_reprocess(feed_import=feed_import, by=None, now=NOW)
        assert not Cdr.objects.filter(unknown_line=True).exists()
        assert not MonthlyUsage.objects.filter(customer__isnull=True).exists()
        _assert_exact()


def test_a_month_whose_cdrs_all_went_away_keeps_no_monthly_figure(acme_usage):
    with in_schema(acme_usage):
        Cdr.objects.filter(line_ref=MOBILE_NUMBERS[0]).delete()
        daily_usage_rebuild(first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31), now=NOW)
        assert not MonthlyUsage.objects.filter(line_ref=MOBILE_NUMBERS[0]).exists()
        _assert_exact()


def test_the_rebuild_repairs_the_monthly_figures(acme_usage):
    with in_schema(acme_usage):
        expected = _monthly_sums()
        MonthlyUsage.objects.filter(event_type="DATA").delete()
        MonthlyUsage.objects.update(events=12345)
        daily_usage_rebuild(first=dt.date(2026, 10, 20), last=dt.date(2026, 10, 21), now=NOW)
        assert _monthly_sums() == expected


def _cdr_totals(filters):
    sums = (
        selectors.cdr_report_list(filters=filters)
        .order_by()
        .aggregate(
            events=Count("id"),
            duration_s=Sum("duration_s"),
            volume_bytes=Sum("volume_bytes"),
            rated_amount=Sum("rated_amount"),
            wholesale_cost=Sum("wholesale_cost"),
        )
    )
    return {k: v or 0 for k, v in sums.items()}


def test_report_totals_over_any_period_equal_the_sums_of_the_cdrs(acme_usage):
    periods = [
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),  # a whole month
        (dt.date(2026, 10, 3), dt.date(2026, 10, 6)),  # a few days
        (dt.date(2026, 10, 2), dt.date(2026, 10, 29)),  # the month less a few days
        (dt.date(2026, 9, 15), dt.date(2026, 11, 2)),  # months begun and ended
        (dt.date(2026, 10, 1), dt.date(2026, 10, 20)),
        (dt.date(2026, 10, 21), dt.date(2026, 10, 21)),
    ]
    with in_schema(acme_usage):
        for first, last in periods:
            for extra in ({}, {"event_type": "DATA"}, {"roaming": "yes"}, {"line_ref": MOBILE_NUMBERS[2]}):
                filters = selectors.CdrFilters(first=first, last=last, **extra)
                totals = selectors.cdr_report_totals(filters=filters)
                assert totals == _cdr_totals(filters), (first, last, extra)
        assert (
            selectors.cdr_report_totals(
                filters=selectors.CdrFilters(first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31))
            )["events"]
            == Cdr.objects.filter(start_time__month=10).count()
        )


def test_period_parts_take_whole_months_and_the_fewest_days():
    months, plus, minus = selectors.period_parts(dt.date(2026, 9, 15), dt.date(2026, 11, 2))
    assert months == [dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
    assert plus == [Q(day__gte=dt.date(2026, 11, 1), day__lte=dt.date(2026, 11, 2))]
    assert minus == [Q(day__gte=dt.date(2026, 9, 1), day__lt=dt.date(2026, 9, 15))]
    months, plus, minus = selectors.period_parts(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert (months, plus, minus) == ([dt.date(2026, 2, 1)], [], [])


def test_destination_figures_equal_the_sums_of_the_cdrs_and_filter_like_the_text(acme_usage):
    with in_schema(acme_usage):
        import_path(SAMPLES / BILLED)  # a correction: kept as well
        destinations = set(
            Cdr.objects.exclude(rate_destination="").values_list("rate_destination", flat=True)
        )
        assert destinations
        for destination in sorted(destinations)[:4]:
            text = destination[2:8].lower()
            for first, last in (
                (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
                (dt.date(2026, 10, 5), dt.date(2026, 10, 9)),
            ):
                filters = selectors.CdrFilters(first=first, last=last, destination=text)
                expected = Cdr.objects.filter(
                    Q(rate_destination__icontains=text) | Q(destination_label__icontains=text),
                    start_time__gte=selectors._start(first),
                    start_time__lt=selectors._start(last + dt.timedelta(days=1)),
                )
                assert selectors.cdr_report_totals(filters=filters) == _cdr_totals(filters)
                assert selectors.cdr_report_totals(filters=filters)["events"] == expected.count()
                assert list(selectors.cdr_report_list(filters=filters).values_list("id", flat=True)) == list(
                    expected.order_by("start_time", "id").values_list("id", flat=True)
                )


def test_export_rows_come_in_time_order_across_chunks(acme_usage):
    with in_schema(acme_usage):
        filters = selectors.CdrFilters(first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31))
        Cdr.objects.filter(id__in=Cdr.objects.order_by("id").values("id")[:40]).update(
            start_time=dt.datetime(2026, 10, 15, 10, 0, tzinfo=dt.UTC)
        )  # ties on the start time across a chunk's end
        expected = list(selectors.cdr_report_list(filters=filters).values_list("id", "line_ref"))
        rows = list(selectors.cdr_report_rows(filters=filters, fields=("id", "line_ref"), chunk=7))
        assert rows == expected and len(rows) > 100
