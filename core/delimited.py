"""The one streaming reader of the operator's delimited feed files (and their XLSX twins).

Generic on purpose (it imports nothing of ours) so every feed — rate tables, CDRs, SIM listings,
status snapshots — reads files the same way (shared/FORMATS.md):

- the first non-blank line is the header; column names match case-insensitively, in any order;
  unknown columns are ignored; a missing required column rejects the file;
- `;` separator, `"` quote; UTF-8 with or without BOM, or `cp1252` when the profile declares it;
- `,` or `.` decimal mark; blank lines ignored; an optional last line `TRAILER;<rows>` whose count
  must match;
- each faulty cell becomes a `RowError(line, column, reason)`; the caller decides whether a file
  with errors is refused whole (rate tables) or imported without its faulty rows (CDRs).

Streaming: `open_feed` reads a path, a binary file object or bytes row by row, decoding each line
as it comes (the encodings are ASCII-compatible, so a line ends at the same bytes in all of them),
and holds one row at a time (plus the one before, to recognise the trailer): its memory does not
grow with the file. A fault of the whole file (encoding, header, trailer) raises `FeedFileError`
when it is reached; `read_feed` collects a whole file, as the uploads need.

The writers (`write_csv`, `write_xlsx`) neutralise formulas: a text cell starting with `=`, `+`,
`-`, `@`, a tab or a carriage return is written as inert text (CSV: prefixed with `'`; XLSX: a
string cell), unless its column is declared numeric.
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Collection, Generator, Iterable, Iterator, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

Parser = Callable[[str], Any]
Source = bytes | str | Path | IO[bytes]


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
    """A fault: the line (0 for the file as a whole), the column (field) and why; `file` names the file."""

    line: int
    column: str
    reason: str
    file: str = field(default="", compare=False)

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

    def __init__(self, errors: list[RowError], *, file: str = ""):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors
        self.file = file or next((e.file for e in errors if e.file), "")


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


# --- Lines of a file -------------------------------------------------------------------------
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


def _xlsx_lines(stream: IO[bytes], filename: str) -> Generator[tuple[int, list[str]], None, None]:
    """The rows of the first sheet, read in openpyxl's streaming (read-only) mode."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise FeedFileError(
            [RowError(0, "", _("the file is not a readable XLSX workbook"), file=filename)]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in row]
    finally:
        workbook.close()


def _text_lines(stream: IO[bytes], profile: FeedProfile, filename: str) -> Iterator[str]:
    """Decoded lines with their endings, split as `newline=""` text would be (`\\n`, `\\r\\n`, `\\r`)."""
    encoding = profile.encoding
    offset = 0  # bytes decoded so far, after the BOM
    first = True
    for raw in stream:  # binary lines end at b"\n", which no byte of a multi-byte character is
        if first:
            first = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        for part in raw.splitlines(keepends=True) if b"\r" in raw else (raw,):
            try:
                text = part.decode(encoding)
            except UnicodeDecodeError as exc:
                raise FeedFileError(
                    [
                        RowError(
                            0,
                            "",
                            _("the file is not valid %(encoding)s text (byte %(pos)s)")
                            % {"encoding": encoding, "pos": offset + exc.start},
                            file=filename,
                        )
                    ]
                ) from None
            offset += len(part)
            yield text


def _csv_lines(
    stream: IO[bytes], profile: FeedProfile, filename: str
) -> Generator[tuple[int, list[str]], None, None]:
    reader = csv.reader(_text_lines(stream, profile, filename), delimiter=profile.delimiter, quotechar='"')
    for row in reader:
        yield reader.line_num, row


def is_xlsx(data: bytes, filename: str = "") -> bool:
    return filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"


