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
import itertools
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
    # The first cell of the optional last line that gives the number of rows ("" : no trailer,
    # the last line is a row like the others); `trailer_checked` False: the count is not checked.
    trailer: str = "TRAILER"
    trailer_checked: bool = True
    # Columns under another name in the file: (the reader's column name, the file's header name).
    column_names: tuple[tuple[str, str], ...] = ()

    def column_key(self, name: str) -> str:
        """The reader's (upper-case) name of a header cell, through the profile's column names."""
        key = name.strip().lstrip("\ufeff").upper()
        for ours, theirs in self.column_names:
            if theirs.strip().upper() == key:
                return ours.upper()
        return key

    def file_name(self, name: str) -> str:
        """The header name the file gives a column of the reader's."""
        for ours, theirs in self.column_names:
            if ours.upper() == name.upper():
                return theirs
        return name

    def is_trailer(self, cells: Sequence[str]) -> bool:
        """Whether the (last) line is the profile's trailer."""
        return bool(self.trailer) and bool(cells) and cells[0].strip().upper() == self.trailer.upper()


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


@dataclass(frozen=True)
class FeedLimits:
    """What one file may hold: body rows, bytes once unpacked (XLSX) and the zip's packing ratio.

    `None` is no limit. A zip member is read at most to its declared size (the zip module enforces
    it), so checking the declared sizes before opening the workbook bounds the work.
    """

    max_rows: int | None = None
    max_unpacked_bytes: int | None = None
    max_zip_ratio: int | None = None


NO_LIMITS = FeedLimits()


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # How the file was read when it differed from the profile (encoding, separator), for the user.
    notes: list[str] = field(default_factory=list)
    # Optional columns the header did not have: each row got the column's default.
    absent_columns: list[str] = field(default_factory=list)

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


def _file_fault(reason: str, filename: str, line: int = 0) -> FeedFileError:
    return FeedFileError([RowError(line, "", reason, file=filename)], file=filename)


