"""Invoice content: scenarios whose totals are computed by hand here, line by line."""

import datetime as dt
from decimal import Decimal

from billing.models import Invoice, InvoiceLine, RunStatus
from billing.services import billing_run_execute, billing_run_start
from tests.billing.conftest import NOW, cdr_file, customer, line, load, offer, rate_table
from tests.conftest import in_schema

D = Decimal


def bill(period: str, today: dt.date = dt.date(2027, 6, 1)) -> dict[str, Invoice]:
    run = billing_run_start(period=period, by=None, now=NOW, today=today, queue=False)
    run = billing_run_execute(run_id=run.pk, now=NOW, today=today)
    assert run is not None and run.status == RunStatus.DRAFT, run and run.message
    return {i.customer_number: i for i in Invoice.objects.filter(run=run)}


def amounts(invoice: Invoice, category: str | None = None) -> list[Decimal]:
    lines = InvoiceLine.objects.filter(invoice=invoice).order_by("position")
    if category:
        lines = lines.filter(category=category)
    return [li.amount for li in lines]


def test_arrears_proration_in_28_30_and_31_day_months(acme):
    with in_schema(acme):
        arrears = offer("ARR", "30.00")
        line(customer("FEB"), arrears, "33611000001", dt.date(2027, 2, 15))
        feb = bill("2027-02")["FEB"]
        assert amounts(feb, "subscription") == [D("15.00")]  # 14 days of 28: 30 × 14 / 28
        line(customer("APR"), arrears, "33611000002", dt.date(2027, 4, 11))
        apr = bill("2027-04")["APR"]
        assert amounts(apr, "subscription") == [D("20.00")]  # 20 days of 30
        line(customer("JAN"), arrears, "33611000003", dt.date(2027, 1, 21))
        jan = bill("2027-01")["JAN"]
        assert amounts(jan, "subscription") == [D("10.65")]  # 30 × 11 / 31 = 10.645… → 10.65
        assert (jan.total_excl_vat, jan.total_vat, jan.total_incl_vat) == (D("10.65"), D("2.13"), D("12.78"))


def test_advance_billing_activation_then_next_month_and_termination_credit_with_fee(acme):
    from provisioning.models import LineAction

    with in_schema(acme):
        advance = offer("ADV", "31.00", timing="advance")
        line(customer("NEW"), advance, "33611000010", dt.date(2027, 1, 21))
        ended = line(
            customer("END"), advance, "33611000011", dt.date(2026, 12, 1), terminated=dt.date(2027, 1, 10)
        )
        LineAction.objects.create(
            line=ended, kind="terminate", status="confirmed", parameters={"fee": "120.00"},
            requested_at=NOW, effective_date=dt.date(2027, 1, 10),
        )  # fmt: skip
        invoices = bill("2027-01")
        # Activated on the 21st: 11 days of 31 (11.00) and February in advance (31.00).
        assert amounts(invoices["NEW"], "subscription") == [D("11.00"), D("31.00")]
        assert invoices["NEW"].total_excl_vat == D("42.00")
        # Ended on the 10th: January was billed whole in advance; 22 unused days credited.
        assert amounts(invoices["END"], "subscription") == [D("-22.00")]
        assert amounts(invoices["END"], "termination_fee") == [D("120.00")]
        assert invoices["END"].total_excl_vat == D("98.00")
        assert invoices["END"].total_incl_vat == D("117.60")


def test_discount_with_a_duration_and_a_mix_of_vat_rates(acme):
    from offers.models import Product
    from provisioning.models import ServiceOrder

    with in_schema(acme):
        arrears = offer("DSC", "40.00")
        cust = customer("DIS")
        line(cust, arrears, "33611000020", dt.date(2027, 1, 1), discount_kind="percent",
             discount_value=D("25"), discount_months=2, billing_start=dt.date(2027, 1, 1))  # fmt: skip
        press = Product.objects.create(code="PRESSE", label="Presse en ligne", price=D("10.00"),
                                       vat_rate=D("5.5"), recurring=True)  # fmt: skip
        ServiceOrder.objects.create(customer=cust, product=press, quantity=1, unit_price=D("10.00"),
                                    start_date=dt.date(2026, 12, 1))  # fmt: skip
        jan = bill("2027-01")["DIS"]
        feb = bill("2027-02")["DIS"]
        mar = bill("2027-03")["DIS"]
        assert amounts(jan, "discount") == [D("-10.00")] and amounts(feb, "discount") == [D("-10.00")]
        assert amounts(mar, "discount") == []  # two months only
        # January: 40 − 10 at 20 % (VAT 6.00) and 10 at 5.5 % (VAT 0.55).
        assert [(v.vat_rate, v.base, v.vat) for v in jan.vat_lines.all()] == [
            (D("5.50"), D("10.00"), D("0.55")),
            (D("20.00"), D("30.00"), D("6.00")),
        ]
        assert (jan.total_excl_vat, jan.total_vat, jan.total_incl_vat) == (D("40.00"), D("6.55"), D("46.55"))
        assert mar.total_excl_vat == D("50.00")


def test_allowance_consumed_then_exceeded_with_60_60_and_60_1_increments(acme, tmp_path):
    from offers.models import Allowance

    with in_schema(acme):
        table = rate_table()
        plan = offer("VOX", "0.00", table=table)
        Allowance.objects.create(
            offer=plan, event_type="VOICE", zones="FR_FIXED", quantity=D("2"), unit="MIN"
        )
        line(customer("USE"), plan, "33611000030", dt.date(2026, 1, 1))
        rows = [
            # national 60/60: 90 s → 120 s, all in the 2-minute allowance
            ("U1", "VOICE_MO", "33611000030", "2027-01-05 10:00:00", 90, 0, "33140000000"),
            # national 60/60: 61 s → 120 s, the allowance is spent: 2 min × 0.30 = 0.60
            ("U2", "VOICE_MO", "33611000030", "2027-01-06 10:00:00", 61, 0, "33140000001"),
            # mobile 60/1: 61 s charged 61 s × 0.20/60 = 0.2033…
            ("U3", "VOICE_MO", "33611000030", "2027-01-07 10:00:00", 61, 0, "33622222222"),
            # mobile 60/1: 10 s → the first minute: 0.20
            ("U4", "VOICE_MO", "33611000030", "2027-01-08 10:00:00", 10, 0, "33622222222"),
        ]
        load(cdr_file(tmp_path, "RatedCDRs_MOBILE_ACME_20270109000000.csv", rows))
        invoice = bill("2027-01")["USE"]
        usage = InvoiceLine.objects.get(invoice=invoice, category="usage_national")
        # 0.6000 + 0.2033 + 0.2000 = 1.0033 → 1.00; charged: 120 + 61 + 60 s = 4.0167 min
        assert usage.amount == D("1.00")
        assert usage.quantity == D("4.0167") and usage.unit == "min"
        assert invoice.total_excl_vat == D("1.00")
