"""The import pipeline: samples, identity rules, faults, duplicates, rating of unknown lines."""

import shutil

import pytest

from cdr_import.models import Cdr, ImportStatus, RejectedRow
from cdr_import.services import import_file
from tests.cdr_import.conftest import NOW, SAMPLES
from tests.conftest import in_schema

RATED = "RatedCDRs_MOBILE_ACME_20261021143000.csv"
BILLED = "BilledCDRs_MOBILE_ACME_202610.csv"


def _import(path, **kwargs):
    return import_file(path=path, source="command", by=None, now=NOW, **kwargs)


def counts(imp):
    return {
        k: getattr(imp, k)
        for k in ("status", "rows", "imported", "known", "corrected", "rejected", "unrated", "unknown_line")
    }


def test_rated_sample_imports_every_cdr_rated(acme_lines):
    with in_schema(acme_lines):
        imp = _import(SAMPLES / RATED)
        assert counts(imp) == {
            "status": "done", "rows": 126, "imported": 126, "known": 0, "corrected": 0,
            "rejected": 0, "unrated": imp.unrated, "unknown_line": 0,
        }  # fmt: skip
        assert imp.feed_type == "rated" and imp.family == "MOBILE" and imp.flow == "ACME"
        assert Cdr.objects.count() == 126
        assert Cdr.objects.filter(rated_import=imp, mobile_line__isnull=False).count() == 126
        assert RATED[:-4] in imp.archived_file.name


def test_the_same_file_twice_is_a_duplicate_with_no_effect(acme_lines, tmp_path):
    with in_schema(acme_lines):
        first = _import(SAMPLES / RATED)
        copy = tmp_path / "RatedCDRs_MOBILE_ACME_20261021160000.csv"
        shutil.copy(SAMPLES / RATED, copy)
        second = _import(copy)
        assert second.status == ImportStatus.DUPLICATE and second.duplicate_of == first
        assert f"#{first.pk}" in second.reason
        assert Cdr.objects.count() == 126


def test_billed_file_confirms_and_corrects_the_rated_cdrs_never_doubles(acme_lines):
    with in_schema(acme_lines):
        _import(SAMPLES / RATED)
        billed = _import(SAMPLES / BILLED)
        assert counts(billed) == {
            "status": "done", "rows": 126, "imported": 0, "known": 125, "corrected": 1,
            "rejected": 0, "unrated": billed.unrated, "unknown_line": 0,
        }  # fmt: skip
        assert Cdr.objects.count() == 126
        fixed = Cdr.objects.get(cdr_id="ORG-M-202610000004")
        assert fixed.corrected_by_billed and str(fixed.wholesale_cost) == "0.186300"
        assert Cdr.objects.filter(billed_by_operator=True, billing_period="2026-10").count() == 126
        assert not Cdr.objects.filter(not_billed_by_operator=True).exists()


def test_rated_cdr_missing_from_the_billed_file_is_flagged(acme_lines, tmp_path):
    with in_schema(acme_lines):
        _import(SAMPLES / RATED)
        lines = (SAMPLES / BILLED).read_bytes().split(b"\r\n")
        body = [
            row for row in lines[1:] if row and not row.startswith(b"TRAILER") and b"202610000007;" not in row
        ]
        billed = tmp_path / BILLED
        billed.write_bytes(b"\r\n".join([lines[0], *body, b"TRAILER;%d" % len(body), b""]))
        done = _import(billed)
        assert done.known + done.corrected == 125
        flagged = Cdr.objects.filter(not_billed_by_operator=True)
        assert [c.cdr_id for c in flagged] == ["ORG-M-202610000007"]


def test_a_truncated_trailer_rejects_the_whole_file(acme_lines, tmp_path):
    text = (SAMPLES / RATED).read_text().replace("TRAILER;126", "TRAILER;130")
    path = tmp_path / RATED
    path.write_text(text)
    with in_schema(acme_lines):
        imp = _import(path)
        assert imp.status == ImportStatus.REJECTED and "truncated" in imp.reason
        assert Cdr.objects.count() == 0
        row = RejectedRow.objects.get(feed_import=imp)
        assert (row.line, row.field) == (128, "TRAILER")


