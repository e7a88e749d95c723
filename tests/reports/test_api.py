"""The reports' REST API: the same figures as the pages, read-only, per tenant, in the schema."""

import datetime as dt
from decimal import Decimal

import pytest

from provisioning.models import MobileLine
from reports.finance import finance_report, finance_rows
from reports.selectors import CdrFilters, cdr_report_totals
from tests.cdr_import.conftest import MOBILE_NUMBERS
from tests.conftest import in_schema
from tests.reports.finance_scenario import write_scenario

OCTOBER = {"first": "2026-10-01", "last": "2026-10-31"}
PATHS = [
    "/api/v1/reports/cdr-totals/",
    "/api/v1/reports/inventory/lines/",
    "/api/v1/reports/inventory/fixed-numbers/",
    "/api/v1/reports/inventory/sims/",
    "/api/v1/reports/watch/",
    "/api/v1/reports/dashboard/",
    "/api/v1/reports/lines/{id}/usage/",
    "/api/v1/reports/finance/",
]


def test_every_report_is_in_the_openapi_schema_read_only(acme, make_user, api_for):
    schema = api_for(acme, make_user(acme, "admin")).get("/api/v1/schema/?format=json").json()
    for path in PATHS:
        assert path in schema["paths"], path
        assert set(schema["paths"][path]) == {"get"}, path
        assert schema["paths"][path]["get"]["responses"]["200"]["content"], path
    params = {p["name"] for p in schema["paths"]["/api/v1/reports/cdr-totals/"]["get"]["parameters"]}
    assert {"first", "last", "event_type", "destination", "roaming", "customer", "line"} <= params


def test_cdr_totals_equal_the_pages_totals(acme_usage, make_user, api_for):
    api = api_for(acme_usage, make_user(acme_usage, "admin"))
    response = api.get("/api/v1/reports/cdr-totals/", {**OCTOBER, "line": MOBILE_NUMBERS[1]})
    assert response.status_code == 200
    with in_schema(acme_usage):
        expected = cdr_report_totals(
            filters=CdrFilters(
                first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31), line_ref=MOBILE_NUMBERS[1]
            )
        )
    body = response.json()
    assert body["events"] == expected["events"] > 0
    assert Decimal(body["rated_amount"]) == expected["rated_amount"]
    assert Decimal(body["wholesale_cost"]) == expected["wholesale_cost"]
    bad = api.get(
        "/api/v1/reports/cdr-totals/", {"first": "2026-10-31", "last": "2026-10-01", "customer": "NOPE"}
    )
    assert bad.status_code == 400 and {"customer"} <= set(bad.json())


def test_inventory_watch_dashboard_and_line_usage(acme_usage, make_user, api_for):
    api = api_for(acme_usage, make_user(acme_usage, "admin"))
    lines = api.get("/api/v1/reports/inventory/lines/").json()
    assert {row["msisdn"] for row in lines["results"]} >= set(MOBILE_NUMBERS)
    assert api.get("/api/v1/reports/inventory/fixed-numbers/").status_code == 200
    assert isinstance(api.get("/api/v1/reports/inventory/sims/").json(), list)
    watch = api.get("/api/v1/reports/watch/").json()
    assert set(watch) >= {"unrated", "unknown_lines", "disagreements", "actions_waiting", "rejected_imports"}
    dashboard = api.get("/api/v1/reports/dashboard/").json()
    assert dashboard["lines_active"] >= 1 and len(dashboard["months"]) == 6
    with in_schema(acme_usage):
        line = MobileLine.objects.get(msisdn=MOBILE_NUMBERS[0])
    usage = api.get(f"/api/v1/reports/lines/{line.pk}/usage/").json()
    assert usage["msisdn"] == MOBILE_NUMBERS[0] and len(usage["months"]) == 12 and usage["days"]


