"""Issues #9 and #10: rate-table uploads refuse hostile files clearly (never a 500) and say what is wrong."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from core.delimited import sheet_title, write_xlsx
from core.downloads import content_disposition
from core.errors import ApplicationError
from offers.models import RateTable
from offers.services import rate_table_create, rate_table_import
from tests.conftest import in_schema

HEADER = "PREFIX;DESTINATION;ZONE;EVENT_TYPE;ORIGIN_ZONE;PRICE;UNIT;FIRST_INCREMENT;NEXT_INCREMENT;CONNECTION_FEE;VALID_FROM"
ROW = "336;Mobile France;FR_MOBILE;VOICE;HOME;0,15;MIN;60;1;0,12;2026-10-01"


def _import(tenant, data: bytes, filename: str = "t.csv"):
    with in_schema(tenant):
        table = RateTable.objects.filter(code="UP").first() or rate_table_create(
            data={"code": "UP", "label": "Up"}, by=None
        )
        return rate_table_import(
            table=table, data=data, filename=filename, by=None, today=timezone.localdate()
        )


def _refusal(tenant, data: bytes, filename: str = "t.csv") -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        _import(tenant, data, filename)
    return caught.value


def _reasons(error: ApplicationError) -> str:
    return " ".join(str(e["reason"]) for e in error.extra["errors"])


def test_content_disposition_is_safe_for_quotes_newlines_and_accents():
    header = content_disposition('GRILLE"\r\nSet-Cookie: x=1.csv')
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="GRILLE_Set-Cookie: x=1.csv"')
    assert "filename*=UTF-8''GRILLE%22Set-Cookie%3A%20x%3D1.csv" in header
    assert "filename*=UTF-8''tarifs%20%C3%A9t%C3%A9.csv" in content_disposition("../tarifs été.csv")


def test_sheet_titles_lose_the_characters_a_sheet_name_cannot_hold():
    assert sheet_title("A/B:C*D?E[F]G\\H") == "A_B_C_D_E_F_G_H"
    assert sheet_title("'") == "Sheet1" and len(sheet_title("X" * 50)) == 31
    content = write_xlsx(["A"], [["1"]], title="GR/2026:[V]")
    assert load_workbook(io.BytesIO(content)).active.title == "GR_2026__V_"


def test_a_code_with_sheet_forbidden_characters_and_a_quote_exports_on_page_and_api(
    acme, make_user, client_for, api_for
):
    admin = make_user(acme, "admin")
    with in_schema(acme):
        table = RateTable.objects.create(code='GR/1:"X"?', label="Odd")
    page = client_for(acme, admin).get(f"/catalogue/rate-tables/{table.pk}/export.xlsx")
    assert page.status_code == 200 and load_workbook(io.BytesIO(page.content))
    assert (
        "filename*=UTF-8''GR%2F1%3A%22X%22%3F.xlsx" in page["Content-Disposition"]
        or page["Content-Disposition"].count('"') == 2
    )
    api = api_for(acme, admin).get(f"/api/v1/rate-tables/{table.pk}/export/", {"file_format": "xlsx"})
    assert api.status_code == 200 and api["Content-Disposition"].count('"') == 2


def test_a_nul_byte_is_refused_naming_the_line(acme):
    error = _refusal(
        acme, f"{HEADER}\n336;Mob\x00ile;FR_MOBILE;VOICE;HOME;0,1;MIN;60;1;0;2026-10-01\n".encode()
    )
    assert "NUL" in _reasons(error) and error.extra["errors"][0]["line"] == 2


def test_a_field_longer_than_the_csv_limit_is_refused(acme):
    error = _refusal(acme, f'{HEADER}\n336;"{"x" * 200_000}\n'.encode())
    assert "131072" in _reasons(error).replace("\u202f", "").replace(" ", "")


def test_a_png_is_named_as_an_image(acme):
    error = _refusal(acme, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "logo.csv")
    assert "PNG" in _reasons(error)


def test_a_zip_bomb_and_a_truncated_workbook_are_refused(acme):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 5_000_000)
    assert "compress" in _reasons(_refusal(acme, out.getvalue(), "bomb.xlsx")).lower()
    truncated = write_xlsx(HEADER.split(";"), [ROW.split(";")])[:300]
    assert "XLSX" in _reasons(_refusal(acme, truncated, "cut.xlsx"))


@override_settings(FEED_MAX_UNPACKED_BYTES=1_000_000)
def test_a_workbook_unpacking_past_the_limit_is_refused(acme):
    rows = [
        [f"33{i}", "Dest", "FR", "VOICE", "HOME", "0,1", "MIN", "60", "1", "0", "2026-10-01"]
        for i in range(20_000)
    ]
    reasons = _reasons(_refusal(acme, write_xlsx(HEADER.split(";"), rows), "big.xlsx"))
    assert "MB" in reasons or "Mo" in reasons  # English or French


@override_settings(RATE_TABLE_MAX_ROWS=3)
def test_a_file_over_the_row_limit_is_refused(acme):
    rows = "\n".join(f"33{i};Dest;FR;VOICE;HOME;0,1;MIN;60;1;0;2026-10-01" for i in range(5))
    assert "3" in _reasons(_refusal(acme, f"{HEADER}\n{rows}\n".encode()))


@override_settings(UPLOAD_ERRORS_SHOWN=5)
def test_the_error_report_is_capped_with_the_total_and_a_csv_of_all(acme, make_user, client_for):
    admin = make_user(acme, "admin")
    with in_schema(acme):
        table = RateTable.objects.create(code="CAP", label="Cap")
    rows = "\n".join(f"33{i};Dest;FR;VOICE;HOME;abc;MIN;60;1;0;2026-10-01" for i in range(12))
    client = client_for(acme, admin)
    response = client.post(
        f"/catalogue/rate-tables/{table.pk}/upload/",
        {"file": SimpleUploadedFile("bad.csv", f"{HEADER}\n{rows}\n".encode())},
    )
    body = response.content.decode()
    assert response.status_code == 400 and body.count("abc") == 5 and "12" in body
    link = body.split('data-testid="upload-errors-csv"')[0].rsplit('href="', 1)[1].split('"')[0]
    csv = client.get(link)
    assert csv.status_code == 200 and csv.content.count(b"abc") == 12
    assert client.get(f"/catalogue/rate-tables/{table.pk}/upload-errors/{'0' * 32}.csv").status_code == 404


def test_a_comma_separated_file_is_read_and_said_so(acme):
    upload = _import(
        acme,
        f"{HEADER}\n{ROW}\n".replace(";", ",").replace("0,15", '"0,15"').replace("0,12", '"0,12"').encode(),
    )
    assert upload.row_count == 1 and any("“,”" in note or "« , »" in note for note in upload.notes)


def test_a_missing_cell_is_reported_as_a_cell_count_not_a_bad_decimal(acme):
    error = _refusal(acme, f"{HEADER}\n336;Mobile;FR_MOBILE;VOICE;0,15;MIN;60;1;0;2026-10-01\n".encode())
    (fault,) = error.extra["errors"]
    assert fault["line"] == 2 and "10" in fault["reason"] and "11" in fault["reason"]


def test_a_windows_1252_file_is_read_and_said_so(acme):
    upload = _import(acme, f"{HEADER}\n{ROW.replace('Mobile France', 'Réunion')}\n".encode("cp1252"))
    assert upload.row_count == 1 and any("1252" in note for note in upload.notes)


def test_absent_optional_columns_are_named_with_their_default(acme, make_user, client_for):
    header = "PREFIX;DESTINATION;ZONE;EVENT_TYPE;PRICE;UNIT"
    upload = _import(acme, f"{header}\n336;Mobile;FR_MOBILE;VOICE;0,15;MIN\n".encode())
    note = " ".join(upload.notes)
    assert "CONNECTION_FEE (0)" in note and "VALID_FROM" in note and "ORIGIN_ZONE (HOME)" in note
