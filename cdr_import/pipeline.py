"""The CDR file pipeline: read, validate, deduplicate, rate and store a RatedCDRs / BilledCDRs file.

Measured (docs/benchmarks.md, issue 12): the old path spent most of its time in the per-row reader
(`core.delimited` line by line, a `CdrRow` per row), in formatting 30 COPY fields per row and in
copying everything twice (a staging table, then the store), one step after the other. Here:

- the file is read in large blocks (`_fast_blocks`): decoded once per block, split with
  `str.split`; a block holding anything unusual (a quote, a NUL byte, a lone carriage return, a
  byte that is not of the profile's encoding, another separator) makes the whole file go through
  the general reader of `core.delimited` instead (`SlowPath`), with the same results;
- a row is checked by a lean reader (`parsing.lean_row_reader`); a row it objects to is read again
  with the columns' parsers, which give the exact reasons (line, field, reason) as before;
- rows are rated by the engine's `rate_cdrs`, line group by line group, one chunk at a time
  (files are in time order; allowances are consumed in time order within the file);
- while the next chunk is read and rated, a background thread sends the previous one straight into
  the store and its identity table with COPY (CDRs already known are filtered out first, and kept
  in a temporary table when a billed file confirms or corrects them): the database and Python work
  at once, on the two cores. Everything stays inside the caller's transaction: all or nothing.
"""

import contextlib
import datetime as dt
import gc
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from cdr_import.models import Family
from cdr_import.parsing import cdr_columns, lean_row_reader, row_from_values, row_rules
from cdr_import.store import cdr_partition_attach, cdr_partition_new
from core.delimited import Column, FeedFileError, FeedProfile, FeedReader, RowError, open_feed

CHUNK = 50_000  # rows rated and sent together
BLOCK = 4 << 20  # bytes read at once by the fast reader
_UNIT = {"MIN": "s", "MB": "KB", "EVENT": "event"}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

# The store's columns as the COPY sends them (the id comes from its sequence).
COPY_COLUMNS = (
    "cdr_id",
    "line_ref",
    "mobile_line_id",
    "fixed_number_id",
    "customer_id",
    "event_type",
    "start_time",
    "duration_s",
    "volume_bytes",
    "called_number",
    "roaming_country",
    "destination_label",
    "wholesale_cost",
    "rating_status",
    "rate_prefix",
    "rate_destination",
    "rate_zone",
    "origin_zone",
    "billed_unit",
    "unrated",
    "billed_quantity",
    "allowance_used",
    "rated_amount",
    "billing_period",
    "operator_invoice_ref",
    "unknown_line",
    "family",
    "billed_by_operator",
    "rated_import_id",
    "billed_import_id",
)


def copy_text(value: str) -> str:
    """A text value in COPY's text format (operator text may hold a tab or a backslash)."""
    return (
        value.translate(_ESCAPES)
        if ("\\" in value or "\t" in value or "\n" in value or "\r" in value)
        else value
    )


class SlowPath(Exception):
    """The fast reader met something only the general reader handles (quotes, encodings, …)."""


@dataclass
class Counts:
    rows: int = 0
    rejected: int = 0
    in_file_duplicates: int = 0
    staged: int = 0
    unrated: int = 0
    unknown_line: int = 0
    imported: int = 0
    known: int = 0
    corrected: int = 0
    periods: set[str] = field(default_factory=set)
    timings: dict[str, float] = field(default_factory=dict)


# --- Reading -----------------------------------------------------------------------------------
def _fast_blocks(path: Path, profile: FeedProfile) -> Iterator[tuple[int, list[str], bool]]:
    """`(number of the first line, lines, plain)` per block of the file: decoded, split, BOM
    dropped; `plain` when the block holds no backslash and no tab (nothing to escape for COPY).

    Raises `SlowPath` for anything the general reader must handle.
    """
    encoding = profile.encoding
    line = 1
    rest = b""
    first = True
    with open(path, "rb") as handle:
        while True:
            block = handle.read(BLOCK)
            data = rest + block
            if not block:
                if not data:
                    return
                rest = b""
            else:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    rest = data
                    continue
                data, rest = data[:cut], data[cut:]
            if first:
                first = False
                if data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]
            if b'"' in data or b"\x00" in data:
                raise SlowPath
            if b"\r" in data:
                if data.count(b"\r") != data.count(b"\r\n"):
                    raise SlowPath
                data = data.replace(b"\r\n", b"\n")
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise SlowPath from None
            lines = text.split("\n")
            if lines[-1] == "":
                lines.pop()
            yield line, lines, "\\" not in text and "\t" not in text
            line += len(lines)
            if not block:
                return


