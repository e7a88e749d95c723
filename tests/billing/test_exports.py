"""Accounting exports: the recap (CSV, XLSX) and the FEC sales journal, whose entries balance."""

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

from openpyxl import load_workbook

from billing.exports import FEC_COLUMNS, fec_journal, recap_csv, recap_xlsx
from billing.models import BillingSettings
from tests.billing.conftest import customer
from tests.billing.issued import issued_invoice
from tests.conftest import in_schema

TODAY = dt.date(2027, 3, 1)


def _month(tenant):
    with in_schema(tenant):
        a = customer("C1")
        b = customer("C2", payment_mode="cheque")
        issued_invoice(a, number="FA-1", lines=[("subscription", "20.00", "20"), ("usage_national", "3.33", "20"),
                                                ("hardware", "10.01", "5.5")])  # fmt: skip
        issued_invoice(b, number="FA-2", lines=[("usage_data", "0.07", "20")])
        issued_invoice(b, number="FA-3", issue_date=dt.date(2027, 3, 1))  # another period


def test_the_recap_lists_each_invoice_with_its_bases_per_rate(acme):
    _month(acme)
    with in_schema(acme):
        text = recap_csv("2027-02", today=TODAY).decode("utf-8-sig")
        book = load_workbook(io.BytesIO(recap_xlsx("2027-02", today=TODAY)))
    lines = text.strip().split("\r\n")
    assert lines[0].split(";") == [
        "Number", "Date", "Customer number", "Customer", "Base excl. VAT 5,5 %", "VAT 5,5 %",
        "Base excl. VAT 20 %", "VAT 20 %", "Total excl. VAT", "VAT", "Total incl. VAT",
        "Payment mode", "Due date", "Status",
    ]  # fmt: skip
    assert lines[1].split(";") == [
        "FA-1", "2027-02-01", "C1", "Client C1", "10,01", "0,55", "23,33", "4,67", "33,34", "5,22", "38,56",
        "Bank transfer", "2027-03-03", "Issued",
    ]  # fmt: skip
    assert len(lines) == 3 and lines[2].startswith("FA-2;")
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][0] == "FA-1" and Decimal(str(rows[1][10])) == Decimal("38.56") and len(rows) == 3


def test_fec_has_18_columns_and_every_entry_balances(acme):
    _month(acme)
    with in_schema(acme):
        BillingSettings.objects.create(revenue_accounts={"hardware": "707000", "usage_data": "706200"})
        text = fec_journal("2027-02", today=TODAY).decode()
    lines = text.split("\r\n")[:-1]
    assert lines[0].split("|") == list(FEC_COLUMNS) and len(FEC_COLUMNS) == 18
    rows = [line.split("|") for line in lines[1:]]
    assert all(len(row) == 18 for row in rows)
    balance: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        assert row[3] == "20270201" and row[9] == "20270201"
        balance[row[2]] += Decimal(row[11].replace(",", ".")) - Decimal(row[12].replace(",", "."))
    assert balance == {"1": Decimal("0.00"), "2": Decimal("0.00")}
    first = [(r[4], r[6], r[11], r[12]) for r in rows if r[2] == "1"]
    assert first == [
        ("411000", "C1", "38,56", "0,00"),
        ("706000", "", "0,00", "23,33"),
        ("707000", "", "0,00", "10,01"),
        ("445710", "", "0,00", "0,55"),
        ("445710", "", "0,00", "4,67"),
    ]
    assert [(r[4], r[12]) for r in rows if r[2] == "2"][1:] == [("706200", "0,07"), ("445710", "0,01")]