def test_bad_rows_are_kept_with_line_field_and_reason_the_others_imported(acme_lines, tmp_path):
    header = "CDR_ID;EVENT_TYPE;MSISDN;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;WHOLESALE_COST"
    rows = [
        "X1;VOICE_MO;33750001000;2026-10-02 10:00:00;60;0;33612345678;0,01",
        "X2;VOICE_MO;33750001000;2026-10-02 10:01:00;abc;0;33612345678;0,01",
        "X3;FAX;33750001000;2026-10-02 10:02:00;60;0;33612345678;0,01",
        "X4;VOICE_MO;33750001000;not a date;60;0;33612345678;0,01",
        "X5;VOICE_MO;33750001000;2026-10-02 10:03:00;;0;33612345678;0,01",
        "X6;DATA;33750001000;2026-10-02 10:04:00;0;2048;;0.02",
    ]
    path = tmp_path / "RatedCDRs_MOBILE_ACME_20261002120000.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with in_schema(acme_lines):
        imp = _import(path)
        assert (imp.status, imp.rows, imp.imported, imp.rejected) == ("done_with_rejections", 6, 2, 4)
        found = {(r.line, r.field): r.reason for r in RejectedRow.objects.filter(feed_import=imp)}
        assert set(found) == {(3, "DURATION_S"), (4, "EVENT_TYPE"), (5, "START_TIME"), (6, "DURATION_S")}
        assert "abc" in found[(3, "DURATION_S")]
        assert "not a date" in found[(5, "START_TIME")]
        assert str(Cdr.objects.get(cdr_id="X6").wholesale_cost) == "0.020000"


def test_bom_crlf_decimal_point_and_comma_are_read_alike(acme_lines, tmp_path):
    data = (SAMPLES / RATED).read_bytes()
    variant = b"\xef\xbb\xbf" + data.replace(b"\r\n", b"\n").replace(b";0,0295", b";0.0295")
    path = tmp_path / RATED
    path.write_bytes(variant)
    with in_schema(acme_lines):
        imp = _import(path)
        assert (imp.status, imp.imported) == ("done", 126)
        assert str(Cdr.objects.get(cdr_id="ORG-M-202610000001").wholesale_cost) == "0.029500"


def test_duplicate_ids_within_and_across_files_are_stored_once(acme_lines, tmp_path):
    header = "CDR_ID;EVENT_TYPE;MSISDN;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;WHOLESALE_COST"
    one = tmp_path / "RatedCDRs_MOBILE_ACME_20261002120000.csv"
    one.write_text(
        f"{header}\nD1;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;33612345678;0,01\n"
        "D1;SMS_MO;33750001000;2026-10-02 10:00:00;0;0;33612345678;0,01\n"
    )
    two = tmp_path / "RatedCDRs_MOBILE_ACME_20261102120000.csv"
    # Same id, another month: still the same CDR (identity across partitions).
    two.write_text(
        f"{header}\nD1;SMS_MO;33750001000;2026-11-02 10:00:00;0;0;33612345678;0,01\n"
        "D2;SMS_MO;33750001000;2026-11-02 10:00:00;0;0;33612345678;0,01\n"
    )
    with in_schema(acme_lines):
        first = _import(one)
        second = _import(two)
        assert (first.imported, first.known) == (1, 1)
        assert (second.imported, second.known) == (1, 1)
        assert sorted(Cdr.objects.values_list("cdr_id", flat=True)) == ["D1", "D2"]


def test_cdrs_of_unknown_lines_are_kept_then_rated_when_the_line_appears(acme, tmp_path):
    from cdr_import.services import cdr_rate_unknown_lines
    from tests.cdr_import.conftest import make_lines

    with in_schema(acme):
        make_lines(["33750001000"])
        imp = _import(SAMPLES / RATED)
        assert imp.unknown_line == 101 and imp.imported == 126
        assert Cdr.objects.filter(unknown_line=True, rating_status="pending").count() == 101
        make_lines(["33750001001", "33750001002", "33750001003", "33750001004", "33750001005"])
        assert cdr_rate_unknown_lines(by=None, now=NOW) == 101
        assert not Cdr.objects.filter(unknown_line=True).exists()
        assert not Cdr.objects.filter(rating_status="pending").exists()


