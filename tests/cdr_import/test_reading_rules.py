"""Reading rules of the CDR files: samples, encodings, separators, exact reasons, both readers alike."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from cdr_import.models import Cdr, Import, RejectedRow
from cdr_import.services import import_file
from core.delimited import FeedProfile
from tests.cdr_import.conftest import NOW, SAMPLES, store_fingerprint, write_rated_file
from tests.conftest import in_schema

RATED = "RatedCDRs_MOBILE_ACME_20261021143000.csv"
BILLED = "BilledCDRs_MOBILE_ACME_202610.csv"
HEADER = (
    "CDR_ID;EVENT_TYPE;MSISDN;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;ROAMING_COUNTRY;WHOLESALE_COST"
)


def _import(path, **kwargs):
    return import_file(path=path, source="command", by=None, now=NOW, **kwargs)


def test_every_cdr_sample_imports_with_its_counts(acme_lines, nova_lines):
    with in_schema(acme_lines):
        rated = _import(SAMPLES / RATED)
        billed = _import(SAMPLES / BILLED)
        assert (rated.status, rated.rows, rated.imported, rated.rejected, rated.unknown_line) == (
            "done",
            126,
            126,
            0,
            0,
        )
        assert (billed.status, billed.rows, billed.imported, billed.known, billed.corrected) == (
            "done",
            126,
            0,
            125,
            1,
        )
        assert rated.timings["reader"] == "fast" and "total" in rated.timings
    with in_schema(nova_lines):
        vga = _import(SAMPLES / "RatedCDRs_VGA_NOVA_20261021.csv")
        assert (vga.status, vga.family, vga.rows, vga.imported) == ("done", "VGA", 30, 30)


def test_other_samples_go_to_their_feed_type(acme_lines):
    with in_schema(acme_lines):
        for name, feed_type in (
            ("AccountStatus_ACME_20261021150000.csv", "account_status"),
            ("SIM_ACME_CMD-000042.csv", "sim"),
            ("grille_minutes_ACME_20261001.csv", "rate_table"),
        ):
            imp = _import(SAMPLES / name)
            assert imp.feed_type == feed_type and imp.is_finished, (name, imp.status, imp.reason)


def test_the_general_reader_gives_the_same_store_as_the_fast_one(acme_lines, tmp_path):
    """A quote anywhere sends the whole file through the general reader: same CDRs, same counts."""
    from tests.cdr_import.conftest import MOBILE_NUMBERS

    plain = write_rated_file(
        tmp_path / "RatedCDRs_MOBILE_ACME_20261030120000.csv", rows=3000, numbers=MOBILE_NUMBERS
    )
    quoted_dir = tmp_path / "q"
    quoted_dir.mkdir()
    quoted = quoted_dir / plain.name
    text = plain.read_text()
    quoted.write_text(text.replace("GEN-000000001;", '"GEN-000000001";', 1))
    with in_schema(acme_lines):
        fast = _import(plain)
        fast_store = store_fingerprint()
        assert fast.timings["reader"] == "fast"
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE cdr_import_cdr, cdr_import_cdr_identity")
        Import.objects.all().delete()
        general = _import(quoted)
        assert general.timings["reader"] == "general"
        assert store_fingerprint() == fast_store
        keys = ("rows", "imported", "known", "unrated", "unknown_line", "rejected")
        assert [getattr(general, k) for k in keys] == [getattr(fast, k) for k in keys]


def test_rating_on_import_is_the_engines_rate_cdrs(acme_lines, tmp_path):
    """The stored amounts are what `rate_cdrs` gives for the same CDRs, line by line in time order."""
    from cdr_import.services import _line_rating
    from offers.rating import rate_cdrs
    from tests.cdr_import.conftest import MOBILE_NUMBERS

    path = write_rated_file(
        tmp_path / "RatedCDRs_MOBILE_ACME_20261030120000.csv", rows=4000, numbers=MOBILE_NUMBERS
    )
    with in_schema(acme_lines):
        _import(path)
        rating = _line_rating("MOBILE")
        stored = list(
            Cdr.objects.order_by("start_time", "cdr_id").values_list(
                "line_ref", "start_time", "event_type", "called_number", "roaming_country", "duration_s",
                "volume_bytes", "wholesale_cost", "rated_amount", "rating_status", "allowance_used",
            )
        )  # fmt: skip
        from cdr_import.store import PARIS

        by_group: dict = {}
        for row in stored:
            by_group.setdefault(rating.lines[row[0]][2], []).append(row)
        usage: dict = {}
        for key, rows in by_group.items():
            cdrs = [(r[0], r[1].astimezone(PARIS), r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows]
            results = rate_cdrs(
                cdrs,
                table_on=rating.table_on(key[0]),
                allowances=rating.allowances[key],
                usage_by_period=usage,
            )
            for row, rated in zip(rows, results, strict=True):
                assert (row[8] * 10000, row[9], row[10]) == (
                    rated.amount_e4,
                    rated.status,
                    rated.allowance_used,
                )


def test_cp1252_profile_and_decimal_point(acme_lines, tmp_path, monkeypatch):
    from cdr_import import profiles

    monkeypatch.setitem(
        profiles.PROFILES, "win-1252", FeedProfile(delimiter=";", encoding="cp1252", decimal_mark=".")
    )
    path = tmp_path / "RatedCDRs_MOBILE_ACME_20261002120000.csv"
    header = HEADER + ";DESTINATION_LABEL"
    path.write_bytes(
        f"{header}\r\nW1;VOICE_MO;33750001000;2026-10-02 10:00:00;60;0;33612345678;;0.0123;Médiathèque\r\n"
        "TRAILER;1\r\n".encode("cp1252")
    )
    with in_schema(acme_lines):
        imp = _import(path, profile="win-1252")
        assert (imp.status, imp.imported) == ("done", 1)
        cdr = Cdr.objects.get(cdr_id="W1")
        assert cdr.destination_label == "Médiathèque" and str(cdr.wholesale_cost) == "0.012300"


def test_a_utf8_file_that_is_cp1252_is_read_as_cp1252(acme_lines, tmp_path):
    path = tmp_path / "RatedCDRs_MOBILE_ACME_20261002120000.csv"
    header = HEADER + ";DESTINATION_LABEL"
    path.write_bytes(
        f"{header}\nW2;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;33612345678;;0,01;Réseau\n".encode("cp1252")
    )
    with in_schema(acme_lines):
        imp = _import(path)
        assert (imp.status, imp.imported, imp.timings["reader"]) == ("done", 1, "general")
        assert Cdr.objects.get(cdr_id="W2").destination_label == "Réseau"


def test_bad_rows_give_exact_reasons(acme_lines, tmp_path):
    rows = [
        "B1;VOICE_MO;33750001000;2026-10-02 10:00:00;abc;0;33612345678;;0,01",
        "B2;FAX;33750001000;2026-10-02 10:00:00;60;0;33612345678;;0,01",
        "B3;VOICE_MO;33750001000;2026-13-02 10:00:00;60;0;33612345678;;0,01",
        "B4;VOICE_MO;33750001000;2026-10-02 10:00:00;;0;33612345678;;0,01",
        "B5;DATA;33750001000;2026-10-02 10:00:00;0;;;;0,01",
        "B6;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;;;0,01",
        "B7;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;33612345678;ESP;0,01",
        "B8;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;33612345678;;0,0000001",
        "B9;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;33612345678;;",
        "B10;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;33612345678;",
        ";SMS_MO;33750001000;2026-10-02 10:00:00;0;0;33612345678;;0,01",
        "B12;SMS_MO;0750001000;2026-10-02 10:00:00;0;0;33612345678;;0,01",
    ]
    path = tmp_path / "RatedCDRs_MOBILE_ACME_20261002120000.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with in_schema(acme_lines):
        imp = _import(path)
        found = {(r.line, r.field): r.reason for r in RejectedRow.objects.filter(feed_import=imp)}
        assert found == {
            (2, "DURATION_S"): "“abc” is not a whole number",
            (
                3,
                "EVENT_TYPE",
            ): "unknown value “FAX” (expected one of VOICE_MO, VOICE_MT, VOICE_FWD, SMS_MO, SMS_MT, MMS_MO, DATA)",
            (4, "START_TIME"): "“2026-13-02 10:00:00” is not a date and time (YYYY-MM-DD HH:MM:SS)",
            (5, "DURATION_S"): "a duration is required for a call",
            (6, "VOLUME_BYTES"): "a volume is required for data",
            (7, "CALLED_NUMBER"): "a called number is required for calls, SMS and MMS",
            (8, "ROAMING_COUNTRY"): "“ESP” is not a country code (ISO 3166, two letters)",
            (9, "WHOLESALE_COST"): "at most 6 decimals",
            (10, "WHOLESALE_COST"): "a value is required",
            (
                11,
                "",
            ): "the line has 8 cells but the header has 9 columns: a cell or a separator is missing or one too many",
            (12, "CDR_ID"): "a value is required",
        }
        assert (imp.status, imp.rows, imp.rejected, imp.imported) == ("done_with_rejections", 12, 11, 1)
        assert Cdr.objects.get(cdr_id="B12").line_ref == "33750001000"  # national form normalised
        raw = RejectedRow.objects.get(feed_import=imp, line=2).raw
        assert raw == rows[0]


def test_a_row_with_a_tab_or_backslash_is_stored_as_written(acme_lines, tmp_path):
    path = tmp_path / "RatedCDRs_MOBILE_ACME_20261002120000.csv"
    header = HEADER + ";DESTINATION_LABEL"
    path.write_text(f"{header}\nT1;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;33612345678;;0,01;a\\b\tc\n")
    with in_schema(acme_lines):
        assert _import(path).imported == 1
        assert Cdr.objects.get(cdr_id="T1").destination_label == "a\\b\tc"


def test_times_around_the_change_of_time_are_paris_times(acme_lines, tmp_path):
    path = tmp_path / "RatedCDRs_MOBILE_ACME_20261025120000.csv"
    path.write_text(
        f"{HEADER}\nZ1;SMS_MO;33750001000;2026-10-25 01:30:00;0;0;33612345678;;0,01\n"
        "Z2;SMS_MO;33750001000;2026-10-25 02:30:00;0;0;33612345678;;0,01\n"
        "Z3;SMS_MO;33750001000;2026-10-25 03:30:00;0;0;33612345678;;0,01\n"
        "Z4;SMS_MO;33750001000;2026-10-02T10:00:00+00:00;0;0;33612345678;;0,01\n"
    )
    with in_schema(acme_lines):
        _import(path)
        utc = {c.cdr_id: c.start_time.strftime("%d %H:%M") for c in Cdr.objects.all()}
        assert utc == {"Z1": "24 23:30", "Z2": "25 00:30", "Z3": "25 02:30", "Z4": "02 10:00"}


def test_blank_lines_and_a_missing_column_and_an_empty_file(acme_lines, tmp_path):
    with in_schema(acme_lines):
        path = tmp_path / "RatedCDRs_MOBILE_ACME_20261002120000.csv"
        path.write_text(
            f"\n{HEADER}\n\n;;;;;;;;\nE1;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;336;;0,01\n\nTRAILER;1\n"
        )
        assert (_import(path).status, Cdr.objects.count()) == ("done", 1)
        other = tmp_path / "RatedCDRs_MOBILE_ACME_20261003120000.csv"
        other.write_text(
            HEADER.replace(";WHOLESALE_COST", "") + "\nE2;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;336;\n"
        )
        missing = _import(other)
        assert missing.status == "rejected" and "WHOLESALE_COST" in missing.reason
        empty = tmp_path / "RatedCDRs_MOBILE_ACME_20261004120000.csv"
        empty.write_text("\n\n")
        assert _import(empty).status == "rejected"


def test_import_feed_prints_one_json_line_per_file(acme_lines, tmp_path):
    shutil.copy(SAMPLES / RATED, tmp_path / RATED)
    shutil.copy(SAMPLES / BILLED, tmp_path / BILLED)
    out = StringIO()
    call_command("import_feed", "--tenant", "acme", str(tmp_path / RATED), str(tmp_path / BILLED), stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    keys = [
        "file",
        "import_id",
        "status",
        "rows",
        "imported",
        "known",
        "corrected",
        "rejected",
        "unrated",
        "unknown_line",
    ]
    assert [list(line) for line in lines] == [keys, keys]
    assert lines[0]["file"] == str(tmp_path / RATED) and lines[0]["imported"] == 126
    assert (lines[1]["known"], lines[1]["corrected"], lines[1]["imported"]) == (125, 1, 0)
    again = StringIO()
    call_command("import_feed", "--tenant", "acme", "--type", "rated", str(tmp_path / RATED), stdout=again)
    assert json.loads(again.getvalue())["status"] == "duplicate"
    with pytest.raises(Exception, match="no customer"):
        call_command(
            "import_feed", "--tenant", "acme", "--customer", "NOPE", str(tmp_path / RATED), stdout=StringIO()
        )