def _header_reader(
    number: int, header: str, *, profile: FeedProfile, columns: list[Column], filename: str
) -> FeedReader:
    """The general reader over the header alone: positions, missing columns, exact row reasons."""
    if profile.delimiter not in header:
        raise SlowPath  # another separator: the general reader detects it and says so
    return FeedReader(
        iter([(number, header.split(profile.delimiter))]),
        columns=columns,
        filename=filename,
        validate_row=row_rules,
        profile=profile,
    )


@dataclass
class _Reading:
    """What a reader hands over: the header's reader, then each sound row or each rejection."""

    family: str
    billed: bool
    reader: FeedReader | None = None


def _family_from_header(given: str, header_cells: list[str]) -> str:
    if given:
        return given
    names = {c.strip().lstrip("\ufeff").upper() for c in header_cells}
    return Family.VGA if "LINE_NUMBER" in names and "MSISDN" not in names else Family.MOBILE


# --- Rating and formatting ---------------------------------------------------------------------
@dataclass
class _Chunk:
    ids: list[str]
    store_lines: list[str]
    identity_lines: list[str]
    targets: list[str] | None = None  # per row, the table it goes to (None: all into the store)


class _Sender:
    """A thread that sends chunks into the store while the next one is read and rated.

    It uses the transaction's own database connection (psycopg serialises its use); the main
    thread waits for it (`drain`) before it queries the database itself.
    """

    def __init__(self, *, family: str, billed: bool, counts: Counts):
        self.family = family
        self.billed = billed
        self.counts = counts
        self.raw = connection.connection  # psycopg connection of the current transaction
        self.queue: queue.Queue[_Chunk | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.busy = 0.0
        self.thread = threading.Thread(target=self._run, name="cdr-import-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            chunk = self.queue.get()
            try:
                if chunk is None:
                    return
                if self.error is None:
                    began = time.perf_counter()
                    self._send(chunk)
                    self.busy += time.perf_counter() - began
            except BaseException as exc:  # noqa: BLE001 (handed to the main thread)
                self.error = exc
            finally:
                self.queue.task_done()

    def _send(self, chunk: _Chunk) -> None:
        cursor = self.raw.cursor()
        try:
            # One index probe per id, whatever the planner's statistics say: `cdr_id = ANY(…)` was
            # planned as a scan of the whole identity table per chunk while its statistics were
            # stale (0.5 s per 50,000 ids at 1M stored, growing with the store; this: 0.2 s).
            # A billed file's known CDRs go straight to `cdr_known` with their stored start time,
            # without a round trip through Python.
            probe = """
                FROM unnest(%s::varchar[]) AS x (cdr_id)
                CROSS JOIN LATERAL (
                    SELECT i.start_time FROM cdr_import_cdr_identity i
                    WHERE i.family = %s AND i.cdr_id = x.cdr_id LIMIT 1
                ) k
            """
            # First one probe for the chunk: operator ids run in sequence, so a new file's chunk
            # spans a range of ids where nothing is stored yet (bounds taken in the database's
            # own collation, the index's order): then no id of it is known, without 50,000 probes.
            # (The first stored id from the chunk's lowest on, by the identity key's order: an
            # index probe whatever the statistics say.)
            cursor.execute(
                """
                SELECT (
                    SELECT i.cdr_id FROM cdr_import_cdr_identity i
                    WHERE i.family = %s AND i.cdr_id >= b.lo ORDER BY i.family, i.cdr_id LIMIT 1
                ) <= b.hi
                FROM (SELECT min(c) AS lo, max(c) AS hi FROM unnest(%s::varchar[]) AS c) b
                """,
                [self.family, chunk.ids],
            )
            if not cursor.fetchone()[0]:
                known: set[str] = set()
            else:
                if self.billed:
                    cursor.execute(
                        f"INSERT INTO cdr_known (cdr_id, known_start) SELECT x.cdr_id, k.start_time {probe} "
                        "RETURNING cdr_id",
                        [chunk.ids, self.family],
                    )
                else:
                    cursor.execute(f"SELECT x.cdr_id {probe}", [chunk.ids, self.family])
                known = {cdr_id for (cdr_id,) in cursor.fetchall()}
            store_lines, identity_lines, targets = chunk.store_lines, chunk.identity_lines, chunk.targets
            if known and len(known) == len(chunk.ids):  # all known (a billed file, a replay)
                if self.billed:
                    with cursor.copy(f"COPY cdr_stage ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
                        copy.write("".join(store_lines))
                self.counts.known += len(known)
                return
            if known:
                positions = [i for i, cdr_id in enumerate(chunk.ids) if cdr_id in known]
                taken = set(positions)
                if self.billed:
                    with cursor.copy(f"COPY cdr_stage ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
                        copy.write("".join(store_lines[i] for i in positions))
                self.counts.known += len(positions)
                store_lines = [text for i, text in enumerate(store_lines) if i not in taken]
                identity_lines = [text for i, text in enumerate(identity_lines) if i not in taken]
                if targets is not None:
                    targets = [target for i, target in enumerate(targets) if i not in taken]
            if store_lines:
                with cursor.copy(
                    "COPY cdr_import_cdr_identity (family, cdr_id, start_time) FROM STDIN"
                ) as copy:
                    copy.write("".join(identity_lines))
                by_table: dict[str, list[str]] = {}
                if targets is None:
                    by_table["cdr_import_cdr"] = store_lines
                else:
                    for text, target in zip(store_lines, targets, strict=True):
                        by_table.setdefault(target, []).append(text)
                for table, lines in by_table.items():
                    with cursor.copy(f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
                        copy.write("".join(lines))
                self.counts.imported += len(store_lines)
        finally:
            cursor.close()

    def send(self, chunk: _Chunk) -> None:
        self.check()
        self.queue.put(chunk)

    def drain(self) -> None:
        """Wait until every chunk sent so far is in the database."""
        self.queue.join()
        self.check()

    def check(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()


class _Stager:
    """Rate and format the sound rows of a file, chunk by chunk, and hand them to the sender."""

    def __init__(
        self,
        *,
        family: str,
        billed: bool,
        import_id: int,
        rating: Any,
        counts: Counts,
        progress: Callable[[int], None],
    ):
        self.family = family
        self.billed = billed
        self.rating = rating
        self.counts = counts
        self.progress = progress
        self.mobile = family == Family.MOBILE
        self.rows: list[tuple[Any, ...]] = []
        self.seen: set[str] = set()
        self.days: set[dt.date] = set()
        self.months: set[tuple[int, int]] = set()
        # Months without a partition yet: loaded into a plain table, indexed and attached at the end.
        self.fresh: dict[tuple[int, int], str] = {}
        rated_id = "\\N" if billed else str(import_id)
        billed_id = str(import_id) if billed else "\\N"
        self.tail = f"\t{family}\t{'t' if billed else 'f'}\t{rated_id}\t{billed_id}\n"
        self.line_segments: dict[str, str] = {}
        self.result_segments: dict[tuple[Any, ...], str] = {}
        self.sender = _Sender(family=family, billed=billed, counts=counts)
        self.rate_seconds = 0.0
        self.attach_seconds = 0.0

    def add_many(self, rows: list[tuple[Any, ...]]) -> None:
        seen = self.seen
        fresh = {row[0] for row in rows}
        if len(fresh) == len(rows) and seen.isdisjoint(fresh):  # the common case: no id seen twice
            seen |= fresh
            self.rows.extend(rows)
        else:
            add = seen.add
            kept = self.rows
            for row in rows:
                if row[0] in seen:
                    self.counts.in_file_duplicates += 1
                    continue
                add(row[0])
                kept.append(row)
        if self.billed:
            self.counts.periods.update([row[12] for row in rows])
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        rows = self.rows
        if not rows:
            return
        self.rows = []
        began = time.perf_counter()
        # New days (their rates are read from the database) and months (partitions): the sender
        # must be idle before the main thread queries.
        days = {r[1].date() for r in rows}
        fresh_days = days - self.days
        if fresh_days:
            self.sender.drain()
            months = {(d.year, d.month) for d in fresh_days} - self.months
            for year, month in sorted(months):
                name = cdr_partition_new(month=dt.date(year, month, 1))
                if name is not None:
                    self.fresh[(year, month)] = name
            self.months |= months
            self.days |= fresh_days
            table_ids = {key[0] for _i, _c, key in self.rating.lines.values()}
            for table_id in table_ids:
                on = self.rating.table_on(table_id)
                for day in sorted(fresh_days):
                    on(day)
        self.sender.send(self._format(rows))
        self.counts.staged += len(rows)
        self.rate_seconds += time.perf_counter() - began
        self.progress(self.counts.rows)

    def _format(self, rows: list[tuple[Any, ...]]) -> _Chunk:
        from offers.rating import rate_cdrs

        rating = self.rating
        lines = rating.lines
        groups: dict[Any, list[int]] = {}
        for index, row in enumerate(rows):
            found = lines.get(row[2])
            groups.setdefault(found[2] if found is not None else None, []).append(index)
        store: list[str | None] = [None] * len(rows)
        ids = [r[0] for r in rows]
        # Ids escaped for COPY only when one of the chunk needs it (one look at them all, not a
        # call per row and per use).
        joined = "".join(ids)
        texts = (
            [copy_text(cdr_id) for cdr_id in ids]
            if ("\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined)
            else ids
        )
        del joined
        tail = self.tail
        family = self.family
        line_segments = self.line_segments
        result_segments = self.result_segments
        mobile = self.mobile
        counts = self.counts
        for key, indexes in groups.items():
            if key is None:
                counts.unknown_line += len(indexes)
                for i in indexes:
                    (
                        cdr_id,
                        start,
                        ref,
                        event,
                        start_text,
                        dur,
                        vol,
                        called,
                        country,
                        label,
                        cost,
                        _c,
                        period,
                        inv,
                    ) = rows[i]
                    store[i] = (
                        f"{texts[i]}\t{ref}\t\\N\t\\N\t\\N\t{event}\t{start_text}\t{dur}\t{vol}\t{called}\t{country}\t"
                        f"{label}\t{cost}\tpending\t\t\t\t\t\tf\t0\t0\t0.0000\t{period}\t{inv}\tt{tail}"
                    )
                continue
            cdrs = [(r[2], r[1], r[3], r[7], r[8], r[5], r[6], r[11]) for r in map(rows.__getitem__, indexes)]
            results = rate_cdrs(
                cdrs,  # type: ignore[arg-type]
                table_on=rating.table_on(key[0]),
                allowances=rating.allowances[key],
                usage_by_period=rating.usage,
            )
            for i, rated in zip(indexes, results, strict=True):
                (
                    cdr_id,
                    start,
                    ref,
                    event,
                    start_text,
                    dur,
                    vol,
                    called,
                    country,
                    label,
                    cost,
                    _c,
                    period,
                    inv,
                ) = rows[i]
                segment = line_segments.get(ref)
                if segment is None:
                    line_id, customer_id, _key = lines[ref]
                    customer = "\\N" if customer_id is None else str(customer_id)
                    segment = line_segments[ref] = (
                        f"{ref}\t{line_id}\t\\N\t{customer}"
                        if mobile
                        else f"{ref}\t\\N\t{line_id}\t{customer}"
                    )
                status, prefix, destination, zone, origin, billed_q, used, _charged, amount, unit = rated
                result_key = (status, prefix, zone, origin, unit, destination)
                result = result_segments.get(result_key)
                if result is None:
                    result = result_segments[result_key] = (
                        f"{status}\t{copy_text(prefix)}\t{copy_text(destination)}\t{copy_text(zone)}\t"
                        f"{origin}\t{_UNIT[unit]}\t{'t' if status == 'unrated' else 'f'}"
                    )
                if status == "unrated":
                    counts.unrated += 1
                whole, part = divmod(amount, 10000) if amount >= 0 else (None, None)
                money = (
                    f"{whole}.{part:04d}"
                    if whole is not None
                    else f"-{-amount // 10000}.{-amount % 10000:04d}"
                )
                store[i] = (
                    f"{texts[i]}\t{segment}\t{event}\t{start_text}\t{dur}\t{vol}\t{called}\t{country}\t{label}\t"
                    f"{cost}\t{result}\t{billed_q}\t{used}\t{money}\t{period}\t{inv}\tf{tail}"
                )
        identity = [f"{family}\t{text}\t{r[4]}\n" for text, r in zip(texts, rows, strict=True)]
        targets = None
        if self.fresh:
            fresh = self.fresh
            targets = [fresh.get((r[1].year, r[1].month), "cdr_import_cdr") for r in rows]
        return _Chunk(ids=ids, store_lines=store, identity_lines=identity, targets=targets)  # type: ignore[arg-type]

    def finish(self) -> None:
        try:
            self.flush()
            self.sender.drain()
        finally:
            self.sender.close()
        began = time.perf_counter()
        for (year, month), name in sorted(self.fresh.items()):
            cdr_partition_attach(month=dt.date(year, month, 1), name=name)
        self.attach_seconds = time.perf_counter() - began


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a file is staged, back on (and run once) after.

    An import allocates millions of tuples; each few hundred trigger a collection that walks
    every live container again: about 40 % of the rating and formatting CPU on a million rows
    (docs/benchmarks.md, issue 12). The pipeline makes no reference cycles worth collecting early.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(1)


def stage_file(
    *,
    path: Path,
    filename: str,
    family: str,
    billed: bool,
    profile: FeedProfile,
    import_id: int,
    rating_for: Callable[[str], Any],
    progress: Callable[[int], None],
) -> tuple[Counts, str, list[RowError], list[str]]:
    """Read the file, rate its sound first-seen rows and send them to the store (or, for the known
    CDRs a billed file confirms, to `cdr_stage` / `cdr_known` for the merge).

    Returns the counts, the family, the rejected rows' errors and each one's raw text.
    """
    with _collector_paused():
        return _stage_file(
            path=path,
            filename=filename,
            family=family,
            billed=billed,
            profile=profile,
            import_id=import_id,
            rating_for=rating_for,
            progress=progress,
        )


def _stage_file(
    *,
    path: Path,
    filename: str,
    family: str,
    billed: bool,
    profile: FeedProfile,
    import_id: int,
    rating_for: Callable[[str], Any],
    progress: Callable[[int], None],
) -> tuple[Counts, str, list[RowError], list[str]]:
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT cdr_fast_read")
    try:
        result = _stage(
            path=path,
            filename=filename,
            family=family,
            billed=billed,
            profile=profile,
            import_id=import_id,
            rating_for=rating_for,
            progress=progress,
            fast=True,
        )
        reader_used = "fast"
    except SlowPath:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK TO SAVEPOINT cdr_fast_read")
        result = _stage(
            path=path,
            filename=filename,
            family=family,
            billed=billed,
            profile=profile,
            import_id=import_id,
            rating_for=rating_for,
            progress=progress,
            fast=False,
        )
        reader_used = "general"
    with connection.cursor() as cursor:
        cursor.execute("RELEASE SAVEPOINT cdr_fast_read")
    result[0].timings["read_rate_send"] = round(time.perf_counter() - began, 3)
    result[0].timings["reader"] = reader_used  # type: ignore[assignment]
    return result


def _stage(
    *,
    path: Path,
    filename: str,
    family: str,
    billed: bool,
    profile: FeedProfile,
    import_id: int,
    rating_for: Callable[[str], Any],
    progress: Callable[[int], None],
    fast: bool,
) -> tuple[Counts, str, list[RowError], list[str]]:
    counts = Counts()
    errors: list[RowError] = []
    raws: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS cdr_stage, cdr_known")
        cursor.execute(
            "CREATE TEMPORARY TABLE cdr_stage (LIKE cdr_import_cdr INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE cdr_known (cdr_id varchar(64), known_start timestamptz) ON COMMIT DROP"
        )
    rows_source = _fast_rows if fast else _general_rows
    stager: _Stager | None = None
    delimiter = profile.delimiter

    def reject(number: int, cells: list[str], row_errors: list[RowError]) -> None:
        counts.rejected += 1
        raw = delimiter.join(cells)[:2000]
        errors.extend(row_errors)
        raws.extend(raw for _e in row_errors)

    try:
        for kind, payload in rows_source(
            path, filename=filename, family=family, billed=billed, profile=profile
        ):
            if kind == "family":
                family = payload
                stager = _Stager(
                    family=family,
                    billed=billed,
                    import_id=import_id,
                    rating=rating_for(family),
                    counts=counts,
                    progress=progress,
                )
                continue
            sound, rejections, read = payload
            counts.rows += read
            for rejection in rejections:
                reject(*rejection)
            stager.add_many(sound)  # type: ignore[union-attr]
        if stager is not None:
            stager.finish()
            counts.timings["rate_format"] = round(stager.rate_seconds, 3)
            counts.timings["copy_busy"] = round(stager.sender.busy, 3)
            counts.timings["index_attach"] = round(stager.attach_seconds, 3)
    except BaseException:
        if stager is not None:
            stager.sender.close()
        raise
    return counts, family, errors, raws


def _trailer_check(number: int, cells: list[str], count: int, filename: str, profile: FeedProfile) -> bool:
    """True when the line is the profile's trailer (its count checked: a wrong one rejects the file)."""
    if not profile.is_trailer(cells):
        return False
    declared = cells[1].strip() if len(cells) > 1 else ""
    if profile.trailer_checked and (not declared.isdigit() or int(declared) != count):
        raise FeedFileError(
            [
                RowError(
                    number,
                    "TRAILER",
                    _("the trailer announces %(declared)s rows but the file has %(count)s: truncated file")
                    % {"declared": declared or "?", "count": count},
                    file=filename,
                )
            ],
            file=filename,
        )
    return True


def _fast_rows(
    path: Path, *, filename: str, family: str, billed: bool, profile: FeedProfile
) -> Iterator[tuple[str, Any]]:
    """The file's rows through the fast reader: ("family", f), then per block ("rows", (sound rows,
    rejections, rows read))."""
    delimiter = profile.delimiter
    blank = delimiter + " \t"
    reader: FeedReader | None = None
    lean: Callable[[list[str]], tuple[Any, ...]] | None = None
    pending: tuple[int, str] | None = None
    pending_plain = False  # the pending line's block holds no backslash and no tab
    body = 0
    for first_number, lines, plain_block in _fast_blocks(path, profile):
        number = first_number - 1
        sound: list[tuple[Any, ...]] = []
        rejections: list[tuple[int, list[str], list[RowError]]] = []
        before = body
        append = sound.append
        for text in lines:
            number += 1
            if not text.strip(blank):
                continue
            if reader is None:
                family = _family_from_header(family, [profile.column_key(c) for c in text.split(delimiter)])
                reader = _header_reader(
                    number,
                    text,
                    profile=profile,
                    columns=cdr_columns(family=family, billed=billed),
                    filename=filename,
                )
                lean = lean_row_reader(reader, family=family, billed=billed)
                yield "family", family
                continue
            if pending is not None:
                body += 1
                line_number, line_text = pending
                cells = line_text.split(delimiter)
                # A backslash or a tab must be escaped for COPY: such a row takes the general path.
                if pending_plain or ("\\" not in line_text and "\t" not in line_text):
                    try:
                        append(lean(cells))  # type: ignore[misc]
                        pending = (number, text)
                        pending_plain = plain_block
                        continue
                    except (ValueError, IndexError, TypeError, ArithmeticError):
                        pass
                kind, payload = _one_row(line_number, cells, False, lean, reader, family)  # type: ignore[arg-type]
                (append if kind == "row" else rejections.append)(payload)
            pending = (number, text)
            pending_plain = plain_block
        if reader is not None:
            yield "rows", (sound, rejections, body - before)
    if reader is None:
        raise FeedFileError([RowError(0, "", _("the file is empty"), file=filename)], file=filename)
    if pending is not None and lean is not None:
        cells = pending[1].split(delimiter)
        if not _trailer_check(pending[0], cells, body, filename, profile):
            plain = "\\" not in pending[1] and "\t" not in pending[1]
            kind, payload = _one_row(pending[0], cells, plain, lean, reader, family)
            yield "rows", ([payload], [], 1) if kind == "row" else ([], [payload], 1)


def _one_row(
    number: int,
    cells: list[str],
    plain: bool,
    lean: Callable[[list[str]], tuple[Any, ...]],
    reader: FeedReader,
    family: str,
) -> tuple[str, Any]:
    if plain:
        try:
            return "row", lean(cells)
        except (ValueError, IndexError, TypeError, ArithmeticError):
            pass
    if len(cells) == reader.width + 1 and cells[-1] == "":
        cells.pop()  # the spare cell the lean reader added
    values, row_errors = reader.parse(number, cells)
    if row_errors:
        return "rejected", (number, cells, row_errors)
    return "row", row_from_values(values, family == Family.MOBILE)


def _general_rows(
    path: Path, *, filename: str, family: str, billed: bool, profile: FeedProfile
) -> Iterator[tuple[str, Any]]:
    """The file's rows through the general reader of `core.delimited` (any encoding, quotes…)."""
    if not family:
        with open_feed(path, columns=[], filename=filename, profile=profile) as probe:
            family = (
                Family.VGA
                if probe.position("LINE_NUMBER") is not None and probe.position("MSISDN") is None
                else Family.MOBILE
            )
    with open_feed(
        path,
        columns=cdr_columns(family=family, billed=billed),
        filename=filename,
        profile=profile,
        validate_row=row_rules,
    ) as reader:
        lean = lean_row_reader(reader, family=family, billed=billed)
        yield "family", family
        for number, cells in reader.rows():
            kind, payload = _one_row(number, cells, False, lean, reader, family)
            yield "rows", ([payload], [], 1) if kind == "row" else ([], [payload], 1)
