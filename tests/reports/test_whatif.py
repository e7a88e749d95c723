"""What-if pricing: stored CDRs rated under another table or offer, compared with what was billed.

The scenario (hand-computed): table T1 of the billing tests, offer VOX (0 €, T1, 2 national
minutes); customer WIF's line 33611000077; January billed and issued, February rated only.

January CDRs, under T1 with VOX's allowance:
  W1 national 90 s → 120 s, in the 2-minute allowance        0
  W2 national 61 s → 120 s, allowance spent: 2 × 0.30        0.6000
  W3 mobile 61 s (60/1): 61 × 0.20 / 60                      0.2033
  W4 SMS                                                      0.1000
  W5 data 2 MB × 0.01                                         0.0200
  W6 United Kingdom 30 s → 60 s × 0.50                        0.5000
  billed: national 0.80, SMS 0.10, data 0.02, international 0.50 (1.42)
February: W7 mobile 60 s → 0.20.

Under T2 (national 0.20, mobiles 0.10, SMS 0.05, data 0.02/MB, UK 0.40), allowances kept:
  national 0.40 + 0.1017 = 0.5017 → 0.50; SMS 0.05; data 0.04; international 0.40 (1.39).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from billing.models import Invoice, InvoiceLine
from billing.services import billing_run_execute, billing_run_start
from offers.models import Allowance, Rate, RateTable
from reports.models import WhatIfKind, WhatIfRun
from reports.whatif import Scenario, simulate, whatif_execute, whatif_start
from tests.billing.conftest import NOW, cdr_file, customer, line, load, offer, rate_table
from tests.conftest import in_schema

D = Decimal
TODAY = dt.date(2027, 4, 5)
JANUARY = [
    ("W1", "VOICE_MO", "33611000077", "2027-01-05 10:00:00", 90, 0, "33140000000"),
    ("W2", "VOICE_MO", "33611000077", "2027-01-06 10:00:00", 61, 0, "33140000001"),
    ("W3", "VOICE_MO", "33611000077", "2027-01-07 10:00:00", 61, 0, "33622222222"),
    ("W4", "SMS_MO", "33611000077", "2027-01-08 10:00:00", 0, 0, "33622222222"),
    ("W5", "DATA", "33611000077", "2027-01-09 10:00:00", 0, 2 * 1024 * 1024, ""),
    ("W6", "VOICE_MO", "33611000077", "2027-01-10 10:00:00", 30, 0, "442071234567"),
]
FEBRUARY = [("W7", "VOICE_MO", "33611000077", "2027-02-03 10:00:00", 60, 0, "33622222222")]


def table_t2() -> RateTable:
    table = RateTable.objects.create(code="T2", label="Tarif T2")
    rows = [
        ("33", "France", "FR_FIXED", "VOICE", "0.20", "MIN", 60, 60),
        ("336", "Mobiles", "FR_MOBILE", "VOICE", "0.10", "MIN", 60, 1),
        ("44", "Royaume-Uni", "INTL_1", "VOICE", "0.40", "MIN", 60, 60),
        ("33", "SMS", "FR_MOBILE", "SMS", "0.05", "EVENT", 1, 1),
        ("", "Data", "FR_DATA", "DATA", "0.02", "MB", 1, 1),
    ]
    for prefix, dest, zone, kind, price, unit, first, nxt in rows:
        Rate.objects.create(
            table=table, prefix=prefix, destination=dest, zone=zone, event_type=kind, price=D(price),
            unit=unit, first_increment=first, next_increment=nxt, valid_from=dt.date(2020, 1, 1),
        )  # fmt: skip
    return table


def billed_scenario(tmp_path, acme):
    """The catalogue, the line, January billed and issued, February's CDR stored."""
    from billing.issuing import billing_run_finalize

    t1 = rate_table()
    vox = offer("VOX", "0.00", table=t1)
    Allowance.objects.create(offer=vox, event_type="VOICE", zones="FR_FIXED", quantity=D("2"), unit="MIN")
    client = customer("WIF")
    mobile = line(client, vox, "33611000077", dt.date(2026, 1, 1))
    load(cdr_file(tmp_path, "RatedCDRs_MOBILE_ACME_20270111000000.csv", JANUARY))
    load(cdr_file(tmp_path, "RatedCDRs_MOBILE_ACME_20270204000000.csv", FEBRUARY))
    run = billing_run_start(period="2027-01", by=None, now=NOW, today=dt.date(2027, 2, 1))
    run = billing_run_execute(run_id=run.pk, now=NOW, today=dt.date(2027, 2, 1))
    billing_run_finalize(run=run, tenant=acme, by=None, now=NOW, today=dt.date(2027, 2, 1))
    invoice = Invoice.objects.get(customer=client, period="2027-01")
    assert invoice.status == "issued"
    return {"t1": t1, "vox": vox, "customer": client, "line": mobile, "invoice": invoice}