def _check_zip(stream: IO[bytes], filename: str, limits: FeedLimits) -> None:
    """Refuse a workbook that unpacks past the limits (a zip bomb) or is no zip at all (truncated)."""
    import zipfile

    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _file_fault(
            _("the file is not a readable XLSX workbook (damaged or truncated)"), filename
        ) from None
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if limits.max_unpacked_bytes is not None and unpacked > limits.max_unpacked_bytes:
        raise _file_fault(
            _("the workbook unpacks to %(size)s MB, more than the %(limit)s MB allowed")
            % {"size": unpacked // 1_000_000, "limit": limits.max_unpacked_bytes // 1_000_000},
            filename,
        )
    if limits.max_zip_ratio is not None and unpacked > 1_000_000 and unpacked > packed * limits.max_zip_ratio:
        raise _file_fault(
            _("the workbook is compressed %(ratio)s times, which no real rate file is: refused")
            % {"ratio": unpacked // max(packed, 1)},
            filename,
        )
    stream.seek(0)


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


def _text_lines(stream: IO[bytes], profile: FeedProfile, filename: str, notes: list[str]) -> Iterator[str]:
    """Decoded lines with their endings, split as `newline=""` text would be (`\\n`, `\\r\\n`, `\\r`).

    A UTF-8 profile falls back to Windows-1252 (what Excel writes by default) when a line is not
    UTF-8 and no earlier line held a non-ASCII character; otherwise the faulty line is named.
    A NUL byte refuses the file: it is binary, not text (PostgreSQL could not store it either).
    """
    encoding = profile.encoding
    may_fall_back = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    line = 0
    first = True
    for raw in stream:  # binary lines end at b"\n", which no byte of a multi-byte character is
        if first:
            first = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
                may_fall_back = False  # the BOM declares UTF-8
        for part in raw.splitlines(keepends=True) if b"\r" in raw else (raw,):
            line += 1
            if b"\x00" in part:
                raise _file_fault(
                    _("line %(line)s holds a NUL byte: this is not a text file (save it as “CSV UTF-8”)")
                    % {"line": line},
                    filename,
                    line,
                )
            try:
                text = part.decode(encoding)
            except UnicodeDecodeError:
                text = ""
                if may_fall_back:
                    with suppress(UnicodeDecodeError):
                        text = part.decode("cp1252")
                        encoding = "cp1252"
                        notes.append(_("The file is not UTF-8: it was read as Windows-1252 (Excel's “CSV”)."))
                if encoding != "cp1252" or not text:
                    raise _file_fault(
                        _(
                            "line %(line)s is not valid %(encoding)s text: save the file as “CSV UTF-8” "
                            "(in Excel: File > Save as > CSV UTF-8)"
                        )
                        % {"line": line, "encoding": profile.encoding.upper()},
                        filename,
                        line,
                    ) from None
            may_fall_back = may_fall_back and text.isascii()
            yield text


SEPARATORS = (";", ",", "\t", "|")


def _detect_separator(header: str, expected: str) -> str:
    """The profile's separator when the header line holds it, else the candidate it holds most."""
    if expected in header:
        return expected
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else expected


def _csv_lines(
    stream: IO[bytes], profile: FeedProfile, filename: str, notes: list[str]
) -> Generator[tuple[int, list[str]], None, None]:
    text_lines = _text_lines(stream, profile, filename, notes)
    leading: list[str] = []
    for text in text_lines:
        leading.append(text)
        if text.strip():
            break
    delimiter = _detect_separator(leading[-1] if leading else "", profile.delimiter)
    if delimiter != profile.delimiter:
        shown = {"\t": _("tab")}.get(delimiter, delimiter)
        notes.append(
            _("The columns are separated by “%(found)s”, not “%(expected)s”: the file was read that way.")
            % {"found": shown, "expected": profile.delimiter}
        )
    reader = csv.reader(itertools.chain(leading, text_lines), delimiter=delimiter, quotechar='"')
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error:
        raise _file_fault(
            _("line %(line)s: a cell is longer than %(limit)s characters (a quote left open?)")
            % {"line": reader.line_num + 1, "limit": csv.field_size_limit()},
            filename,
            reader.line_num + 1,
        ) from None


def is_xlsx(data: bytes, filename: str = "") -> bool:
    return filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"


def unpacked_size(stream: IO[bytes], filename: str = "") -> int:
    """How many bytes the reader will go through: a workbook's members once unpacked (read from
    its zip directory, nothing is decompressed), any other file's own size. A damaged workbook
    counts for its own size (reading it stops at once). The stream is left at its start."""
    import zipfile

    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if is_xlsx(head, filename):
        try:
            with zipfile.ZipFile(stream) as archive:
                size = max(size, sum(member.file_size for member in archive.infolist()))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            pass
        stream.seek(0)
    return size


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
        limits: FeedLimits = NO_LIMITS,
        notes: list[str] | None = None,
        profile: FeedProfile = DEFAULT_PROFILE,
    ):
        self.filename = filename
        self.profile = profile
        self.columns = list(columns)
        self.limits = limits
        self.notes = notes if notes is not None else []
        self._validate_row = validate_row
        self._lines = (item for item in lines if any(c.strip() for c in item[1]))
        first = next(self._lines, None)
        if first is None:
            raise self._fault(0, "", _("the file is empty"))
        self.header_line, header = first
        while header and not header[-1].strip():
            header = header[:-1]
        self.width = len(header)
        self.positions: dict[str, int] = {}
        for index, name in enumerate(header):
            key = profile.column_key(name)
            if key and key not in self.positions:
                self.positions[key] = index
        missing = [c.name for c in columns if c.required and c.name.upper() not in self.positions]
        if missing:
            raise FeedFileError(
                [
                    RowError(
                        self.header_line,
                        profile.file_name(name),
                        _("required column missing from the header"),
                        file=filename,
                    )
                    for name in missing
                ],
                file=filename,
            )
        self._wanted = [(c, self.positions.get(c.name.upper())) for c in columns]
        self.absent_columns = [
            c.name for c in columns if not c.required and c.name.upper() not in self.positions
        ]

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
            if self.limits.max_rows is not None and count > self.limits.max_rows:
                raise self._fault(
                    pending[0],
                    "",
                    _("the file has more than %(limit)s rows, the most one file may hold: split it")
                    % {"limit": self.limits.max_rows},
                )
            yield pending
            pending = following
        if pending is None:
            return
        number, cells = pending
        if self.profile.is_trailer(cells):
            declared = cells[1].strip() if len(cells) > 1 else ""
            if self.profile.trailer_checked and (not declared.isdigit() or int(declared) != count):
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
        count = len(cells)
        while count > self.width and not cells[count - 1].strip():
            count -= 1
        if count != self.width:
            reason = _(
                "the line has %(count)s cells but the header has %(width)s columns: "
                "a cell or a separator is missing or one too many"
            ) % {"count": count, "width": self.width}
            return {c.name: None for c in self.columns}, [RowError(number, "", reason, file=filename)]
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
    limits: FeedLimits = NO_LIMITS,
) -> _OpenFeed:
    """Open a feed (a path, a binary file object or bytes) for streaming: `with open_feed(...) as reader`.

    CSV in `profile`, or XLSX (by its name or its first bytes). Raises `FeedFileError` for an
    unusable file (encoding, header, trailer) when the fault is reached.
    """
    return _OpenFeed(
        source, columns=columns, filename=filename, profile=profile, validate_row=validate_row, limits=limits
    )


