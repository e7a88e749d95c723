"""Billing pages and API: start a run with its checks, review, redo, finalize; acme never sees nova's."""

import datetime as dt
from decimal import Decimal

from billing.models import BillingRun, Invoice, RunStatus
from billing.services import billing_run_execute, billing_run_start
from tests.billing.conftest import NOW, customer, line, offer
from tests.conftest import in_schema

TODAY = dt.date(2027, 2, 3)


def _drafts(tenant, number="C1"):
    with in_schema(tenant):
        line(
            customer(number), offer(f"O-{number}", "20.00"), f"3361100{len(number):04d}", dt.date(2026, 6, 1)
        )
        run = billing_run_start(period="2027-01", by=None, now=NOW, today=TODAY)
        run = billing_run_execute(run_id=run.pk, now=NOW, today=TODAY)
        return run, Invoice.objects.get(run=run)


def test_the_run_pages_show_checks_review_and_finalize(
    acme, make_user, client_for, django_capture_on_commit_callbacks
):
    accountant = make_user(acme, "accountant")
    client = client_for(acme, accountant)
    page = client.get("/billing/runs/?period=2027-01")
    assert page.status_code == 200
    body = page.content.decode()
    assert "BilledCDRs" in body and "Next invoice number" in body or "Prochain numéro" in body
    run, invoice = _drafts(acme)
    page = client.get(f"/billing/runs/{run.pk}/")
    assert page.status_code == 200 and "C1" in page.content.decode()
    assert client.get(f"/billing/invoices/{invoice.pk}/").status_code == 200
    assert client.post(f"/billing/runs/{run.pk}/redo/").status_code == 302
    with in_schema(acme):
        run = billing_run_execute(run_id=run.pk, now=NOW, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):  # the worker's part, in process
        assert client.post(f"/billing/runs/{run.pk}/finalize/").status_code == 302
    with in_schema(acme):
        run.refresh_from_db()
        assert Invoice.objects.get().pdf  # rendered by the finalization job
        assert run.status == RunStatus.FINALIZED and Invoice.objects.get().number == run.first_number


def test_a_new_run_is_started_from_the_page_and_a_second_one_refused(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "admin"))
    answer = client.post("/billing/runs/", {"period": "2026-10"})  # a month that has begun (real clock)
    assert answer.status_code == 302
    again = client.post("/billing/runs/", {"period": "2026-10"})
    assert again.status_code == 200 and "2026-10" in again.content.decode()
    with in_schema(acme):
        assert BillingRun.objects.count() == 1


def test_support_sees_runs_but_cannot_start_one(acme, make_user, client_for):
    client = client_for(acme, make_user(acme, "support"))
    assert client.get("/billing/runs/").status_code == 200
    assert client.post("/billing/runs/", {"period": "2027-01"}).status_code == 403
    sales = client_for(acme, make_user(acme, "sales"))
    assert sales.get("/billing/runs/").status_code in (302, 403)


def test_api_runs_and_invoices(acme, make_user, api_for):
    api = api_for(acme, make_user(acme, "accountant"))
    created = api.post("/api/v1/billing-runs/", {"period": "2026-10"}, format="json")
    assert created.status_code == 201, created.content
    assert api.post("/api/v1/billing-runs/", {"period": "2026-10"}, format="json").status_code == 400
    run_id = created.json()["id"]
    with in_schema(acme):
        BillingRun.objects.filter(pk=run_id).delete()
    run, invoice = _drafts(acme)
    listed = api.get("/api/v1/billing-runs/").json()
    assert [r["id"] for r in listed["results"]] == [run.pk]
    detail = api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert Decimal(detail["total_incl_vat"]) == Decimal("24.00") and detail["lines"][0]["amount"] == "20.00"
    assert api.post(f"/api/v1/billing-runs/{run.pk}/redo/").status_code == 200
    with in_schema(acme):
        billing_run_execute(run_id=run.pk, now=NOW, today=TODAY)
    done = api.post(f"/api/v1/billing-runs/{run.pk}/finalize/").json()
    assert done["status"] == "finalized" and done["first_number"]


def test_acme_cannot_reach_novas_runs_and_invoices(acme, nova, make_user, client_for, api_for):
    nova_run, nova_invoice = _drafts(nova, "NOVA1")
    acme_user = make_user(acme, "admin")
    client = client_for(acme, acme_user)
    assert client.get(f"/billing/runs/{nova_run.pk}/").status_code == 404
    assert client.get(f"/billing/invoices/{nova_invoice.pk}/").status_code == 404
    assert client.post(f"/billing/runs/{nova_run.pk}/finalize/").status_code == 404
    assert "NOVA1" not in client.get("/billing/runs/").content.decode()
    api = api_for(acme, acme_user)
    assert api.get(f"/api/v1/billing-runs/{nova_run.pk}/").status_code == 404
    assert api.get(f"/api/v1/invoices/{nova_invoice.pk}/").status_code == 404
    assert api.get("/api/v1/invoices/").json()["count"] == 0
    assert api.post(f"/api/v1/billing-runs/{nova_run.pk}/redo/").status_code == 404
    with in_schema(nova):
        assert Invoice.objects.get().status == "draft"