def invoice_usage(invoice: Invoice) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for li in InvoiceLine.objects.filter(invoice=invoice, category__startswith="usage_"):
        out[li.category] = out.get(li.category, D(0)) + li.amount
    return out


def nonzero(categories: dict[str, str]) -> dict[str, Decimal]:
    return {c: D(a) for c, a in categories.items() if D(a)}


def store_snapshot() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cdr_import_cdr ORDER BY id")
        return cursor.fetchall()


def test_the_table_a_customer_was_billed_with_reproduces_the_billed_usage_to_the_cent(acme, tmp_path):
    with in_schema(acme):
        s = billed_scenario(tmp_path, acme)
        billed = invoice_usage(s["invoice"])
        assert billed == {
            "usage_national": D("0.80"),
            "usage_sms_mms": D("0.10"),
            "usage_data": D("0.02"),
            "usage_international": D("0.50"),
        }
        before = store_snapshot()
        for scenario in (Scenario.of_table(s["t1"]), Scenario.of_offer(s["vox"])):
            result = simulate(scenarios=[scenario], periods=["2027-01"], customer=s["customer"])
            assert nonzero(result["actual"]["categories"]) == billed
            assert nonzero(result["scenarios"][0]["categories"]) == billed
            assert all(D(d) == 0 for d in result["scenarios"][0]["differences"].values())
            assert result["billed_months"] == 1 and result["cdrs"] == 6
        # the whole tenant and the line give the same figures (one customer has usage)
        whole = simulate(scenarios=[Scenario.of_table(s["t1"])], periods=["2027-01"])
        assert nonzero(whole["scenarios"][0]["categories"]) == billed
        one = simulate(scenarios=[Scenario.of_table(s["t1"])], periods=["2027-01"], line=s["line"])
        assert nonzero(one["actual"]["categories"]) == billed
        assert nonzero(one["scenarios"][0]["categories"]) == billed
        assert store_snapshot() == before  # nothing written to the CDR store


def test_another_table_gives_the_hand_computed_difference_and_margin(acme, tmp_path):
    with in_schema(acme):
        s = billed_scenario(tmp_path, acme)
        t2 = table_t2()
        result = simulate(
            scenarios=[Scenario.of_table(t2)], periods=["2027-01", "2027-02"], customer=s["customer"]
        )
        simulated = result["scenarios"][0]
        # February is not billed: what its CDR is rated at now (0.20) on the actual side; 0.10 under T2
        assert nonzero(result["actual"]["categories"]) == {
            "usage_national": D("1.00"),
            "usage_sms_mms": D("0.10"),
            "usage_data": D("0.02"),
            "usage_international": D("0.50"),
        }
        assert nonzero(simulated["categories"]) == {
            "usage_national": D("0.60"),
            "usage_sms_mms": D("0.05"),
            "usage_data": D("0.04"),
            "usage_international": D("0.40"),
        }
        assert nonzero(simulated["differences"]) == {
            "usage_national": D("-0.40"),
            "usage_sms_mms": D("-0.05"),
            "usage_data": D("0.02"),
            "usage_international": D("-0.10"),
        }
        assert D(simulated["difference"]) == D("-0.53")
        # 7 CDRs at 0.01 of wholesale cost each
        assert D(result["wholesale_cost"]) == D("0.07")
        assert D(result["actual"]["margin"]) == D("1.62") - D("0.07")
        assert D(simulated["margin"]) == D("1.09") - D("0.07")