# --- Reading a feed --------------------------------------------------------------------------
class FeedReader:
    """A feed file opened for reading: its header is read and checked; `rows()` streams the body.

    `rows()` yields `(line, cells)` for each non-blank body line (the trailer excluded, its count
    checked at the end); `parse(line, cells)` types one row's cells: `(values, errors)`.
    """

    def __init__(
        self,
        lines: Iterator[tuple[int, list[str]]],
        *,
        columns: Sequence[Column],
        filename: str,
        validate_row: Callable[[dict[str, Any]], Iterable[tuple[str, str]]] | None,
    ):
        self.filename = filename
        self.columns = list(columns)
        self._validate_row = validate_row
        self._lines = (item for item in lines if any(c.strip() for c in item[1]))
        first = next(self._lines, None)
        if first is None:
            raise self._fault(0, "", _("the file is empty"))
        self.header_line, header = first
        self.positions: dict[str, int] = {}
        for index, name in enumerate(header):
            key = name.strip().lstrip("\ufeff").upper()
            if key and key not in self.positions:
                self.positions[key] = index
        missing = [c.name for c in columns if c.required and c.name.upper() not in self.positions]
        if missing:
            raise FeedFileError(
                [
                    RowError(
                        self.header_line, name, _("required column missing from the header"), file=filename
                    )
                    for name in missing
                ],
                file=filename,
            )
        self._wanted = [(c, self.positions.get(c.name.upper())) for c in columns]

    def _fault(self, line: int, column: str, reason: str) -> FeedFileError:
        return FeedFileError([RowError(line, column, reason, file=self.filename)], file=self.filename)

    def position(self, name: str) -> int | None:
        """The index of a column in the file's rows (None when the header does not have it)."""
        return self.positions.get(name.upper())

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        count = 0
        pending = next(self._lines, None)
        for following in self._lines:
            assert pending is not None
            count += 1
            yield pending
            pending = following
        if pending is None:
            return
        number, cells = pending
        if cells and cells[0].strip().upper() == "TRAILER":
            declared = cells[1].strip() if len(cells) > 1 else ""
            if not declared.isdigit() or int(declared) != count:
                raise self._fault(
                    number,
                    "TRAILER",
                    _("the trailer announces %(declared)s rows but the file has %(count)s: truncated file")
                    % {"declared": declared or "?", "count": count},
                )
            return
        yield pending

    def parse(self, number: int, cells: list[str]) -> tuple[dict[str, Any], list[RowError]]:
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        filename = self.filename
        for column, position in self._wanted:
            text = cells[position].strip() if position is not None and position < len(cells) else ""
            if not text:
                if column.required_value:
                    errors.append(RowError(number, column.name, _("a value is required"), file=filename))
                values[column.name] = column.default
                continue
            try:
                values[column.name] = column.parse(text)
            except ValueError as exc:
                errors.append(RowError(number, column.name, str(exc), file=filename))
                values[column.name] = None
        if not errors and self._validate_row is not None:
            errors = [
                RowError(number, col, reason, file=filename) for col, reason in self._validate_row(values)
            ]
        return values, errors

    def __iter__(self) -> Iterator[tuple[ParsedRow, list[RowError]]]:
        """Each body row typed: `(ParsedRow, errors)`, errors empty when the row is sound."""
        for number, cells in self.rows():
            values, errors = self.parse(number, cells)
            yield ParsedRow(number, values), errors


class _OpenFeed:
    """The context manager `open_feed` returns: it closes what it opened."""

    def __init__(self, source: Source, **options: Any):
        self._source = source
        self._options = options
        self._stack = ExitStack()

    def __enter__(self) -> FeedReader:
        try:
            return _reader(self._source, self._stack, **self._options)
        except BaseException:
            self._stack.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def open_feed(
    source: Source,
    *,
    columns: Sequence[Column],
    filename: str = "",
    profile: FeedProfile = DEFAULT_PROFILE,
    validate_row: Callable[[dict[str, Any]], Iterable[tuple[str, str]]] | None = None,
) -> _OpenFeed:
    """Open a feed (a path, a binary file object or bytes) for streaming: `with open_feed(...) as reader`.

    CSV in `profile`, or XLSX (by its name or its first bytes). Raises `FeedFileError` for an
    unusable file (encoding, header, trailer) when the fault is reached.
    """
    return _OpenFeed(source, columns=columns, filename=filename, profile=profile, validate_row=validate_row)


