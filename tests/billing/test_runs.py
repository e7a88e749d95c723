"""Runs: settled usage independent of file order, one run per period, redo, resume, the command."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from billing.models import BillingRun, Invoice, InvoiceLine, InvoiceStatus, RunStatus
from billing.services import (
    billing_run_execute,
    billing_run_finalize,
    billing_run_redo,
    billing_run_start,
)
from cdr_import.models import Cdr
from cdr_import.settle import cdr_period_settle
from core.errors import ApplicationError
from tests.billing.conftest import NOW, cdr_file, customer, line, load, offer, rate_table
from tests.conftest import in_schema

TODAY = dt.date(2027, 2, 3)
MSISDN = "33611000040"
# Five calls of January: a 3-minute allowance, consumed in time order, is spent by U1 and U2.
ROWS = [
    ("U1", "VOICE_MO", MSISDN, "2027-01-03 10:00:00", 100, 0, "33140000000"),
    ("U2", "VOICE_MO", MSISDN, "2027-01-04 10:00:00", 100, 0, "33140000000"),
    ("U3", "VOICE_MO", MSISDN, "2027-01-20 10:00:00", 100, 0, "33140000000"),
    ("U4", "VOICE_MO", MSISDN, "2027-01-21 10:00:00", 30, 0, "33622222222"),
    ("U5", "SMS_MO", MSISDN, "2027-01-22 10:00:00", 0, 0, "33622222222"),
]


def _setup():
    from offers.models import Allowance

    plan = offer("PLAN", "10.00", table=rate_table())
    Allowance.objects.create(
        offer=plan, event_type="VOICE", zones="FR_FIXED", quantity=Decimal("3"), unit="MIN"
    )
    line(customer("ORD"), plan, MSISDN, dt.date(2026, 6, 1))


def _files(tmp_path):
    late = cdr_file(tmp_path, "RatedCDRs_MOBILE_ACME_20270125000000.csv", ROWS[:2])  # early calls, sent late
    first = cdr_file(tmp_path, "RatedCDRs_MOBILE_ACME_20270123000000.csv", ROWS[2:])
    billed = cdr_file(tmp_path, "BilledCDRs_MOBILE_ACME_202701.csv", ROWS, billed_period="2027-01")
    return first, late, billed


def _state():
    cdrs = {c.cdr_id: (c.rated_amount, c.allowance_used) for c in Cdr.objects.all()}
    invoice = Invoice.objects.get(customer_number="ORD")
    lines = [(li.category, li.quantity, li.amount) for li in invoice.lines.order_by("position")]
    return cdrs, lines, invoice.total_incl_vat


def _wipe():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cdr_import_cdr, cdr_import_cdr_identity")
    from cdr_import.models import Import, RejectedRow

    InvoiceLine.objects.all().delete()
    Invoice.objects.all().delete()
    BillingRun.objects.all().delete()
    RejectedRow.objects.all().delete()
    Import.objects.all().delete()


def _bill():
    run = billing_run_start(period="2027-01", by=None, now=NOW, today=TODAY, queue=False)
    return billing_run_execute(run_id=run.pk, now=NOW, today=TODAY)


def test_the_same_month_in_different_file_orders_gives_identical_settled_cdrs_and_drafts(acme, tmp_path):
    with in_schema(acme):
        _setup()
        first, late, billed = _files(tmp_path)
        results = []
        for order in ([first, late, billed], [billed, first, late], [late, billed, first]):
            for path in order:
                load(path)
            _bill()
            results.append(_state())
            _wipe()
        assert results[0] == results[1] == results[2]
        cdrs, lines, total = results[0]
        # U1 100 s → 120 s, U2 the 60 s left of the allowance then 60 s at 0.30; U3 120 s: 0.60.
        assert cdrs["U1"] == (Decimal("0.0000"), 120) and cdrs["U2"] == (Decimal("0.3000"), 60)
        assert cdrs["U3"] == (Decimal("0.6000"), 0)
        # 10.00 + national 0.30 + 0.60 + mobile 30 s → first minute 0.20 + SMS 0.10 = 11.20; ×1.2
        assert total == Decimal("13.44")


def test_settling_changes_only_what_the_arrival_order_got_wrong_and_is_idempotent(acme, tmp_path):
    with in_schema(acme):
        _setup()
        first, late, _billed = _files(tmp_path)
        load(first)
        load(late)  # each file rated alone: U3 took 120 s of the allowance, U1 and U2 all 180 s
        assert Cdr.objects.get(cdr_id="U3").allowance_used == 120
        settled = cdr_period_settle(period="2027-01", now=NOW)
        assert settled.rated == 5 and settled.changed == 1
        assert Cdr.objects.get(cdr_id="U3").allowance_used == 0
        assert cdr_period_settle(period="2027-01", now=NOW).changed == 0


def test_one_run_per_period_redo_rebuilds_and_finalized_runs_are_frozen(acme, tmp_path):
    with in_schema(acme):
        _setup()
        run = _bill()
        with pytest.raises(ApplicationError):
            billing_run_start(period="2027-01", by=None, now=NOW, today=TODAY, queue=False)
        first_ids = set(Invoice.objects.values_list("id", flat=True))
        run = billing_run_redo(run=run, by=None, now=NOW, queue=False)
        run = billing_run_execute(run_id=run.pk, now=NOW, today=TODAY)
        assert Invoice.objects.count() == 1 and not first_ids & set(
            Invoice.objects.values_list("id", flat=True)
        )
        run = billing_run_finalize(run=run, tenant=acme, by=None, now=NOW, today=TODAY)
        invoice = Invoice.objects.get()
        assert (
            invoice.status == InvoiceStatus.ISSUED and invoice.number == run.first_number == run.last_number
        )
        with pytest.raises(ApplicationError):
            billing_run_redo(run=run, by=None, now=NOW, queue=False)
        # Settling again leaves the finalized customer's CDRs alone.
        load(cdr_file(tmp_path, "RatedCDRs_MOBILE_ACME_20270130000000.csv", ROWS))
        assert cdr_period_settle(period="2027-01", now=NOW).frozen_lines == 1


def test_a_crashed_run_resumes_without_doubling(acme, monkeypatch):
    from billing import services

    with in_schema(acme):
        _setup()
        line(customer("ORD2"), offer("P2", "5.00"), "33611000041", dt.date(2026, 6, 1))
        run = billing_run_start(period="2027-01", by=None, now=NOW, today=TODAY, queue=False)
        monkeypatch.setattr(services, "BATCH", 1)
        calls = {"n": 0}
        real = services._build_chunk

        def crash_second(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("worker lost")
            return real(*args, **kwargs)

        monkeypatch.setattr(services, "_build_chunk", crash_second)
        with pytest.raises(RuntimeError):
            billing_run_execute(run_id=run.pk, now=NOW, today=TODAY)
        assert Invoice.objects.count() == 1
        BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.BUILDING)  # as a killed worker leaves it
        run = billing_run_execute(run_id=run.pk, now=NOW, today=TODAY)
        assert run.status == RunStatus.DRAFT and Invoice.objects.count() == 2 and run.invoices_count == 2


def test_the_command_prints_one_json_line_and_finalizes(acme):
    with in_schema(acme):
        _setup()
    out = StringIO()
    call_command("billing_run", "--tenant", "acme", "--period", "2026-10", stdout=out)
    first = json.loads(out.getvalue())
    assert first["status"] == "draft" and first["invoices"] == 1 and first["first_number"] is None
    out = StringIO()
    call_command("billing_run", "--tenant", "acme", "--period", "2026-10", "--finalize", stdout=out)
    done = json.loads(out.getvalue())
    assert done["run_id"] == first["run_id"] and done["status"] == "finalized"
    assert done["total_excl_vat"] == "10.00" and done["total_incl_vat"] == "12.00"
    assert done["first_number"] and done["first_number"] == done["last_number"]