def test_best_offer_over_the_last_three_months_is_ranked_by_total_cost(
    acme, tmp_path, django_capture_on_commit_callbacks
):
    with in_schema(acme):
        s = billed_scenario(tmp_path, acme)
        t2 = table_t2()
        offer("CHEAP", "1.00", table=t2)
        unli = offer("UNLI", "10.00", table=s["t1"])
        Allowance.objects.create(offer=unli, event_type="VOICE", zones="", unlimited=True)
        offer("OLD", "0.00", table=t2, archived=True)
        before = store_snapshot()
        with django_capture_on_commit_callbacks(execute=True):
            run = whatif_start(
                kind=WhatIfKind.BEST_OFFER, customer=s["customer"], by=None, now=NOW, today=TODAY
            )
        run = whatif_execute(run_id=run.pk, now=NOW, today=TODAY) or WhatIfRun.objects.get(pk=run.pk)
        run.refresh_from_db()
        assert (run.first_period, run.last_period) == ("2027-01", "2027-03")
        ranking = [(r["label"], D(r["total"])) for r in run.result["scenarios"]]
        # VOX: 0 × 3 + 1.42 + 0.20; CHEAP: 3 × 1.00 + 1.39 + 0.10; UNLI: 3 × 10.00 + SMS 0.10 + data 0.02
        assert ranking == [
            ("Forfait VOX", D("1.62")),
            ("Forfait CHEAP", D("4.49")),
            ("Forfait UNLI", D("30.12")),
        ]
        assert D(run.result["actual"]["total"]) == D("1.62")
        assert run.job.status == "done"
        assert store_snapshot() == before


def test_start_checks_every_field_and_audits_the_creation(acme, tmp_path):
    from audit.models import AuditEvent
    from core.errors import ApplicationError

    with in_schema(acme):
        t1 = rate_table()
        with pytest.raises(ApplicationError) as refused:
            whatif_start(
                kind="simulation",
                first_period="2027-01",
                last_period="2027-01",
                by=None,
                now=NOW,
                today=TODAY,
            )
        assert refused.value.field == "offer"
        with pytest.raises(ApplicationError) as refused:
            whatif_start(
                kind="simulation",
                rate_table=t1,
                first_period="2027-13",
                last_period="2027-01",
                by=None,
                now=NOW,
                today=TODAY,
            )
        assert refused.value.field == "period"
        run = whatif_start(kind="catalogue", rate_table=t1, by=None, now=NOW, today=TODAY)
        assert (run.first_period, run.last_period) == ("2027-03", "2027-03")
        assert AuditEvent.objects.filter(action="whatif.created", object_id=str(run.pk)).exists()