def _reader(
    source: Source,
    stack: ExitStack,
    *,
    columns: Sequence[Column],
    filename: str,
    profile: FeedProfile,
    validate_row: Callable[[dict[str, Any]], Iterable[tuple[str, str]]] | None,
    limits: FeedLimits,
) -> FeedReader:
    stream: IO[bytes]
    if isinstance(source, bytes):
        stream = io.BytesIO(source)
    elif isinstance(source, str | Path):
        filename = filename or Path(source).name
        stream = stack.enter_context(open(source, "rb"))  # noqa: SIM115 (closed by the stack)
    else:
        stream = source
    head = stream.read(8)
    if stream.seekable():
        stream.seek(-len(head), io.SEEK_CUR)
    else:  # a pipe: put the first bytes back in front
        stream = io.BufferedReader(_Chained(head, stream))  # type: ignore[arg-type]
    for magic, kind in _BINARY_KINDS:
        if head.startswith(magic):
            raise _file_fault(_("the file is %(kind)s, not a CSV or XLSX file") % {"kind": _(kind)}, filename)
    notes: list[str] = []
    lines: Generator[tuple[int, list[str]], None, None]
    if is_xlsx(head, filename):
        if stream.seekable():
            _check_zip(stream, filename, limits)
        lines = _xlsx_lines(stream, filename)
    else:
        lines = _csv_lines(stream, profile, filename, notes)
    stack.callback(lines.close)
    return FeedReader(
        lines,
        columns=columns,
        filename=filename,
        validate_row=validate_row,
        limits=limits,
        notes=notes,
        profile=profile,
    )


# The first bytes of files people upload by mistake, named in the refusal.
_BINARY_KINDS = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (XLS) workbook: save it as XLSX or CSV UTF-8"),
)


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


# How often `read_feed` reports its progress, in body rows.
PROGRESS_EVERY = 2000


def read_feed(
    data: Source,
    *,
    columns: Sequence[Column],
    filename: str = "",
    profile: FeedProfile = DEFAULT_PROFILE,
    validate_row: Callable[[dict[str, Any]], Iterable[tuple[str, str]]] | None = None,
    limits: FeedLimits = NO_LIMITS,
    progress: Callable[[int], None] | None = None,
) -> ParseResult:
    """Read a whole feed file into rows of typed values and per-cell errors.

    Raises `FeedFileError` when the file itself is unusable (encoding, missing column, trailer).
    `validate_row(values)` may add `(column, reason)` errors that involve several cells.
    `progress(rows_read)` is called every PROGRESS_EVERY body rows (a job's progress).
    """
    result = ParseResult()
    with open_feed(
        data, columns=columns, filename=filename, profile=profile, validate_row=validate_row, limits=limits
    ) as reader:
        result.absent_columns = list(reader.absent_columns)
        for count, (row, errors) in enumerate(reader, start=1):
            if errors:
                result.errors.extend(errors)
            else:
                result.rows.append(row)
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
        result.notes = list(reader.notes)
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