def test_finance_api_gives_the_selectors_figures(acme, make_user, api_for, tmp_path):
    with in_schema(acme):
        write_scenario(tmp_path)
    api = api_for(acme, make_user(acme, "admin"))
    response = api.get("/api/v1/reports/finance/", {"first": "2026-07", "last": "2026-09"})
    assert response.status_code == 200
    body = response.json()
    july = body["months"][0]
    assert (july["month"], july["revenue_excl_vat"], july["cost_excl_vat"], july["margin_excl_vat"]) == (
        "2026-07", "35.00", "14.00", "21.00",
    )  # fmt: skip
    assert july["margin_rate"] == "60.0" and body["months"][1]["margin_rate"] is None
    assert {c["code"] for c in body["categories"]} == {"subscription", "option", "hardware", "usage_national"}
    with in_schema(acme):
        rows = finance_rows(
            finance_report(first=dt.date(2026, 7, 1), last=dt.date(2026, 9, 1), today=dt.date.max)
        )
    assert [Decimal(m["margin_excl_vat"]) for m in body["months"]] == [r["margin_excl_vat"] for r in rows]
    assert api.get("/api/v1/reports/finance/", {"first": "2026-09", "last": "2026-07"}).status_code == 400
    assert api.get("/api/v1/reports/finance/", {"first": "July"}).status_code == 400
    assert api.get("/api/v1/reports/finance/", {"first": "9999-12", "last": "9999-12"}).status_code == 400
    far = api.get("/api/v1/reports/cdr-totals/", {"first": "9999-12-31", "last": "9999-12-31"})
    assert far.status_code == 400
    assert len(api.get("/api/v1/reports/finance/").json()["months"]) == 12


def test_each_tenant_reaches_only_its_own_reports(acme_usage, nova_usage, make_user, api_for, tmp_path):
    with in_schema(acme_usage):
        write_scenario(tmp_path)
        acme_line = MobileLine.objects.get(msisdn=MOBILE_NUMBERS[0])
    nova_api = api_for(nova_usage, make_user(nova_usage, "admin"))
    finance = nova_api.get("/api/v1/reports/finance/", {"first": "2026-07", "last": "2026-09"}).json()
    assert all(
        Decimal(m["revenue_excl_vat"]) == 0 and Decimal(m["cost_excl_vat"]) == 0 for m in finance["months"]
    )
    lines = nova_api.get("/api/v1/reports/inventory/lines/").json()["results"]
    assert not {row["msisdn"] for row in lines} & set(MOBILE_NUMBERS)
    assert nova_api.get(f"/api/v1/reports/lines/{acme_line.pk}/usage/").status_code == 404
    totals = nova_api.get("/api/v1/reports/cdr-totals/", {**OCTOBER, "line": MOBILE_NUMBERS[1]}).json()
    assert totals["events"] == 0
    # acme's token does not open nova's API
    acme_api = api_for(acme_usage, make_user(acme_usage, "admin"))
    from rest_framework.test import APIClient

    foreign = APIClient(HTTP_HOST="nova.localhost")
    foreign.credentials(HTTP_AUTHORIZATION=acme_api._credentials["HTTP_AUTHORIZATION"])
    assert foreign.get("/api/v1/reports/finance/").status_code == 401


@pytest.mark.parametrize("role", ["customer"])
def test_reports_api_refuses_anonymous_and_end_customers(acme, make_user, api_for, role):
    assert api_for(acme).get("/api/v1/reports/finance/").status_code == 401
    customer = api_for(acme, make_user(acme, role))
    for path in ("/api/v1/reports/finance/", "/api/v1/reports/dashboard/", "/api/v1/reports/watch/"):
        assert customer.get(path).status_code == 403


def test_reports_api_keeps_a_bounded_number_of_queries(
    acme_usage, make_user, api_for, django_assert_max_num_queries
):
    api = api_for(acme_usage, make_user(acme_usage, "admin"))
    with in_schema(acme_usage):
        line = MobileLine.objects.get(msisdn=MOBILE_NUMBERS[0])
    calls = [
        ("/api/v1/reports/cdr-totals/", OCTOBER),
        ("/api/v1/reports/inventory/lines/", {}),
        ("/api/v1/reports/inventory/fixed-numbers/", {}),
        ("/api/v1/reports/watch/", {}),
        ("/api/v1/reports/dashboard/", {}),
        (f"/api/v1/reports/lines/{line.pk}/usage/", {}),
        ("/api/v1/reports/finance/", {"first": "2025-01", "last": "2026-12"}),
    ]
    for path, params in calls:
        api.get(path, params)
        with django_assert_max_num_queries(20):
            assert api.get(path, params).status_code == 200, path
