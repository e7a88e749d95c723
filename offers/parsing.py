"""A reusable reader for the operator's delimited feeds (and their XLSX twins).

Generic on purpose (it imports nothing from the business apps) so every feed — rate tables here,
CDRs, SIM listings, status snapshots later — reads files the same way (shared/FORMATS.md):

- the first line is the header; column names match case-insensitively, in any order; unknown
  columns are ignored; a missing required column rejects the file;
- `;` separator, `"` quote; UTF-8 with or without BOM, or `cp1252` when the profile declares it;
- `,` or `.` decimal mark; blank lines ignored; an optional last line `TRAILER;<rows>` whose count
  must match;
- each faulty cell becomes a `RowError(line, column, reason)`; the caller decides whether a file
  with errors is refused whole (rate tables) or imported without its faulty rows (CDRs).
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

Parser = Callable[[str], Any]


@dataclass(frozen=True)
class FeedProfile:
    """How a feed's file is written: its separator, its text encoding and its decimal mark."""

    delimiter: str = ";"
    encoding: str = "utf-8"
    decimal_mark: str = ","


DEFAULT_PROFILE = FeedProfile()


@dataclass(frozen=True)
class Column:
    """A column of a feed: its header name, whether it must be present, how a cell is read.

    `parse` receives the stripped, non-empty text and raises `ValueError(reason)` when it is wrong;
    an empty cell gives `default` (or the error "required" when `required_value`).
    """

    name: str
    parse: Parser = str
    required: bool = False
    required_value: bool = False
    default: Any = None


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        where = _("line %(line)s") % {"line": self.line} if self.line else _("file")
        return f"{where}, {self.column or '-'}: {self.reason}"


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any]


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class FeedFileError(Exception):
    """The file as a whole cannot be read (encoding, header, truncated): nothing of it is usable."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


# --- Cell readers ----------------------------------------------------------------------------
def decimal_reader(*, minimum: Decimal | None = Decimal(0), places: int | None = None) -> Parser:
    """A decimal with `,` or `.` as its mark, no thousands separator."""

    def parse(text: str) -> Decimal:
        cleaned = text.replace(" ", "").replace("\u00a0", "")
        if cleaned.count(",") + cleaned.count(".") > 1:
            raise ValueError(_("“%(value)s” is not a decimal number") % {"value": text})
        try:
            value = Decimal(cleaned.replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a decimal number") % {"value": text}) from None
        if not value.is_finite():
            raise ValueError(_("“%(value)s” is not a decimal number") % {"value": text})
        if minimum is not None and value < minimum:
            raise ValueError(_("must be at least %(minimum)s") % {"minimum": minimum})
        if places is not None and -value.as_tuple().exponent > places:  # type: ignore[operator]
            raise ValueError(_("at most %(places)s decimals") % {"places": places})
        return value

    return parse


def int_reader(*, minimum: int | None = 0) -> Parser:
    def parse(text: str) -> int:
        if not text.isdigit() and not (text.startswith("-") and text[1:].isdigit()):
            raise ValueError(_("“%(value)s” is not a whole number") % {"value": text})
        value = int(text)
        if minimum is not None and value < minimum:
            raise ValueError(_("must be at least %(minimum)s") % {"minimum": minimum})
        return value

    return parse


def digits_reader(*, max_length: int = 20) -> Parser:
    def parse(text: str) -> str:
        if not text.isdigit():
            raise ValueError(_("“%(value)s” must contain digits only") % {"value": text})
        if len(text) > max_length:
            raise ValueError(_("at most %(n)s digits") % {"n": max_length})
        return text

    return parse


def choice_reader(choices: Iterable[str]) -> Parser:
    allowed = tuple(choices)

    def parse(text: str) -> str:
        value = text.upper()
        if value not in allowed:
            raise ValueError(
                _("unknown value “%(value)s” (expected one of %(allowed)s)")
                % {"value": text, "allowed": ", ".join(allowed)}
            )
        return value

    return parse


def date_reader(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text[:10], fmt).date()  # noqa: DTZ007 (a date, not a time)
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": text})


def text_reader(*, max_length: int) -> Parser:
    def parse(text: str) -> str:
        if len(text) > max_length:
            raise ValueError(_("at most %(n)s characters") % {"n": max_length})
        return text

    return parse


# --- Files -----------------------------------------------------------------------------------
def _decode(data: bytes, profile: FeedProfile) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode(profile.encoding)
    except UnicodeDecodeError as exc:
        raise FeedFileError(
            [
                RowError(
                    0,
                    "",
                    _("the file is not valid %(encoding)s text (byte %(pos)s)")
                    % {"encoding": profile.encoding, "pos": exc.start},
                )
            ]
        ) from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # A float cell of a spreadsheet: its shortest exact text, never a binary artefact.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def _xlsx_lines(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise FeedFileError([RowError(0, "", _("the file is not a readable XLSX workbook"))]) from None
    sheet = workbook.worksheets[0]
    lines = [
        (number, [_cell_text(v) for v in row])
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
    ]
    workbook.close()
    return lines


def _csv_lines(data: bytes, profile: FeedProfile) -> list[tuple[int, list[str]]]:
    text = _decode(data, profile)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=profile.delimiter, quotechar='"')
    return [(reader.line_num, row) for row in reader]


def is_xlsx(data: bytes, filename: str = "") -> bool:
    return filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"


def read_feed(
    data: bytes,
    *,
    columns: Sequence[Column],
    filename: str = "",
    profile: FeedProfile = DEFAULT_PROFILE,
    validate_row: Callable[[dict[str, Any]], Iterable[tuple[str, str]]] | None = None,
) -> ParseResult:
    """Read a feed file (CSV in `profile`, or XLSX) into rows of typed values and per-cell errors.

    Raises `FeedFileError` when the file itself is unusable (encoding, missing column, trailer).
    `validate_row(values)` may add `(column, reason)` errors that involve several cells.
    """
    lines = _xlsx_lines(data) if is_xlsx(data, filename) else _csv_lines(data, profile)
    lines = [(n, cells) for n, cells in lines if any(c.strip() for c in cells)]
    if not lines:
        raise FeedFileError([RowError(0, "", _("the file is empty"))])
    header_line, header = lines[0]
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lstrip("\ufeff").upper()
        if key and key not in positions:
            positions[key] = index
    missing = [c.name for c in columns if c.required and c.name.upper() not in positions]
    if missing:
        raise FeedFileError(
            [RowError(header_line, name, _("required column missing from the header")) for name in missing]
        )
    body = lines[1:]
    if body and body[-1][1] and body[-1][1][0].strip().upper() == "TRAILER":
        trailer_line, trailer = body.pop()
        declared = trailer[1].strip() if len(trailer) > 1 else ""
        if not declared.isdigit() or int(declared) != len(body):
            raise FeedFileError(
                [
                    RowError(
                        trailer_line,
                        "TRAILER",
                        _(
                            "the trailer announces %(declared)s rows but the file has %(count)s: truncated file"
                        )
                        % {"declared": declared or "?", "count": len(body)},
                    )
                ]
            )
    result = ParseResult()
    wanted = [(c, positions.get(c.name.upper())) for c in columns]
    for number, cells in body:
        values: dict[str, Any] = {}
        row_errors: list[RowError] = []
        for column, position in wanted:
            text = cells[position].strip() if position is not None and position < len(cells) else ""
            if not text:
                if column.required_value:
                    row_errors.append(RowError(number, column.name, _("a value is required")))
                values[column.name] = column.default
                continue
            try:
                values[column.name] = column.parse(text)
            except ValueError as exc:
                row_errors.append(RowError(number, column.name, str(exc)))
                values[column.name] = None
        if not row_errors and validate_row is not None:
            row_errors = [RowError(number, col, reason) for col, reason in validate_row(values)]
        if row_errors:
            result.errors.extend(row_errors)
        else:
            result.rows.append(ParsedRow(number, values))
    return result


def write_csv(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, profile: FeedProfile = DEFAULT_PROFILE
) -> bytes:
    """Write rows in the feed format (UTF-8 with BOM so spreadsheets read accents right)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=profile.delimiter, quotechar='"', lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _format_cell(v, profile) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _format_cell(value: Any, profile: FeedProfile) -> str:
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", profile.decimal_mark)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_cell(value: Any) -> Any:
    # Decimals go as text with a "." so nothing is lost to binary floats; the reader accepts it.
    if isinstance(value, Decimal):
        return format(value, "f")
    return value