# Characters a sheet's name cannot hold (Excel and openpyxl refuse them).
_SHEET_FORBIDDEN = frozenset("/\\:*?[]")


def sheet_title(title: str) -> str:
    """A valid sheet name for `title`: forbidden characters replaced, no edge `'`, 31 characters."""
    cleaned = "".join("_" if c in _SHEET_FORBIDDEN or not c.isprintable() else c for c in title)
    cleaned = cleaned.strip("'").strip()[:31].strip("'")
    return cleaned or "Sheet1"


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

    # Write-only mode streams the rows (an export of a large table stays linear in time and memory).
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    numeric_at = {i for i, name in enumerate(header) if name in numeric}
    sheet.append(_inert_cells(sheet, list(header)))
    for row in rows:
        sheet.append(_inert_cells(sheet, _xlsx_row(row, numeric_at)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _inert_cells(sheet: Any, values: list[Any]) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # inert text, even when it starts with "="
        cells.append(cell)
    return cells


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


# --- Streamed writing (exports of any size: first bytes at once, memory flat) ------------------
class _Chunks(io.RawIOBase):
    """An unseekable sink whose written bytes are taken out in chunks (zipfile then writes data
    descriptors, so an XLSX is produced as it goes)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def iter_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    profile: FeedProfile = DEFAULT_PROFILE,
    numeric: Collection[str] = (),
    chunk_rows: int = 500,
) -> Iterator[bytes]:
    """`write_csv`, streamed: the header at once, then blocks of `chunk_rows` rows."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=profile.delimiter, quotechar='"', lineterminator="\r\n")
    writer.writerow([_csv_text(name) for name in header])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    numeric_at = {i for i, name in enumerate(header) if name in numeric}
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(v, profile, i in numeric_at) for i, v in enumerate(row)])
        if count % chunk_rows == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _xml_text(text: str) -> str:
    from xml.sax.saxutils import escape

    cleaned = "".join(c for c in text if c in "\t\n\r" or ord(c) >= 32)
    return escape(cleaned)


def _xlsx_stream_cell(value: Any, is_numeric: bool) -> str:
    if value is None or value == "":
        return "<c/>"
    if is_numeric and isinstance(value, str):
        with suppress(InvalidOperation):
            value = Decimal(value.strip().replace(",", "."))
    if is_numeric and isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return f"<c><v>{format(value, 'f') if isinstance(value, Decimal) else value}</v></c>"
    text = _format_cell(value, DEFAULT_PROFILE) if not isinstance(value, Decimal) else format(value, "f")
    # Inline strings are text, never formulas: "=1+1" stays inert.
    return f'<c t="inlineStr"><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'


def iter_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
    numeric: Collection[str] = (),
    chunk_rows: int = 500,
) -> Iterator[bytes]:
    """`write_xlsx`, streamed: a one-sheet workbook written as it goes (inline strings, numbers
    in the `numeric` columns), its first bytes out before the rows are read."""
    import zipfile

    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, xml in _XLSX_PARTS.items():
            archive.writestr(name, xml)
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{_xml_text(sheet_title(title))}" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>",
        )
        yield sink.take()
        numeric_at = {i for i, name in enumerate(header) if name in numeric}
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            head = "".join(_xlsx_stream_cell(str(name), False) for name in header)
            sheet.write(f"<row>{head}</row>".encode())
            for count, row in enumerate(rows, start=1):
                cells = "".join(_xlsx_stream_cell(v, i in numeric_at) for i, v in enumerate(row))
                sheet.write(f"<row>{cells}</row>".encode())
                if count % chunk_rows == 0:
                    sheet.flush()
                    if sink.parts:
                        yield sink.take()
            sheet.write(b"</sheetData></worksheet>")
    yield sink.take()
