"""The tenant dashboard's last months' revenue and margin (chart, figures a click away in the
financial report) and its overdue invoices (issue 14, Dashboards), over the hand-computed
scenario of `finance_scenario` (today: 10 September 2026 → March to August 2026)."""

import types
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.views import dashboard_context
from tests.conftest import in_schema
from tests.reports.finance_scenario import TODAY, write_scenario


@pytest.fixture
def acme_finance(acme, tmp_path):
    from billing.models import Invoice

    with in_schema(acme):
        write_scenario(tmp_path)
        # What the billing's restatement stores: INV-1 paid, INV-2 left with 72 - 60 credited - 5 paid.
        Invoice.objects.filter(total_incl_vat=Decimal("30.00")).update(
            status="paid", amount_paid=Decimal("30.00")
        )
        Invoice.objects.filter(total_incl_vat=Decimal("72.00")).update(amount_paid=Decimal("65.00"))
    return acme


@pytest.fixture
def on_scenario_day(monkeypatch):
    """The dashboard view reads today from the clock: the scenario's day instead."""
    import ism.views

    monkeypatch.setattr(
        ism.views, "timezone", types.SimpleNamespace(localdate=lambda: TODAY, now=timezone.now)
    )


def test_the_last_six_whole_months_with_their_margin_and_the_overdue_invoices(acme_finance):
    with in_schema(acme_finance):
        context = dashboard_context(today=TODAY)
    months = {f"{m.month:%Y-%m}": m for m in context["finance_months"]}
    assert list(months) == ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]
    assert months["2026-07"].revenue == Decimal("35.00") and months["2026-07"].margin == Decimal("21.00")
    assert months["2026-08"].margin == Decimal("-0.75")
    assert context["finance_query"] == "first=2026-03&last=2026-08"
    assert "07/2026 : 35 € / 21 €" in context["finance_chart"].replace("\u202f", " ").replace("\xa0", " ")
    overdue = context["overdue"]
    assert overdue["count"] == 1 and [i.number for i in overdue["oldest"]] == [overdue["oldest"][0].number]
    assert overdue["oldest"][0].due_date < TODAY and overdue["amount_due"] == Decimal("7.00")


def test_the_dashboard_page_shows_them_with_a_link_to_the_financial_report(
    acme_finance, make_user, client_for, on_scenario_day
):
    page = client_for(acme_finance, make_user(acme_finance, "admin")).get("/").content.decode()
    assert 'data-testid="dashboard-finance"' in page and "<svg" in page
    assert "/reports/finance/?first=2026-03&amp;last=2026-08" in page
    assert "35,00\xa0€" in page or "35,00 €" in page
    assert 'data-overdue="amount">7,00' in page
    assert 'data-testid="dashboard-overdue"' in page and 'data-overdue="count">1<' in page
    assert "/billing/overdue/" in page


def test_only_for_staff_who_may_see_the_reports(
    acme_finance, make_user, client_for, on_scenario_day, monkeypatch
):
    import ism.views

    sales = client_for(acme_finance, make_user(acme_finance, "sales"))
    assert 'data-testid="dashboard-finance"' in sales.get("/").content.decode()
    real = ism.views.user_can
    monkeypatch.setattr(ism.views, "user_can", lambda user, cap: cap != "reports.view" and real(user, cap))
    page = sales.get("/").content.decode()
    assert 'data-testid="dashboard-finance"' not in page and 'data-testid="dashboard-overdue"' not in page


def test_each_tenant_sees_only_its_own_figures(acme_finance, nova, make_user, client_for, on_scenario_day):
    page = client_for(nova, make_user(nova, "admin")).get("/").content.decode()
    assert 'data-testid="dashboard-finance"' in page
    assert "35,00" not in page and 'data-overdue="count">0<' in page
    with in_schema(nova):
        context = dashboard_context(today=TODAY)
    assert all(m.revenue == 0 and m.cost == 0 for m in context["finance_months"])
    assert context["overdue"]["count"] == 0 and context["overdue"]["oldest"] == []


def test_the_dashboard_keeps_a_bounded_number_of_queries(
    acme_finance, make_user, client_for, on_scenario_day, django_assert_max_num_queries
):
    client = client_for(acme_finance, make_user(acme_finance, "admin"))
    client.get("/")
    with django_assert_max_num_queries(35):
        assert client.get("/").status_code == 200