# --- pages and API ------------------------------------------------------------------------------
def test_pages_and_api_create_list_and_show_a_simulation(
    acme, tmp_path, make_user, client_for, api_for, django_capture_on_commit_callbacks
):
    with in_schema(acme):
        s = billed_scenario(tmp_path, acme)
        t2 = table_t2()
        staff = make_user(acme, role="admin")
    web = client_for(acme, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(
            reverse("reports:whatif_list"),
            {"kind": "simulation", "customer": "WIF", "rate_table": t2.pk,
             "first_period": "2027-01", "last_period": "2027-01"},
        )  # fmt: skip
    assert response.status_code == 302, [
        x for x in response.content.decode().splitlines() if "field-error" in x
    ]
    with in_schema(acme):
        run = WhatIfRun.objects.get()
    page = web.get(reverse("reports:whatif_detail", args=[run.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "0,80" in body and "0,50" in body  # French amounts: billed national, simulated national
    assert web.get(reverse("reports:whatif_list")).status_code == 200
    # all errors at once
    errors = web.post(
        reverse("reports:whatif_list"), {"kind": "simulation", "first_period": "x", "last_period": ""}
    )
    assert errors.status_code == 200
    assert errors.content.decode().count("field-error") >= 2
    api = api_for(acme, staff)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/what-if/",
            {"kind": "best_offer", "customer": s["customer"].pk},
            format="json",
        )
    assert created.status_code == 202, created.content
    assert created.json()["job"]
    detail = api.get(f"/api/v1/what-if/{created.json()['id']}/")
    assert detail.status_code == 200 and detail.json()["result"]["scenarios"]
    assert len(api.get("/api/v1/what-if/").json()["results"]) == 2
    # from the customer's page and the rate table's page
    customer_page = web.get(reverse("customers:detail", args=[s["customer"].pk])).content.decode()
    assert reverse("reports:whatif_list") in customer_page
    table_page = web.get(reverse("offers:table_detail", args=[t2.pk])).content.decode()
    assert reverse("reports:whatif_list") in table_page


def test_a_tenant_never_reaches_another_tenants_simulations(
    acme, nova, tmp_path, make_user, client_for, api_for
):
    with in_schema(acme):
        t1 = rate_table()
        run = whatif_start(kind="catalogue", rate_table=t1, by=None, now=NOW, today=TODAY)
        whatif_execute(run_id=run.pk, now=NOW, today=TODAY)
        acme_customer = customer("ACM")
    with in_schema(nova):
        nova_staff = make_user(nova, role="admin")
    web = client_for(nova, nova_staff)
    assert web.get(reverse("reports:whatif_detail", args=[run.pk])).status_code == 404
    assert (
        reverse("reports:whatif_detail", args=[run.pk])
        not in web.get(reverse("reports:whatif_list")).content.decode()
    )
    api = api_for(nova, nova_staff)
    assert api.get(f"/api/v1/what-if/{run.pk}/").status_code == 404
    assert api.get("/api/v1/what-if/").json()["results"] == []
    # another tenant's customer or table id is refused, not simulated
    assert (
        api.post(
            "/api/v1/what-if/", {"kind": "best_offer", "customer": acme_customer.pk}, format="json"
        ).status_code
        == 400
    )
    assert (
        api.post("/api/v1/what-if/", {"kind": "catalogue", "rate_table": t1.pk}, format="json").status_code
        == 400
    )
    with in_schema(nova):
        assert not WhatIfRun.objects.exists()


def test_the_list_keeps_a_bounded_number_of_queries(
    acme, make_user, client_for, django_assert_max_num_queries
):
    with in_schema(acme):
        t1 = rate_table()
        client = customer("Q1")
        for _i in range(8):
            whatif_start(kind="catalogue", rate_table=t1, by=None, now=NOW, today=TODAY)
            whatif_start(kind="best_offer", customer=client, by=None, now=NOW, today=TODAY)
        staff = make_user(acme, role="admin")
    web = client_for(acme, staff)
    web.get(reverse("reports:whatif_list"))
    with django_assert_max_num_queries(14):
        assert web.get(reverse("reports:whatif_list")).status_code == 200


def test_a_queued_simulation_shows_its_progress_and_strangers_are_kept_out(
    acme, make_user, client_for, api_for
):
    with in_schema(acme):
        t1 = rate_table()
        run = whatif_start(kind="catalogue", rate_table=t1, by=None, now=NOW, today=TODAY)
        staff = make_user(acme, role="admin")
    page = client_for(acme, staff).get(reverse("reports:whatif_detail", args=[run.pk])).content.decode()
    assert (
        'id="job-progress"' in page and "whatif-comparison" not in page
    )  # left and come back: still running
    assert client_for(acme).get(reverse("reports:whatif_list")).status_code == 302  # to the login page
    assert api_for(acme).get("/api/v1/what-if/").status_code in (401, 403)