def test_vga_sample_imports_against_fixed_numbers(nova_lines):
    with in_schema(nova_lines):
        imp = _import(SAMPLES / "RatedCDRs_VGA_NOVA_20261021.csv")
        assert (imp.status, imp.family, imp.rows, imp.imported, imp.unknown_line) == (
            "done",
            "VGA",
            30,
            30,
            0,
        )
        assert Cdr.objects.filter(family="VGA", fixed_number__isnull=False).count() == 30


def test_an_unknown_name_is_rejected_with_that_reason(acme_lines, tmp_path):
    path = tmp_path / "something.csv"
    shutil.copy(SAMPLES / RATED, path)
    with in_schema(acme_lines):
        imp = _import(path)
        assert imp.status == ImportStatus.REJECTED and "something.csv" in imp.reason


def test_a_feed_type_without_its_handler_is_rejected_as_not_handled_yet(acme_lines, monkeypatch):
    from cdr_import import hooks

    monkeypatch.delitem(hooks._HANDLERS, "account_status")  # handled by provisioning: test_lower_feeds
    with in_schema(acme_lines):
        imp = _import(SAMPLES / "AccountStatus_ACME_20261021150000.csv")
        assert imp.feed_type == "account_status"
        assert imp.status == ImportStatus.REJECTED and "not handled yet" in imp.reason


def test_an_interrupted_import_is_taken_up_again_with_the_same_result(acme_lines, monkeypatch):
    from cdr_import import services

    with in_schema(acme_lines):
        calls = {"n": 0}
        original = services._after_cdrs_stored

        def crash(*args, **kwargs):
            calls["n"] += 1
            original(*args, **kwargs)
            raise RuntimeError("worker killed")

        monkeypatch.setattr(services, "_after_cdrs_stored", crash)
        with pytest.raises(RuntimeError):
            _import(SAMPLES / RATED)
        assert Cdr.objects.count() == 0  # the file's transaction rolled back whole
        monkeypatch.setattr(services, "_after_cdrs_stored", original)
        again = _import(SAMPLES / RATED)
        assert calls["n"] == 1
        assert (again.status, again.imported, again.known) == ("done", 126, 0)
        assert Cdr.objects.count() == 126


def test_imports_and_cdrs_of_acme_are_invisible_from_nova(acme_lines, nova):
    from cdr_import.models import Import

    with in_schema(acme_lines):
        imp = _import(SAMPLES / RATED)
    with in_schema(nova):
        assert not Import.objects.filter(pk=imp.pk).exists()
        assert Cdr.objects.count() == 0


def test_known_ids_are_found_whatever_the_range_of_the_file_s_ids(acme_lines, tmp_path):
    """The sender first asks whether any stored id lies within the chunk's id range (one probe),
    then probes each id only if so: new ids beside, between and around stored ones."""
    header = "CDR_ID;EVENT_TYPE;MSISDN;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;WHOLESALE_COST"

    def rated(name, ids):
        path = tmp_path / f"RatedCDRs_MOBILE_ACME_202610{name}.csv"
        path.write_text(
            header
            + "\n"
            + "".join(f"{i};SMS_MO;33750001000;2026-10-02 10:00:00;0;0;33612345678;0,01\n" for i in ids)
        )
        return _import(path)

    with in_schema(acme_lines):
        assert rated("02120000", ["R-05", "R-20", "S-01"]).imported == 3
        beside = rated("02130000", ["R-10", "R-15"])  # nothing stored in R-10..R-15
        assert (beside.imported, beside.known) == (2, 0)
        around = rated("02140000", ["R-01", "R-30"])  # R-05, R-20 (… R-15) stored between, not in it
        assert (around.imported, around.known) == (2, 0)
        mixed = rated("02150000", ["Q-99", "R-20", "T-00"])
        assert (mixed.imported, mixed.known) == (2, 1)
        alone = rated("02160000", ["S-01"])
        assert (alone.imported, alone.known) == (0, 1)
        assert Cdr.objects.count() == 9
