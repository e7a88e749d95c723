"""Operator invoices from Access exports (.mdb) through a profile into the Output, and the
operator's PDFs (Factures/Intégrateur): exact values checked against mdb-export's own reading."""

import csv
import datetime as dt
import io
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal

import pytest

from cdr_import.models import ImportStatus, RejectedRow
from cdr_import.models_invoices import OperatorInvoice, OperatorPdf, OperatorReference
from cdr_import.operator_invoices import (
    operator_invoice_output,
    operator_invoice_profile_create,
    operator_reference_assign,
)
from cdr_import.services import import_file
from core.errors import ApplicationError
from tests.cdr_import.conftest import NOW, SAMPLES
from tests.conftest import in_schema

MDB = SAMPLES / "mdb"
CENT = Decimal("0.01")

NWIND_PROFILE = {
    "code": "sofia-nwind",
    "label": "SOFIA (Northwind test export)",
    "operator_code": "SOFIA",
    "line_table": "Order Details",
    "joins": [{"table": "Orders", "on": "OrderID", "to": "OrderID"}],
    "columns": {
        "INVOICE_REF": "Orders.OrderID",
        "INVOICE_DATE": "Orders.OrderDate",
        "ACCOUNT_REF": "Orders.CustomerID",
        "CHARGE_TYPE": "=USAGE",
        "DESCRIPTION": "ProductID",
        "PERIOD_START": "Orders.OrderDate",
        "PERIOD_END": "Orders.RequiredDate",
        "QUANTITY": "Quantity",
    },
    "unit_price": "UnitPrice",
    "default_vat_rate": Decimal("20"),
}

DATES_PROFILE = {
    "code": "dates",
    "label": "Dates",
    "operator_code": "DATES",
    "line_table": "DateTest",
    "columns": {
        "INVOICE_REF": "IDCol",
        "INVOICE_DATE": "DateTimeCol",
        "PERIOD_START": "DateCol",
        "DESCRIPTION": "ShortTextCol",
        "AMOUNT_EXCL_VAT": "IDCol",
        "CHARGE_TYPE": "=OTHER",
    },
}


