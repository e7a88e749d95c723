"""Rate tables: all-or-nothing uploads of CSV and XLSX, versions by VALID_FROM, export, copy, markup."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from core.errors import ApplicationError
from offers.models import Rate, RateTable, RateTableUpload
from offers.parsing import Column, FeedFileError, decimal_reader, read_feed
from offers.selectors import compiled_table_for, rate_list_in_force, rate_table_export
from offers.services import rate_save, rate_table_copy, rate_table_create, rate_table_import
from tests.conftest import in_schema

HEADER = "PREFIX;DESTINATION;ZONE;EVENT_TYPE;ORIGIN_ZONE;PRICE;UNIT;FIRST_INCREMENT;NEXT_INCREMENT;CONNECTION_FEE;VALID_FROM"


def _xlsx_from_csv(data: bytes) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for line in data.decode("utf-8-sig").splitlines():
        if line.strip():
            sheet.append(line.split(";"))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_samples_rate_table_loads(acme, make_user, load_sample_table):
    admin = make_user(acme, "admin")
    table = load_sample_table(acme, by=admin)
    with in_schema(acme):
        assert table.rates.count() == 22
        mobile = table.rates.get(prefix="336", event_type="VOICE")
        assert (mobile.price, mobile.first_increment, mobile.next_increment) == (Decimal("0.15"), 60, 1)
        upload = RateTableUpload.objects.get(table=table)
        assert upload.row_count == 22 and upload.file.read().startswith(b"PREFIX;")
        assert upload.file.path.split("/")[-5] == "acme"  # archived in the tenant's own storage
        assert AuditEvent.objects.filter(action="rate_table.uploaded", object_id=str(table.pk)).exists()


def test_its_xlsx_twin_loads_the_same_rows(acme, sample_table_bytes):
    with in_schema(acme):
        csv_table = rate_table_create(data={"code": "CSV", "label": "CSV"}, by=None)
        xlsx_table = rate_table_create(data={"code": "XLSX", "label": "XLSX"}, by=None)
        rate_table_import(
            today=timezone.localdate(), table=csv_table, data=sample_table_bytes, filename="g.csv", by=None
        )
        rate_table_import(
            today=timezone.localdate(),
            table=xlsx_table,
            data=_xlsx_from_csv(sample_table_bytes),
            filename="g.xlsx",
            by=None,
        )
        fields = (
            "prefix",
            "event_type",
            "origin_zone",
            "price",
            "first_increment",
            "next_increment",
            "connection_fee",
            "valid_from",
            "destination",
        )
        assert list(csv_table.rates.values_list(*fields)) == list(xlsx_table.rates.values_list(*fields))


def test_a_faulty_file_is_refused_with_every_fault_listed_and_nothing_applied(acme):
    faulty = "\n".join(
        [
            HEADER,
            "336;Mobile;FR_MOBILE;VOICE;HOME;0,15;MIN;60;1;0;2026-10-01",
            "336;Mobile bis;FR_MOBILE;VOICE;HOME;0,16;MIN;60;1;0;2026-10-01",
            "34;Espagne;INTL_1;VOICE;HOME;abc;MIN;60;60;0;2026-10-01",
            "35;Portugal;INTL_1;VOICE;HOME;0,3;SECOND;60;60;0;2026-10-01",
        ]
    ).encode()
    with in_schema(acme):
        table = rate_table_create(data={"code": "BAD", "label": "Bad"}, by=None)
        with pytest.raises(ApplicationError) as caught:
            rate_table_import(
                today=timezone.localdate(), table=table, data=faulty, filename="bad.csv", by=None
            )
        errors = {(e["line"], e["column"]) for e in caught.value.extra["errors"]}
        assert errors == {(3, "PREFIX"), (4, "PRICE"), (5, "UNIT")}
        reasons = " ".join(e["reason"] for e in caught.value.extra["errors"])
        assert "ligne 2" in reasons and "abc" in reasons and "SECOND" in reasons
        assert table.rates.count() == 0 and not RateTableUpload.objects.filter(table=table).exists()


def test_a_file_missing_a_required_column_is_refused(acme):
    data = b"PREFIX;DESTINATION;ZONE;EVENT_TYPE;UNIT\n33;France;FR;VOICE;MIN\n"
    with in_schema(acme):
        table = rate_table_create(data={"code": "NOPRICE", "label": "x"}, by=None)
        with pytest.raises(ApplicationError) as caught:
            rate_table_import(today=timezone.localdate(), table=table, data=data, filename="x.csv", by=None)
        assert caught.value.extra["errors"] == [
            {"line": 1, "column": "PRICE", "reason": "colonne obligatoire absente de l’en-tête"}
        ]


def test_the_parser_reads_any_order_any_case_cp1252_and_checks_the_trailer():
    columns = [Column("NAME", required=True), Column("AMOUNT", decimal_reader(), required=True)]
    data = "\r\nextra;amount;Name\r\nx;1.5;Café\r\n\r\nx;2,25;Thé\r\nTRAILER;2\r\n".encode("cp1252")
    from offers.parsing import FeedProfile

    result = read_feed(data, columns=columns, profile=FeedProfile(encoding="cp1252"))
    assert [r.values for r in result.rows] == [
        {"NAME": "Café", "AMOUNT": Decimal("1.5")},
        {"NAME": "Thé", "AMOUNT": Decimal("2.25")},
    ]
    with pytest.raises(FeedFileError):
        read_feed(b"NAME;AMOUNT\nx;1\nTRAILER;5\n", columns=columns)


def test_versions_by_valid_from_show_the_rows_in_force_at_a_date(acme, load_sample_table):
    table = load_sample_table(acme)
    newer = (HEADER + "\n336;Mobile France;FR_MOBILE;VOICE;HOME;0,12;MIN;60;1;0;2026-11-01\n").encode()
    with in_schema(acme):
        rate_table_import(today=timezone.localdate(), table=table, data=newer, filename="nov.csv", by=None)
        october = rate_list_in_force(table=table, on=dt.date(2026, 10, 15), prefix="336").get()
        november = rate_list_in_force(table=table, on=dt.date(2026, 11, 2), prefix="336").get()
        assert (october.price, november.price) == (Decimal("0.15"), Decimal("0.12"))
        assert rate_list_in_force(table=table, on=dt.date(2026, 9, 30)).count() == 0
        assert rate_list_in_force(table=table, on=dt.date(2026, 11, 2)).count() == 22


def test_export_to_csv_and_xlsx_loads_back_identically(acme, load_sample_table):
    table = load_sample_table(acme)
    with in_schema(acme):
        for file_format in ("csv", "xlsx"):
            content, name, _type = rate_table_export(table=table, file_format=file_format)
            copy = rate_table_create(data={"code": f"BACK-{file_format}", "label": "x"}, by=None)
            rate_table_import(today=timezone.localdate(), table=copy, data=content, filename=name, by=None)
            fields = (
                "prefix",
                "event_type",
                "origin_zone",
                "price",
                "connection_fee",
                "valid_from",
                "destination",
            )
            assert list(copy.rates.values_list(*fields)) == list(table.rates.values_list(*fields))
        workbook = load_workbook(io.BytesIO(rate_table_export(table=table, file_format="xlsx")[0]))
        assert workbook.active["A1"].value == "PREFIX"


def test_copy_and_markup_derive_prices_with_explicit_rows_overriding(acme, make_user, load_sample_table):
    admin = make_user(acme, "admin")
    base = load_sample_table(acme)
    with in_schema(acme):
        copy = rate_table_copy(table=base, code="COPY", label="Copie", by=admin)
        assert copy.rates.count() == base.rates.count()
        markup = rate_table_create(
            data={
                "code": "MARKUP",
                "label": "Revente",
                "kind": "markup",
                "base_table": base,
                "markup_fixed": Decimal("0.01"),
                "markup_percent": Decimal("50"),
            },
            by=admin,
        )
        rate_save(
            table=markup,
            rate=None,
            by=admin,
            data={
                "prefix": "34",
                "destination": "Espagne promo",
                "zone": "INTL_1",
                "event_type": "VOICE",
                "origin_zone": "HOME",
                "price": Decimal("0.05"),
                "unit": "MIN",
                "first_increment": 60,
                "next_increment": 60,
                "connection_fee": Decimal(0),
                "valid_from": dt.date(2026, 10, 1),
            },
        )
        compiled = compiled_table_for(table=markup, on=dt.date(2026, 10, 10))
        from offers.rating import rate_event

        mobile = rate_event(compiled, event_type="VOICE_MO", called="33612345678", duration_s=60)
        spain = rate_event(compiled, event_type="VOICE_MO", called="34912345678", duration_s=60)
        assert mobile.amount_e4 == 2400  # (0.15 + 0.01) × 1.5
        assert (spain.destination, spain.amount_e4) == ("Espagne promo", 500)
        assert AuditEvent.objects.filter(action="rate_table.copied").exists()
        assert AuditEvent.objects.filter(action="rate.created").exists()


def test_a_duplicate_row_key_cannot_be_saved_from_the_pages(acme, load_sample_table):
    table = load_sample_table(acme)
    with in_schema(acme):
        existing = Rate.objects.get(table=table, prefix="34")
        with pytest.raises(ApplicationError):
            rate_save(
                table=table,
                rate=None,
                by=None,
                data={
                    "prefix": "34",
                    "destination": "x",
                    "zone": "INTL_1",
                    "event_type": "VOICE",
                    "origin_zone": "HOME",
                    "price": Decimal("1"),
                    "unit": "MIN",
                    "first_increment": 60,
                    "next_increment": 60,
                    "connection_fee": Decimal(0),
                    "valid_from": existing.valid_from,
                },
            )
        assert RateTable.objects.filter(code="GRILLE").exists()


def test_a_vno_imports_the_operators_wholesale_table_and_a_markup_table_derives_from_it(
    nova, sample_table_bytes
):
    from offers.rating import rate_event
    from offers.services import wholesale_table_import

    with in_schema(nova):
        upload = wholesale_table_import(
            today=timezone.localdate(),
            data=sample_table_bytes,
            filename="Tables tarifaires/ORIGYNE_202610.csv",
            by=None,
        )
        wholesale = upload.table
        assert wholesale.kind == "wholesale" and wholesale.rates.count() == 22
        retail = rate_table_create(
            data={
                "code": "VENTE",
                "label": "Vente",
                "kind": "markup",
                "base_table": wholesale,
                "markup_fixed": Decimal("0"),
                "markup_percent": Decimal("100"),
            },
            by=None,
        )
        compiled = compiled_table_for(table=retail, on=dt.date(2026, 10, 5))
        assert (
            rate_event(compiled, event_type="VOICE_MO", called="212612345678", duration_s=60).amount_e4
            == 24000
        )
        with pytest.raises(ApplicationError):
            wholesale_table_import(
                today=timezone.localdate(), data=sample_table_bytes, filename="x.csv", by=None, code="VENTE"
            )