def _reader(
    source: Source,
    stack: ExitStack,
    *,
    columns: Sequence[Column],
    filename: str,
    profile: FeedProfile,
    validate_row: Callable[[dict[str, Any]], Iterable[tuple[str, str]]] | None,
) -> FeedReader:
    stream: IO[bytes]
    if isinstance(source, bytes):
        stream = io.BytesIO(source)
    elif isinstance(source, str | Path):
        filename = filename or Path(source).name
        stream = stack.enter_context(open(source, "rb"))  # noqa: SIM115 (closed by the stack)
    else:
        stream = source
    head = stream.read(4)
    if stream.seekable():
        stream.seek(-len(head), io.SEEK_CUR)
    else:  # a pipe: put the first bytes back in front
        stream = io.BufferedReader(_Chained(head, stream))  # type: ignore[arg-type]
    if is_xlsx(head, filename):
        lines = _xlsx_lines(stream, filename)
    else:
        lines = _csv_lines(stream, profile, filename)
    stack.callback(lines.close)
    return FeedReader(lines, columns=columns, filename=filename, validate_row=validate_row)


class _Chained(io.RawIOBase):
    def __init__(self, head: bytes, rest: IO[bytes]):
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._head or self._rest.read(len(buffer))
        self._head = self._head[len(data) :]
        data = data[: len(buffer)]
        buffer[: len(data)] = data
        return len(data)


def read_feed(
    data: Source,
    *,
    columns: Sequence[Column],
    filename: str = "",
    profile: FeedProfile = DEFAULT_PROFILE,
    validate_row: Callable[[dict[str, Any]], Iterable[tuple[str, str]]] | None = None,
) -> ParseResult:
    """Read a whole feed file into rows of typed values and per-cell errors.

    Raises `FeedFileError` when the file itself is unusable (encoding, missing column, trailer).
    `validate_row(values)` may add `(column, reason)` errors that involve several cells.
    """
    result = ParseResult()
    with open_feed(
        data, columns=columns, filename=filename, profile=profile, validate_row=validate_row
    ) as reader:
        for row, errors in reader:
            if errors:
                result.errors.extend(errors)
            else:
                result.rows.append(row)
    return result


# --- Writing ---------------------------------------------------------------------------------
# A spreadsheet reads a text cell starting with one of these as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def write_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    profile: FeedProfile = DEFAULT_PROFILE,
    numeric: Collection[str] = (),
) -> bytes:
    """Write rows in the feed format (UTF-8 with BOM so spreadsheets read accents right).

    A text cell a spreadsheet would take for a formula is written inert, prefixed with `'`,
    unless its column is named in `numeric` (Decimal, int and float values are numbers anyway).
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=profile.delimiter, quotechar='"', lineterminator="\r\n")
    writer.writerow([_csv_text(name) for name in header])
    numeric_at = {i for i, name in enumerate(header) if name in numeric}
    for row in rows:
        writer.writerow([_csv_cell(v, profile, i in numeric_at) for i, v in enumerate(row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Any, profile: FeedProfile, is_numeric: bool) -> str:
    if value is None:
        return ""
    text = _format_cell(value, profile)
    return text if is_numeric or not isinstance(value, str) else _csv_text(text)


def _csv_text(text: str) -> str:
    return "'" + text if _is_formula_like(text) else text


def write_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    numeric: Collection[str] = (),
) -> bytes:
    """Write rows as an XLSX sheet; text cells are string cells (type `s`), never formulas.

    In a column named in `numeric`, numbers (and text that reads as one) are written as numbers;
    elsewhere Decimals go as text with a `.`, as before, so nothing is lost to binary floats.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    numeric_at = {i for i, name in enumerate(header) if name in numeric}
    _append_inert(sheet, list(header))
    for row in rows:
        _append_inert(sheet, _xlsx_row(row, numeric_at))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _append_inert(sheet: Any, values: list[Any]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # inert text, even when it starts with "="


def _xlsx_row(row: Sequence[Any], numeric_at: set[int]) -> list[Any]:
    cells = []
    for i, value in enumerate(row):
        if i in numeric_at:
            if isinstance(value, str):
                with suppress(InvalidOperation):
                    value = Decimal(value.strip().replace(",", "."))
            if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
                cells.append(value)
                continue
        cells.append(_xlsx_cell(value))
    return cells


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
