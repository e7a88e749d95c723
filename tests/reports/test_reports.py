"""The reports: totals equal to the CDRs' sums, pages, streamed exports, isolation, query counts."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Count, Q, Sum
from django.urls import reverse

from cdr_import.models import Cdr
from customers.models import Customer
from provisioning.models import MobileLine
from reports.selectors import CdrFilters, cdr_report_list, cdr_report_totals
from tests.cdr_import.conftest import FIXED_NUMBERS, MOBILE_NUMBERS
from tests.conftest import in_schema

OCTOBER = {"first": "2026-10-01", "last": "2026-10-31"}


def _direct(cdrs):
    sums = cdrs.aggregate(
        events=Count("id"),
        duration_s=Sum("duration_s"),
        volume_bytes=Sum("volume_bytes"),
        rated_amount=Sum("rated_amount"),
        wholesale_cost=Sum("wholesale_cost"),
    )
    return {
        "events": sums["events"] or 0,
        "duration_s": sums["duration_s"] or 0,
        "volume_bytes": sums["volume_bytes"] or 0,
        "rated_amount": sums["rated_amount"] or Decimal(0),
        "wholesale_cost": sums["wholesale_cost"] or Decimal(0),
    }


def _between(first, last):
    from reports.services import PARIS

    return Cdr.objects.filter(
        start_time__gte=dt.datetime(first.year, first.month, first.day, tzinfo=PARIS),
        start_time__lt=dt.datetime(last.year, last.month, last.day, tzinfo=PARIS) + dt.timedelta(days=1),
    )


def test_report_totals_equal_the_sums_of_the_cdrs_for_every_filter(acme_usage):
    with in_schema(acme_usage):
        customer = Customer.objects.get(number="C-FEED-1")
        first, last = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
        mid = dt.date(2026, 10, 12)
        cases = [
            (CdrFilters(first=first, last=last), _between(first, last)),
            (CdrFilters(first=first, last=mid), _between(first, mid)),
            (
                CdrFilters(first=first, last=last, customer=customer),
                _between(first, last).filter(customer=customer),
            ),
            (
                CdrFilters(first=first, last=last, line_ref=MOBILE_NUMBERS[2]),
                _between(first, last).filter(line_ref=MOBILE_NUMBERS[2]),
            ),
            (
                CdrFilters(first=first, last=last, event_type="DATA"),
                _between(first, last).filter(event_type="DATA"),
            ),
            (
                CdrFilters(first=first, last=last, roaming="yes"),
                _between(first, last).exclude(roaming_country=""),
            ),
            (
                CdrFilters(first=first, last=last, roaming="no"),
                _between(first, last).filter(roaming_country=""),
            ),
            (
                CdrFilters(first=first, last=last, destination="mobile"),
                _between(first, last).filter(
                    Q(rate_destination__icontains="mobile") | Q(destination_label__icontains="mobile")
                ),
            ),
        ]
        for filters, cdrs in cases:
            expected = _direct(cdrs)
            assert cdr_report_totals(filters=filters) == expected, filters
            assert cdr_report_list(filters=filters).count() == expected["events"]
        everything = _direct(Cdr.objects.all())
        assert everything["events"] > 400 and everything["rated_amount"] > 0
        assert cdr_report_totals(filters=cases[0][0]) == everything


def test_report_page_shows_the_totals_the_french_way_and_pages_without_counting(
    acme_usage, make_user, client_for
):
    user = make_user(acme_usage, "accountant")
    client = client_for(acme_usage, user)
    response = client.get(reverse("reports:cdr_report"), OCTOBER)
    assert response.status_code == 200
    with in_schema(acme_usage):
        total = Cdr.objects.count()
        rated = Cdr.objects.aggregate(s=Sum("rated_amount"))["s"]
    assert response.context["totals"]["events"] == total
    body = response.content.decode()
    assert f'data-total="events">{total // 1000}\u00a0{total % 1000:03d}<' in body or (
        total < 1000 and f'data-total="events">{total}<' in body
    )
    assert "." not in body.split('data-total="rated">')[1].split("<")[0]
    assert len(response.context["rows"]) == 50 and response.context["has_next"]
    assert response.context["totals"]["rated_amount"] == rated
    last = client.get(reverse("reports:cdr_report"), {**OCTOBER, "page": str(total // 50 + 1)})
    assert len(last.context["rows"]) == total % 50 and not last.context["has_next"]


def test_report_filter_errors_are_shown_on_their_field(acme_usage, make_user, client_for):
    client = client_for(acme_usage, make_user(acme_usage, "admin"))
    response = client.get(
        reverse("reports:cdr_report"), {"first": "2026-10-31", "last": "2026-10-01", "customer": "NOPE"}
    )
    form = response.context["form"]
    assert form.errors.keys() == {"last", "customer"}
    assert "totals" not in response.context


def test_csv_export_streams_every_cdr_of_the_filters(acme_usage, make_user, client_for):
    client = client_for(acme_usage, make_user(acme_usage, "admin"))
    response = client.get(
        reverse("reports:cdr_report_export", args=["csv"]), {**OCTOBER, "line": MOBILE_NUMBERS[1]}
    )
    assert response.status_code == 200 and response.streaming
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("START_TIME;LINE;CUSTOMER")
    with in_schema(acme_usage):
        cdrs = Cdr.objects.filter(line_ref=MOBILE_NUMBERS[1])
        expected = _direct(cdrs)
    assert len(lines) - 1 == expected["events"]
    rated = sum(Decimal(line.split(";")[9].replace(",", ".")) for line in lines[1:])
    assert rated == expected["rated_amount"]
    assert {line.split(";")[1] for line in lines[1:]} == {MOBILE_NUMBERS[1]}


def test_xlsx_export_is_a_workbook_with_numbers(acme_usage, make_user, client_for):
    client = client_for(acme_usage, make_user(acme_usage, "admin"))
    response = client.get(reverse("reports:cdr_report_export", args=["xlsx"]), OCTOBER)
    assert response.streaming
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    with in_schema(acme_usage):
        expected = _direct(Cdr.objects.all())
    assert len(rows) - 1 == expected["events"]
    assert sum(r[7] for r in rows[1:]) == expected["duration_s"]
    assert abs(sum(Decimal(str(r[9])) for r in rows[1:]) - expected["rated_amount"]) < Decimal("0.001")


def test_unknown_export_format_is_not_found(acme_usage, make_user, client_for):
    client = client_for(acme_usage, make_user(acme_usage, "admin"))
    assert client.get(reverse("reports:cdr_report_export", args=["pdf"]), OCTOBER).status_code == 404


# --- Tenant isolation --------------------------------------------------------------------------
def _csv_column(response, column):
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().split("\r\n")
    at = lines[0].split(";").index(column)
    return {line.split(";")[at] for line in lines[1:]}


def test_each_report_and_export_shows_only_its_tenants_data(acme_usage, nova_usage, make_user, client_for):
    acme_client = client_for(acme_usage, make_user(acme_usage, "admin"))
    nova_client = client_for(nova_usage, make_user(nova_usage, "admin"))
    # nova's numbers are called by acme's lines: a line's own number is what must not cross over.
    for client, tenant, mine in (
        (acme_client, acme_usage, MOBILE_NUMBERS),
        (nova_client, nova_usage, FIXED_NUMBERS),
    ):
        with in_schema(tenant):
            own = _direct(Cdr.objects.all())
        page = client.get(reverse("reports:cdr_report"), {**OCTOBER, "page": "1"})
        assert {cdr.line_ref for cdr in page.context["rows"]} <= set(mine)
        assert page.context["totals"] == own
        exported = _csv_column(
            client.get(reverse("reports:cdr_report_export", args=["csv"]), OCTOBER), "LINE"
        )
        assert exported and exported <= set(mine)
        inventory = client.get(reverse("reports:inventory"))
        assert {line.msisdn for line in inventory.context["page"]} <= set(mine)
        assert {number.number for number in inventory.context["fixed_numbers"]} <= set(mine)
        assert _csv_column(client.get(reverse("reports:inventory_export", args=["csv"])), "MSISDN") <= set(
            mine
        )
        watch = client.get(reverse("reports:watch"))
        assert {cdr.line_ref for cdr in watch.context["unrated"]} <= set(mine)
        assert watch.status_code == 200
        usage = b"".join(client.get(reverse("reports:usage_export", args=["csv"])).streaming_content).decode()
        events = sum(int(line.split(";")[1]) for line in usage.strip().split("\r\n")[1:])
        with in_schema(tenant):
            assert (
                events == Cdr.objects.filter(start_time__gte=dt.datetime(2025, 12, 1, tzinfo=dt.UTC)).count()
            )
        home = client.get(reverse("home"))
        assert sum(m["events"] for m in home.context["figures"]["months"]) <= own["events"]
    with in_schema(acme_usage):
        acme_line = MobileLine.objects.first()
    assert acme_client.get(reverse("reports:line_usage", args=[acme_line.pk])).status_code == 200
    assert nova_client.get(reverse("reports:line_usage", args=[acme_line.pk])).status_code == 404
    assert (
        nova_client.get(reverse("reports:usage_export", args=["csv"]), {"line": acme_line.pk}).status_code
        == 404
    )


def test_reports_need_a_staff_user(acme_usage, make_user, client_for):
    anonymous = client_for(acme_usage)
    assert anonymous.get(reverse("reports:cdr_report")).status_code == 302
    assert anonymous.get(reverse("reports:cdr_report_export", args=["csv"])).status_code == 302


# --- Bounded queries ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "args", "params"),
    [
        ("reports:cdr_report", [], OCTOBER),
        ("reports:inventory", [], {}),
        ("reports:watch", [], {}),
        ("home", [], {}),
    ],
)
def test_list_pages_keep_a_bounded_number_of_queries(
    acme_usage, make_user, client_for, django_assert_max_num_queries, name, args, params
):
    client = client_for(acme_usage, make_user(acme_usage, "admin"))
    client.get(reverse(name, args=args), params)  # sessions and caches warmed
    with django_assert_max_num_queries(25):
        assert client.get(reverse(name, args=args), params).status_code == 200


def test_line_consumption_page_keeps_a_bounded_number_of_queries(
    acme_usage, make_user, client_for, django_assert_max_num_queries
):
    client = client_for(acme_usage, make_user(acme_usage, "admin"))
    with in_schema(acme_usage):
        line = MobileLine.objects.first()
    url = reverse("reports:line_usage", args=[line.pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    assert b"<svg" in response.content and b"<title" in response.content
