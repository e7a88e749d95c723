"""The financial report: a hand-computed scenario, totals equal to the underlying documents and
CDRs, the page and its exports, tenant isolation, a bounded number of queries."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum
from django.urls import reverse

from billing.models import FINALIZED_STATUSES, CreditNote, Invoice
from cdr_import.models import Cdr
from reports.finance import finance_report, finance_rows
from reports.services import PARIS
from tests.conftest import in_schema
from tests.reports.finance_scenario import EXPECTED, TODAY, write_scenario

JULY, SEPTEMBER = dt.date(2026, 7, 1), dt.date(2026, 9, 1)
RANGE = {"first": "2026-07", "last": "2026-09"}


def _d(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def acme_finance(acme, tmp_path):
    with in_schema(acme):
        write_scenario(tmp_path)
    return acme


def test_margin_is_revenue_minus_cost_on_the_hand_computed_scenario(acme_finance):
    with in_schema(acme_finance):
        report = finance_report(first=JULY, last=SEPTEMBER, today=TODAY)
    got = {row["month"]: row for row in finance_rows(report)}
    assert list(got) == list(EXPECTED)
    for month, want in EXPECTED.items():
        row = got[month]
        assert row["revenue_excl_vat"] == _d(want["revenue"]), month
        assert row["cost_excl_vat"] == _d(want["cost"]), month
        assert row["cdr_wholesale_cost"] == _d(want["cdr_cost"]), month
        assert row["operator_invoices_excl_vat"] == _d(want["operator"]), month
        assert row["margin_excl_vat"] == _d(want["margin"]) == row["revenue_excl_vat"] - row["cost_excl_vat"]
        assert row["margin_rate"] == (None if want["rate"] is None else _d(want["rate"])), month
        assert row["payments_received_incl_vat"] == _d(want["payments"]), month
        assert row["outstanding_incl_vat"] == _d(want["outstanding"]), month
        assert row["overdue_incl_vat"] == _d(want["overdue"]), month
    july = got["2026-07"]["revenue_by_category"]
    assert july == {
        "subscription": _d("20.00"), "option": _d("10.00"), "hardware": _d("0.00"), "usage_national": _d("5.00"),
    }  # fmt: skip
    assert (
        got["2026-07"]["invoiced_excl_vat"] == _d("85.00") and got["2026-07"]["credit_notes_excl_vat"] == 50
    )
    totals = report.totals
    assert (totals.revenue, totals.cost, totals.margin) == (_d("35.00"), _d("14.75"), _d("20.25"))


def test_totals_equal_the_sums_of_the_issued_invoices_credit_notes_and_cdrs(acme_finance):
    with in_schema(acme_finance):
        report = finance_report(first=JULY, last=SEPTEMBER, today=TODAY)
        invoiced = Invoice.objects.filter(
            status__in=FINALIZED_STATUSES, period__in=["2026-07", "2026-08", "2026-09"]
        )
        credited = CreditNote.objects.filter(status__in=["issued", "refunded"], invoice__in=invoiced)
        cdrs = Cdr.objects.filter(
            start_time__gte=dt.datetime(2026, 7, 1, tzinfo=PARIS),
            start_time__lt=dt.datetime(2026, 10, 1, tzinfo=PARIS),
        )
        expected_revenue = (
            invoiced.aggregate(s=Sum("total_excl_vat"))["s"]
            - credited.aggregate(s=Sum("total_excl_vat"))["s"]
        )
        expected_cdr_cost = cdrs.aggregate(s=Sum("wholesale_cost"))["s"]
        assert Invoice.objects.filter(status="draft").exists()  # the draft is there, and left out
    totals = report.totals
    assert totals.revenue == expected_revenue == _d("35.00")
    assert totals.cdr_cost == expected_cdr_cost == _d("4.75")
    assert sum(totals.by_category.values()) == totals.revenue


def test_the_page_shows_the_figures_the_french_way_with_a_chart(acme_finance, make_user, client_for):
    client = client_for(acme_finance, make_user(acme_finance, "admin"))
    response = client.get(reverse("reports:finance"), RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-total="revenue">35,00 €' in html
    assert 'data-total="margin">20,25 €' in html
    assert "−0,75" in html or "-0,75" in html
    assert "<svg" in html and 'role="img"' in html
    assert "Brouillon" not in html and "1\u00a0000,00" not in html
    september = html.split('data-month="2026-09"', 1)[1].split("</tr>", 1)[0]
    assert "7,00 €" in september


def test_filter_errors_are_shown_on_their_field(acme_finance, make_user, client_for):
    client = client_for(acme_finance, make_user(acme_finance, "admin"))
    response = client.get(reverse("reports:finance"), {"first": "2026-09", "last": "2026-07"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    too_long = client.get(reverse("reports:finance"), {"first": "2020-01", "last": "2026-07"})
    assert "At most 36 months" in too_long.content.decode() or "36" in too_long.content.decode()
    assert too_long.context.get("report") is None
    assert client.get(reverse("reports:finance_export", args=["csv"]), {"first": "nope"}).status_code == 400
    far = client.get(reverse("reports:finance"), {"first": "9999-12", "last": "9999-12"})
    assert far.status_code == 200 and far.context.get("report") is None and "2099" in far.content.decode()


def test_csv_and_xlsx_exports_carry_the_months(acme_finance, make_user, client_for):
    client = client_for(acme_finance, make_user(acme_finance, "admin"))
    response = client.get(reverse("reports:finance_export", args=["csv"]), RANGE)
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [r["MONTH"] for r in rows] == ["2026-07", "2026-08", "2026-09"]
    assert _d(rows[0]["MARGIN_EXCL_VAT"].replace(",", ".")) == _d("21.00")
    assert _d(rows[0]["REVENUE_SUBSCRIPTION"].replace(",", ".")) == _d("20.00")
    xlsx = client.get(reverse("reports:finance_export", args=["xlsx"]), RANGE)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    july = [c.value for c in sheet[2]]
    assert Decimal(str(july[header.index("REVENUE_EXCL_VAT")])) == _d("35.00")
    assert client.get(reverse("reports:finance_export", args=["pdf"]), RANGE).status_code == 404


def test_each_tenant_sees_only_its_own_finances(acme_finance, nova, make_user, client_for):
    nova_client = client_for(nova, make_user(nova, "admin"))
    page = nova_client.get(reverse("reports:finance"), RANGE).content.decode()
    assert 'data-total="revenue">0,00 €' in page and "35,00" not in page
    text = b"".join(nova_client.get(reverse("reports:finance_export", args=["csv"]), RANGE).streaming_content)
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert all(_d(r["REVENUE_EXCL_VAT"].replace(",", ".")) == 0 for r in rows)
    assert all(_d(r["CDR_WHOLESALE_COST"].replace(",", ".")) == 0 for r in rows)


def test_the_report_needs_the_reports_capability(acme_finance, make_user, client_for):
    assert client_for(acme_finance).get(reverse("reports:finance")).status_code == 302
    customer = client_for(acme_finance, make_user(acme_finance, "customer"))
    assert customer.get(reverse("reports:finance")).status_code in (302, 403)


def test_the_page_keeps_a_bounded_number_of_queries(
    acme_finance, make_user, client_for, django_assert_max_num_queries
):
    client = client_for(acme_finance, make_user(acme_finance, "admin"))
    client.get(reverse("reports:finance"), RANGE)
    with django_assert_max_num_queries(25):
        assert (
            client.get(reverse("reports:finance"), {"first": "2025-01", "last": "2026-12"}).status_code == 200
        )