def mdb_export(path, table):
    """The table as mdb-export prints it by itself (ISO dates), read independently of the app."""
    out = subprocess.run(
        ["mdb-export", "-D", "%Y-%m-%d", "-T", "%Y-%m-%d %H:%M:%S", str(path), table],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    return list(csv.DictReader(io.StringIO(out, newline="")))


def new_customer(number="C-OPINV-1"):
    from customers.models import Customer

    return Customer.objects.create(number=number, company_name="Vins et alcools Chevalier")


def _import(path, **kwargs):
    return import_file(path=path, source="command", by=None, now=NOW, feed_type="operator_invoice", **kwargs)


@pytest.fixture
def nwind(tmp_path):
    copy = tmp_path / "SOFIA_202610.mdb"
    shutil.copy(MDB / "nwind.mdb", copy)
    return copy


def test_nwind_export_through_a_profile_gives_the_exact_output(acme, nwind):
    details = mdb_export(MDB / "nwind.mdb", "Order Details")
    orders = {o["OrderID"]: o for o in mdb_export(MDB / "nwind.mdb", "Orders")}
    with in_schema(acme):
        profile = operator_invoice_profile_create(values=NWIND_PROFILE, by=None)
        imp = _import(nwind, profile=profile.code)
        assert imp.status == ImportStatus.DONE, imp.reason
        assert (imp.rows, imp.imported, imp.rejected) == (len(details), len(details), 0)
        assert OperatorInvoice.objects.count() == len({d["OrderID"] for d in details})
        invoice = OperatorInvoice.objects.get(operator_code="SOFIA", invoice_ref="10248")
        mine = [d for d in details if d["OrderID"] == "10248"]
        amounts = [
            (Decimal(d["Quantity"]) * Decimal(d["UnitPrice"])).quantize(CENT, ROUND_HALF_UP) for d in mine
        ]
        assert invoice.total_excl_vat == sum(amounts)
        assert invoice.account_ref == orders["10248"]["CustomerID"] == "VINET"
        assert invoice.invoice_date == dt.date.fromisoformat(orders["10248"]["OrderDate"][:10])
        name, content = operator_invoice_output(invoice=invoice)
        assert name == "OUTPUT_SOFIA_10248.csv"
        expected = [
            "INVOICE_REF;INVOICE_DATE;ACCOUNT_REF;LINE_NUMBER;CHARGE_TYPE;DESCRIPTION;PERIOD_START;PERIOD_END;"
            "QUANTITY;AMOUNT_EXCL_VAT;VAT_RATE;AMOUNT_VAT;CURRENCY"
        ]
        for d, amount in zip(mine, amounts, strict=True):
            vat = (amount * Decimal("0.20")).quantize(CENT, ROUND_HALF_UP)
            expected.append(
                ";".join(
                    [
                        "10248",
                        orders["10248"]["OrderDate"][:10],
                        "VINET",
                        "",
                        "USAGE",
                        d["ProductID"],
                        orders["10248"]["OrderDate"][:10],
                        orders["10248"]["RequiredDate"][:10],
                        d["Quantity"],
                        str(amount).replace(".", ","),
                        "20,00",
                        str(vat).replace(".", ","),
                        "EUR",
                    ]
                )
            )
        expected.append(f"TRAILER;{len(mine)}")
        assert content.decode("utf-8-sig").split("\r\n")[:-1] == expected


def test_dates_export_rows_with_impossible_dates_are_rejected_with_their_column(acme, tmp_path):
    raw = mdb_export(MDB / "DateTestDatabase.mdb", "DateTest")
    copy = tmp_path / "DateTestDatabase.mdb"
    shutil.copy(MDB / "DateTestDatabase.mdb", copy)
    with in_schema(acme):
        operator_invoice_profile_create(values=DATES_PROFILE, by=None)
        imp = _import(copy)  # the only profile is used
        good = [r for r in raw if not r["DateTimeCol"].startswith("1900-01-00")]
        bad = [r for r in raw if r["DateTimeCol"].startswith("1900-01-00")]
        assert bad and good
        assert imp.status == ImportStatus.DONE_WITH_REJECTIONS
        assert (imp.rows, imp.imported, imp.rejected) == (len(raw), len(good), len(bad))
        faults = RejectedRow.objects.filter(feed_import=imp).order_by("line", "field")
        assert {(f.line, f.field) for f in faults} >= {(int(r["IDCol"]), "INVOICE_DATE") for r in bad}
        assert all("not a valid date" in f.reason for f in faults)
        for r in good:
            invoice = OperatorInvoice.objects.get(operator_code="DATES", invoice_ref=r["IDCol"])
            assert invoice.invoice_date == dt.date.fromisoformat(r["DateTimeCol"][:10])
            line = invoice.lines.get()
            assert line.period_start == dt.date.fromisoformat(r["DateCol"][:10])
            assert line.description == r["ShortTextCol"]
            assert line.amount_excl_vat == Decimal(r["IDCol"])


def test_a_profile_naming_a_missing_column_rejects_the_file_naming_table_and_column(acme, nwind):
    with in_schema(acme):
        values = {**NWIND_PROFILE, "columns": {**NWIND_PROFILE["columns"], "QUANTITY": "Qty"}}
        operator_invoice_profile_create(values=values, by=None)
        imp = _import(nwind)
        assert imp.status == ImportStatus.REJECTED
        assert "Order Details" in imp.reason and "Qty" in imp.reason and "SOFIA_202610.mdb" in imp.reason


def test_profile_errors_are_all_reported_at_once(acme):
    with in_schema(acme), pytest.raises(ApplicationError) as caught:
        operator_invoice_profile_create(
            values={
                "code": "Bad Code",
                "label": "",
                "operator_code": "",
                "line_table": "",
                "columns": {"X": "a"},
            },
            by=None,
        )
    fields = {name for name, _message in caught.value.field_errors}
    assert {"code", "label", "operator_code", "line_table", "columns"} <= fields


def test_a_file_that_is_not_an_access_database_is_rejected_clearly(acme, tmp_path):
    fake = tmp_path / "broken.mdb"
    fake.write_bytes(b"not a database at all")
    with in_schema(acme):
        operator_invoice_profile_create(values=DATES_PROFILE, by=None)
        imp = _import(fake)
        assert imp.status == ImportStatus.REJECTED
        assert "broken.mdb" in imp.reason and "Access" in imp.reason


def test_unassigned_accounts_are_listed_and_an_assignment_is_followed(acme, nwind):
    with in_schema(acme):
        operator_invoice_profile_create(values=NWIND_PROFILE, by=None)
        _import(nwind)
        waiting = OperatorReference.objects.filter(customer__isnull=True, kind="account")
        assert waiting.filter(value="VINET").exists()
        customer = new_customer()
        ref = waiting.get(value="VINET")
        operator_reference_assign(reference=ref, customer=customer, by=None, now=NOW)
        vinet = OperatorInvoice.objects.filter(account_ref="VINET")
        assert vinet.exists() and set(vinet.values_list("customer", flat=True)) == {customer.pk}
        assert not OperatorInvoice.objects.filter(account_ref="TOMSP", customer=customer).exists()


def test_a_later_file_follows_the_assignment(acme, nwind):
    with in_schema(acme):
        profile = operator_invoice_profile_create(values=NWIND_PROFILE, by=None)
        OperatorReference.objects.create(kind="account", value="VINET", first_seen_at=NOW)
        customer = new_customer()
        operator_reference_assign(
            reference=OperatorReference.objects.get(value="VINET"), customer=customer, by=None, now=NOW
        )
        imp = _import(nwind, profile=profile.code)
        assert imp.status == ImportStatus.DONE
        assert set(
            OperatorInvoice.objects.filter(account_ref="VINET").values_list("customer", flat=True)
        ) == {customer.pk}


def test_the_ofc_is_put_on_retours_when_the_profile_asks(
    acme, nwind, tmp_path, django_capture_on_commit_callbacks
):
    from tenants.models import FeedAccess, FeedProtocol

    feed = tmp_path / "feed"
    (feed / "Retours").mkdir(parents=True)
    FeedAccess.objects.update_or_create(
        tenant=acme, defaults={"protocol": FeedProtocol.LOCAL, "root_path": str(feed)}
    )
    with in_schema(acme):
        operator_invoice_profile_create(values={**NWIND_PROFILE, "return_ofc": True}, by=None)
        with django_capture_on_commit_callbacks(execute=True):
            _import(nwind)
        invoice = OperatorInvoice.objects.get(invoice_ref="10248")
        assert invoice.ofc_sent_at == NOW
        assert (feed / "Retours" / "OUTPUT_SOFIA_10248.csv").read_bytes() == operator_invoice_output(
            invoice=invoice
        )[1]
        assert len(list((feed / "Retours").iterdir())) == OperatorInvoice.objects.count()


def test_factures_pdfs_are_archived_per_month(acme, tmp_path):
    from core.documents import render_pdf

    pdf = tmp_path / "Facture_ACME_202610.pdf"
    pdf.write_bytes(
        render_pdf("cdr_import/operator_pdf_demo.html", {"month": "10/2026", "amount": "1 234,56 €"})
    )
    not_pdf = tmp_path / "Facture_ACME_202611.pdf"
    not_pdf.write_bytes(b"hello")
    with in_schema(acme):
        imp = import_file(path=pdf, source="command", by=None, now=NOW)
        assert imp.feed_type == "operator_pdf" and imp.status == ImportStatus.DONE
        stored = OperatorPdf.objects.get()
        assert stored.month == dt.date(2026, 10, 1) and stored.file.read() == pdf.read_bytes()
        refused = import_file(path=not_pdf, source="command", by=None, now=NOW)
        assert refused.status == ImportStatus.REJECTED and "not a PDF" in refused.reason
        assert OperatorPdf.objects.count() == 1
