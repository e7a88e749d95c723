"""Rating files: `rate_events` streams in bounded memory; exports write text cells inert."""

import datetime as dt
import io
import json
import tracemalloc

from django.core.management import call_command
from openpyxl import load_workbook

from offers.selectors import rate_table_export
from offers.services import rate_table_create, rate_table_import
from tests.conftest import in_schema

HEADER = "CDR_ID;EVENT_TYPE;MSISDN;IMSI;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;ROAMING_COUNTRY;DESTINATION_LABEL;APN;WHOLESALE_COST"


class _Counting:
    """A stdout that keeps nothing: counts the lines and keeps the last one."""

    def __init__(self) -> None:
        self.lines = 0
        self.last = ""

    def write(self, text: str) -> None:
        self.lines += text.count("\n")
        self.last = text or self.last

    def flush(self) -> None:
        pass


def _cdr_file(path, rows: int) -> None:
    start = dt.datetime(2026, 10, 1)
    types = ["VOICE_MO", "SMS_MO", "DATA", "VOICE_MT"]
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\r\n")
        for i in range(rows):
            kind = types[i % 4]
            when = start + dt.timedelta(seconds=30 * i)
            out.write(
                f"C{i:08d};{kind};3375{i % 997:07d};;{when:%Y-%m-%d %H:%M:%S};{(i * 7) % 900 if 'VOICE' in kind else 0};"
                f"{i * 1013 if kind == 'DATA' else 0};{'' if kind == 'DATA' else '33612345678'};;;;0,0100\r\n"
            )


def test_rate_events_streams_a_large_file_in_bounded_memory(acme, load_sample_table, tmp_path):
    load_sample_table(acme, code="GRILLE")
    path = tmp_path / "RatedCDRs_big.csv"
    rows = 50_000
    _cdr_file(path, rows)
    out = _Counting()
    tracemalloc.start()
    call_command("rate_events", str(path), tenant="acme", table="GRILLE", stdout=out)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert out.lines == rows + 1 and json.loads(out.last)["summary"]["events"] == rows
    # Holding 50,000 parsed rows (and the file, its text, the results) takes well over 50 MB.
    assert peak < 15_000_000, peak


def test_a_formula_like_destination_is_uploaded_as_text_and_exported_inert(acme):
    header = "PREFIX;DESTINATION;ZONE;EVENT_TYPE;ORIGIN_ZONE;PRICE;UNIT;FIRST_INCREMENT;NEXT_INCREMENT;CONNECTION_FEE;VALID_FROM"
    data = f'{header}\r\n33;=1+1;FR;VOICE;HOME;0,10;MIN;60;60;0;2026-10-01\r\n34;"@SUM(A1)";ES;VOICE;HOME;0,2;MIN;60;60;0;2026-10-01\r\n'
    with in_schema(acme):
        table = rate_table_create(data={"code": "FORMULA", "label": "Formula"}, by=None)
        rate_table_import(
            table=table, data=data.encode(), filename="t.csv", by=None, today=dt.date(2026, 10, 1)
        )
        assert sorted(table.rates.values_list("destination", flat=True)) == ["=1+1", "@SUM(A1)"]
        content, _name, _type = rate_table_export(table=table, file_format="csv")
        lines = content.decode("utf-8-sig").splitlines()
        assert lines[1].split(";")[:2] == ["33", "'=1+1"] and lines[2].split(";")[:2] == ["34", "'@SUM(A1)"]
        content, _name, _type = rate_table_export(table=table, file_format="xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert [(row[1].value, row[1].data_type) for row in sheet.iter_rows(min_row=2)] == [
        ("=1+1", "s"),
        ("@SUM(A1)", "s"),
    ]
