"""The SVG charts and the streamed writers: accessible, French, inert."""

import io
from decimal import Decimal

import openpyxl

from core.delimited import iter_csv, iter_xlsx
from reports.charts import Point, bar_chart, line_chart


def test_a_bar_chart_is_an_accessible_svg_with_french_numbers():
    svg = bar_chart([Point("09/2026", Decimal("1234.5")), Point("<b>", Decimal(0))], title="Données & appels")
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert "<title id=" in svg and "<desc id=" in svg and "aria-labelledby=" in svg
    assert "Données &amp; appels" in svg and "&lt;b&gt;" in svg and "<b>" not in svg
    assert "09/2026 : 1\u00a0235" in svg  # the description and tooltip, grouped the French way
    assert "style=" not in svg and "<script" not in svg


def test_a_line_chart_draws_one_dot_per_point_and_survives_no_usage():
    svg = line_chart([Point(str(d), Decimal(0)) for d in range(1, 31)], title="Jours")
    assert svg.count("<circle") == 30 and "<polyline" in svg


def test_streamed_exports_keep_formulas_inert_and_numbers_numeric():
    rows = [['=HYPERLINK("x")', Decimal("12.5")]] * 1200
    chunks = list(iter_csv(["A", "B"], rows, numeric=["B"]))
    assert len(chunks) > 2 and chunks[0] == "\ufeffA;B\r\n".encode()
    assert b"'=HYPERLINK" in chunks[1] and b";12,5\r\n" in chunks[1]
    parts = list(iter_xlsx(["A", "B"], rows, numeric=["B"], chunk_rows=100))
    assert len(parts) > 2
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(parts))).active
    assert sheet.max_row == 1201
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == '=HYPERLINK("x")'
    assert sheet["B2"].value == 12.5
