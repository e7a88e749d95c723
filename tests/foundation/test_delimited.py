"""core.delimited: the streaming feed reader and the formula-safe writers."""

import csv
import io
import tracemalloc
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.delimited import (
    Column,
    FeedFileError,
    FeedProfile,
    decimal_reader,
    int_reader,
    open_feed,
    read_feed,
    write_csv,
    write_xlsx,
)

COLUMNS = [Column("NAME", required=True, required_value=True), Column("AMOUNT", decimal_reader())]
FORMULAS = ["=1+1", '=HYPERLINK("x")', "@SUM(A1)", "+33612345678", "-2+3", "\tx", "\rx"]


def test_rows_stream_from_a_file_object_with_line_numbers_and_bare_cr_lines(tmp_path):
    data = "\ufeffname;amount\r\nA;1,5\rB;2\n\nC;x\r\nTRAILER;3\r\n".encode()
    path = tmp_path / "feed.csv"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        with open_feed(source, columns=COLUMNS, filename="feed.csv") as reader:
            got = [
                (row.line, row.values, [(e.line, e.column, e.file) for e in errors]) for row, errors in reader
            ]
        assert got == [
            (2, {"NAME": "A", "AMOUNT": Decimal("1.5")}, []),
            (3, {"NAME": "B", "AMOUNT": Decimal("2")}, []),
            (5, {"NAME": "C", "AMOUNT": None}, [(5, "AMOUNT", "feed.csv")]),
        ]


def test_cp1252_when_the_profile_says_so_and_encoding_faults_name_the_file_and_byte():
    data = "NAME;AMOUNT\r\nThé;1\r\n".encode("cp1252")
    result = read_feed(data, columns=COLUMNS, profile=FeedProfile(encoding="cp1252"))
    assert [r.values["NAME"] for r in result.rows] == ["Thé"]
    # Issue #10: a UTF-8 profile now falls back to cp1252 (Excel's default) and names a faulty line.
    assert [r.values["NAME"] for r in read_feed(data, columns=COLUMNS, filename="x.csv").rows] == ["Thé"]
    mixed = "NAME;AMOUNT\r\nThé;1\r\n".encode() + "Thé;2\r\n".encode("cp1252")
    with pytest.raises(FeedFileError) as caught:
        read_feed(mixed, columns=COLUMNS, filename="x.csv")
    assert caught.value.file == "x.csv" and caught.value.errors[0].line == 3


def test_a_truncated_file_is_refused_once_its_trailer_is_reached():
    data = b"NAME;AMOUNT\r\nA;1\r\nTRAILER;2\r\n"
    with pytest.raises(FeedFileError) as caught:
        read_feed(data, columns=COLUMNS, filename="t.csv")
    assert [(e.line, e.column) for e in caught.value.errors] == [(3, "TRAILER")]
    with pytest.raises(FeedFileError):  # a missing column, before any row
        read_feed(b"AMOUNT\r\n1\r\n", columns=COLUMNS)


def test_reading_holds_one_row_at_a_time():
    rows = 50_000
    data = ("NAME;AMOUNT\r\n" + "".join(f"name {i:06d};{i},25\r\n" for i in range(rows))).encode()
    tracemalloc.start()
    with open_feed(io.BytesIO(data), columns=[Column("NAME"), Column("AMOUNT", int_reader())]) as reader:
        count = sum(1 for _ in reader)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == rows
    # Holding the rows would take tens of megabytes; one row at a time, far below one.
    assert peak < 1_000_000, peak


def test_csv_writes_formula_like_text_inert_and_numbers_as_numbers():
    rows = [[text, Decimal("-12.5"), "-12.5"] for text in FORMULAS]
    content = write_csv(["LABEL", "AMOUNT", "NUMERIC"], rows, numeric={"NUMERIC"}).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(content, newline=""), delimiter=";"))
    assert [r[0] for r in read[1:]] == ["'" + text for text in FORMULAS]
    assert {(r[1], r[2]) for r in read[1:]} == {("-12,5", "-12.5")}
    assert write_csv(["A"], [["plain"], ["33612345678"]]).decode("utf-8-sig").splitlines()[1:] == [
        "plain",
        "33612345678",
    ]


def test_xlsx_writes_formula_like_text_as_string_cells_and_numbers_as_numbers():
    rows = [[text, -12.5, "-12.5", Decimal("0.15")] for text in FORMULAS]
    content = write_xlsx(["LABEL", "AMOUNT", "TEXT_NUMBER", "PRICE"], rows, numeric={"AMOUNT", "TEXT_NUMBER"})
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    body = list(sheet.iter_rows(min_row=2))
    assert [(c[0].value, c[0].data_type) for c in body] == [(text, "s") for text in FORMULAS]
    assert {(c[1].value, c[1].data_type, c[2].value, c[2].data_type) for c in body} == {
        (-12.5, "n", -12.5, "n")
    }
    # Decimals of a column not declared numeric stay exact text, as before.
    assert {(c[3].value, c[3].data_type) for c in body} == {("0.15", "s")}
