"""Writes of the cdr_import app: a feed file becomes an `Import`, its CDRs are rated and stored.

The pipeline (`import_file`): archive the file, check its SHA-256 against the files seen before
(same content → duplicate, no effect), detect its feed type from its name, then for CDR files read
it with the streaming reader (`core.delimited`) in the profile's layout, validate each row (faulty
rows become `RejectedRow`s, the others go on), drop repeated CDR_IDs, rate with the engine's
`rate_cdrs` against each line's offer and rate table (lines looked up once per file), COPY the rows
into a staging table and merge them into the partitioned store in SQL.

Transactions: the CDR work of a file is one transaction (staging, identity, store, counts and the
final status commit together), under a per-schema advisory lock on the store. A crash mid-file
leaves the store untouched and the `Import` in `parsing`; a re-run of the same file takes that
import up again and ends with the same counts and rows as an undisturbed run.
"""

import datetime as dt
import hashlib
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from cdr_import.hooks import after_cdrs_rerated, after_cdrs_stored_hooks, feed_handler_for
from cdr_import.models import Family, FeedType, Import, ImportSource, ImportStatus, RejectedRow
from cdr_import.pipeline import copy_text as _text
from cdr_import.pipeline import stage_file
from cdr_import.profiles import DEFAULT_PROFILE, feed_name_match, import_profile
from cdr_import.store import PARIS, cdr_partition_swap, month_bounds, partition_name
from core.delimited import (
    FeedFileError,
)
from core.downloads import storage_file_name
from core.errors import ApplicationError
from customers.models import Customer
from offers.models import RateTable
from offers.rating import (
    Allowances,
    Cdr,
    CompiledTable,
    compile_table,
    rate_cdrs,
)
from offers.selectors import allowances_for, compiled_table_for
from provisioning.models import FixedNumber, LineStatus, MobileLine

_UNIT = {"MIN": "s", "MB": "KB", "EVENT": "event"}


def _amount(e4: int) -> str:
    sign = "-" if e4 < 0 else ""
    whole, part = divmod(abs(e4), 10000)
    return f"{sign}{whole}.{part:04d}"


# --- Lines and their rating --------------------------------------------------------------------
@dataclass
class _LineRating:
    """What a file's CDRs are rated with: each line's ids and its group (table, offer, options)."""

    lines: dict[str, tuple[int, int | None, tuple[Any, ...]]] = field(default_factory=dict)
    tables: dict[int | None, RateTable | None] = field(default_factory=dict)
    allowances: dict[tuple[Any, ...], Allowances] = field(default_factory=dict)
    compiled: dict[tuple[int | None, dt.date], CompiledTable] = field(default_factory=dict)
    usage: dict[str, dict[str, list[int | None]]] = field(default_factory=dict)

    def table_on(self, table_id: int | None) -> Callable[[dt.date], CompiledTable]:
        def on(day: dt.date) -> CompiledTable:
            key = (table_id, day)
            found = self.compiled.get(key)
            if found is None:
                table = self.tables.get(table_id)
                found = self.compiled[key] = (
                    compile_table([]) if table is None else compiled_table_for(table=table, on=day)
                )
            return found

        return on


def _line_rating(family: str) -> _LineRating:
    """Every line of the family, looked up once: live lines win over terminated ones."""
    rating = _LineRating()
    if family == Family.MOBILE:
        options: dict[int, list[int]] = {}
        for line_id, option_id in MobileLine.options.through.objects.values_list(
            "mobileline_id", "option_id"
        ):
            options.setdefault(line_id, []).append(option_id)
        rows = MobileLine.objects.order_by("id").values_list(
            "id",
            "msisdn",
            "customer_id",
            "offer_id",
            "rate_table_id",
            "offer__default_rate_table_id",
            "status",
        )
        for line_id, number, customer_id, offer_id, table_id, default_table_id, status in rows:
            if status == LineStatus.TERMINATED and number in rating.lines:
                continue
            key = (table_id or default_table_id, offer_id, tuple(sorted(options.get(line_id, ()))))
            rating.lines[number] = (line_id, customer_id, key)
    else:
        fixed = FixedNumber.objects.order_by("id").values_list(
            "id", "number", "customer_id", "offer_id", "rate_table_id", "offer__default_rate_table_id"
        )
        for line_id, number, customer_id, offer_id, table_id, default_table_id in fixed:
            rating.lines[number] = (line_id, customer_id, (table_id or default_table_id, offer_id, ()))
    table_ids = {key[0] for _id, _c, key in rating.lines.values() if key[0] is not None}
    rating.tables = {t.pk: t for t in RateTable.objects.filter(pk__in=table_ids)}
    from offers.models import Offer, Option

    offers = {o.pk: o for o in Offer.objects.filter(pk__in={k[1] for _i, _c, k in rating.lines.values()})}
    all_options = {
        o.pk: o for o in Option.objects.filter(pk__in={i for ids in _options_of(rating) for i in ids})
    }
    for _line_id, _customer, key in rating.lines.values():
        if key not in rating.allowances:
            rating.allowances[key] = allowances_for(
                offer=offers.get(key[1]), options=[all_options[i] for i in key[2] if i in all_options]
            )
    return rating


def _options_of(rating: _LineRating) -> Iterator[tuple[int, ...]]:
    for _line_id, _customer, key in rating.lines.values():
        yield key[2]


# --- The pipeline ------------------------------------------------------------------------------
def _digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


def _finish(feed_import: Import, *, status: str, now: dt.datetime, reason: str = "", **fields: Any) -> Import:
    feed_import.status = status
    feed_import.reason = reason
    feed_import.finished_at = now
    for name, value in fields.items():
        setattr(feed_import, name, value)
    feed_import.save()
    return feed_import


def import_file(
    *,
    path: Path | str,
    source: str,
    by: User | None,
    now: dt.datetime,
    feed_type: str | None = None,
    customer: Customer | None = None,
    flow: str = "",
    original_name: str = "",
    profile: str = DEFAULT_PROFILE,
    context: AuditContext | None = None,
) -> Import:
    """Import one feed file: archived, checked against the files seen before, read, rated, stored.

    The same content as a live import is a duplicate (no effect); an unfinished import of the same
    content (a crash mid-way) is taken up again and finished. A name that matches no feed pattern
    (and no `feed_type` given) is rejected with that reason. (`import_receive` then
    `import_process`: a worker runs the second part through `tasks.import_file_task`.)
    """
    feed_import = import_receive(
        path=path,
        source=source,
        by=by,
        now=now,
        feed_type=feed_type,
        customer=customer,
        flow=flow,
        original_name=original_name,
        profile=profile,
    )
    if feed_import.status == ImportStatus.DUPLICATE:
        return feed_import
    return import_process(feed_import=feed_import, by=by, now=now, context=context)


def import_receive(
    *,
    path: Path | str,
    source: str,
    by: User | None,
    now: dt.datetime,
    feed_type: str | None = None,
    customer: Customer | None = None,
    flow: str = "",
    original_name: str = "",
    profile: str = DEFAULT_PROFILE,
) -> Import:
    """Record and archive a file (status `received`), or return the unfinished import of the same
    content (taken up again), or a `duplicate` record of a finished one. Nothing is read yet."""
    path = Path(path)
    name = original_name or path.name
    sha, size = _digest(path)
    if source not in ImportSource.values:
        raise ApplicationError(_("Unknown import source."), field="source")
    if feed_type and feed_type not in FeedType.values:
        raise ApplicationError(_("Unknown feed type “%(type)s”.") % {"type": feed_type}, field="feed_type")
    previous = (
        Import.objects.filter(sha256=sha)
        .exclude(status__in=[ImportStatus.DUPLICATE, ImportStatus.REJECTED])
        .order_by("id")
        .first()
    )
    if previous is not None and previous.is_finished:
        return _duplicate(previous, path=path, name=name, source=source, sha=sha, size=size, by=by, now=now)
    if previous is not None:  # interrupted (a crash): taken up again, with what it was given
        return previous
    feed_import = Import(
        source=source,
        path=str(path),
        original_name=name,
        size=size,
        sha256=sha,
        feed_type=feed_type or "",
        customer=customer,
        flow=flow,
        profile=profile,
        received_at=now,
        created_by=by,
    )
    try:
        with transaction.atomic():
            feed_import.save()
    except IntegrityError:  # another worker took the same content at this very moment
        live = Import.objects.filter(sha256=sha).exclude(
            status__in=[ImportStatus.DUPLICATE, ImportStatus.REJECTED]
        )
        return _duplicate(
            live.first(), path=path, name=name, source=source, sha=sha, size=size, by=by, now=now
        )
    with open(path, "rb") as handle:  # archived first, before anything is read
        feed_import.archived_file.save(storage_file_name(name, fallback="feed"), File(handle), save=False)
    feed_import.save(update_fields=["archived_file"])
    return feed_import


def import_process(
    *,
    feed_import: Import,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> Import:
    """Read, rate and store a received (or interrupted) import, unless it is finished or another
    session is processing it right now (a session lock per import says so; it dies with the
    session, so a killed worker's import can be taken up at once)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_lock(hashtext(current_schema() || ':import'), %s)", [feed_import.pk]
        )
        if not cursor.fetchone()[0]:
            feed_import.refresh_from_db()
            return feed_import
    try:
        feed_import.refresh_from_db()
        if feed_import.is_finished:
            return feed_import
        feed_import = _process(feed_import, feed_type=feed_import.feed_type or None, by=by, now=now)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(hashtext(current_schema() || ':import'), %s)", [feed_import.pk]
            )
    audit_record(
        actor=by,
        action="feed_import.processed",
        obj=feed_import,
        changes={"file": feed_import.original_name, "status": feed_import.status, "rows": feed_import.rows},
        context=context,
    )
    return feed_import


def _duplicate(
    original: Import | None,
    *,
    path: Path,
    name: str,
    source: str,
    sha: str,
    size: int,
    by: User | None,
    now: dt.datetime,
) -> Import:
    return Import.objects.create(
        source=source,
        path=str(path),
        original_name=name,
        size=size,
        sha256=sha,
        archived_file=original.archived_file.name if original is not None else "",
        feed_type=original.feed_type if original is not None else "",
        family=original.family if original is not None else "",
        flow=original.flow if original is not None else "",
        status=ImportStatus.DUPLICATE,
        reason=_("Same content as import #%(id)s.") % {"id": original.pk if original else "?"},
        duplicate_of=original,
        received_at=now,
        started_at=now,
        finished_at=now,
        created_by=by,
    )


def _process(feed_import: Import, *, feed_type: str | None, by: User | None, now: dt.datetime) -> Import:
    match = feed_name_match(feed_import.original_name)
    feed_import.feed_type = feed_type or feed_import.feed_type or (match.feed_type if match else "")
    if not feed_import.feed_type:
        return _finish(
            feed_import,
            status=ImportStatus.REJECTED,
            now=now,
            reason=_("The file name “%(name)s” matches no known feed pattern.")
            % {"name": feed_import.original_name},
        )
    if match is not None and match.feed_type == feed_import.feed_type:
        feed_import.family = feed_import.family or match.family
        feed_import.flow = feed_import.flow or match.flow
        feed_import.billing_period = feed_import.billing_period or match.billing_period
    feed_import.status = ImportStatus.PARSING
    feed_import.started_at = now
    feed_import.save()
    path = Path(feed_import.archived_file.path) if feed_import.archived_file else Path(feed_import.path)
    if feed_import.feed_type in (FeedType.RATED, FeedType.BILLED):
        return _import_cdrs(feed_import, path=path, now=now)
    handler = feed_handler_for(feed_import.feed_type)
    if handler is None:
        return _finish(
            feed_import,
            status=ImportStatus.REJECTED,
            now=now,
            reason=_("Files of this type (%(type)s) are not handled yet.")
            % {"type": feed_import.get_feed_type_display()},
        )
    try:
        with transaction.atomic():
            counts = handler(path=path, feed_import=feed_import, by=by, now=now)
    except ApplicationError as exc:
        faults = exc.extra.get("errors") or []
        RejectedRow.objects.bulk_create(
            [
                RejectedRow(
                    feed_import=feed_import,
                    line=int(e.get("line") or 0),
                    field=str(e.get("column") or "")[:40],
                    reason=str(e.get("reason") or ""),
                )
                for e in faults
            ]
        )
        return _finish(feed_import, status=ImportStatus.REJECTED, now=now, reason=str(exc.message))
    rejected = int(counts.get("rejected", 0))
    return _finish(
        feed_import,
        status=ImportStatus.DONE_WITH_REJECTIONS if rejected else ImportStatus.DONE,
        now=now,
        rows=int(counts.get("rows", 0)),
        imported=int(counts.get("imported", 0)),
        rejected=rejected,
    )


def _import_cdrs(feed_import: Import, *, path: Path, now: dt.datetime) -> Import:
    """Read, validate, deduplicate, rate and store a RatedCDRs / BilledCDRs file, in one transaction.

    Progress (rows read) is written while it runs through a connection of its own, so other
    sessions see it; the CDRs, rejected rows, counts and final status commit together.
    """
    billed = feed_import.feed_type == FeedType.BILLED
    began = time.perf_counter()
    profile = import_profile(feed_import)
    feed_import.progress_total = _rows_estimate(path)
    feed_import.progress_done = 0
    feed_import.save(update_fields=["progress_total", "progress_done"])
    reporter = ProgressReporter(feed_import, enabled=not connection.in_atomic_block)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # One writer of a schema's store at a time: the identity check then cannot race.
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':cdr_store'))")
            timings: dict[str, Any] = {"lock": round(time.perf_counter() - began, 3)}
            RejectedRow.objects.filter(feed_import=feed_import).delete()  # a replay starts afresh
            counts, family, errors, raws = stage_file(
                path=path,
                filename=feed_import.original_name,
                family=feed_import.family,
                billed=billed,
                profile=profile,
                import_id=feed_import.pk,
                rating_for=_line_rating,
                progress=reporter.report,
            )
            timings.update(counts.timings)
            mark = time.perf_counter()
            corrected = _merge_known(family=family, periods=counts.periods, timings=timings) if billed else 0
            timings["merge"] = round(time.perf_counter() - mark, 3)
            mark = time.perf_counter()
            RejectedRow.objects.bulk_create(
                [
                    RejectedRow(
                        feed_import=feed_import, line=e.line, field=e.column, reason=e.reason, raw=raw
                    )
                    for e, raw in zip(errors, raws, strict=True)
                ],
                batch_size=2000,
            )
            timings["rejected_rows"] = round(time.perf_counter() - mark, 3)
            _finish(
                feed_import,
                status=ImportStatus.DONE_WITH_REJECTIONS if counts.rejected else ImportStatus.DONE,
                now=now,
                family=family,
                rows=counts.rows,
                imported=counts.imported,
                known=counts.known - corrected + counts.in_file_duplicates,
                corrected=corrected,
                rejected=counts.rejected,
                unrated=counts.unrated,
                unknown_line=counts.unknown_line,
                progress_done=counts.rows,
                progress_total=counts.rows,
                timings=timings,
            )
            mark = time.perf_counter()
            _after_cdrs_stored(feed_import, now, timings=timings)
            timings["after_stored"] = round(time.perf_counter() - mark, 3)
            timings["total"] = round(time.perf_counter() - began, 3)
            feed_import.timings = timings
            feed_import.save(update_fields=["timings"])
    except FeedFileError as exc:
        with transaction.atomic():
            RejectedRow.objects.filter(feed_import=feed_import).delete()
            RejectedRow.objects.bulk_create(
                [
                    RejectedRow(feed_import=feed_import, line=e.line, field=e.column, reason=e.reason)
                    for e in exc.errors
                ]
            )
            _finish(
                feed_import,
                status=ImportStatus.REJECTED,
                now=now,
                reason="; ".join(str(e) for e in exc.errors),
                rows=0,
                imported=0,
                known=0,
                corrected=0,
                rejected=0,
                unrated=0,
                unknown_line=0,
            )
    finally:
        reporter.close()
    return feed_import


def _after_cdrs_stored(feed_import: Import, now: dt.datetime, timings: dict[str, Any] | None = None) -> None:
    """The one place where the CDRs of an import are stored (same transaction, before it commits).

    What must follow each CDR import is registered in `hooks.after_cdrs_stored_register`, in app
    order: this app's prepaid debits and consumption / roaming-cap alerts (`usage.usage_after_import`,
    idempotent per CDR and per threshold), then the apps above (the daily usage figures of reports).
    """
    for hook in after_cdrs_stored_hooks():
        mark = time.perf_counter()
        hook(feed_import=feed_import, now=now)
        if timings is not None:  # each hook's share, in the import's timings (docs/benchmarks.md)
            timings[f"hook_{getattr(hook, '__name__', 'hook')}"] = round(time.perf_counter() - mark, 3)


def _rows_estimate(path: Path) -> int:
    """The rows to read, for the progress bar: the file's line count less its header (fast)."""
    lines = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


class ProgressReporter:
    """Writes an import's progress through an autocommit connection of its own, at most every
    half second: other sessions see it while the import's own transaction is still open.

    Disabled inside an outer transaction (tests, a caller's atomic block): the import's row may
    not be visible or may be locked there, and the final counts say it all anyway.
    """

    def __init__(self, feed_import: Import, *, enabled: bool):
        self.import_id = feed_import.pk
        self.schema = connection.schema_name if hasattr(connection, "schema_name") else "public"
        self.enabled = enabled
        self.conn: Any = None
        self.last = 0.0

    def report(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.5:
            return
        self.last = now
        try:
            if self.conn is None:
                import psycopg

                params = connection.get_connection_params()
                params.pop("cursor_factory", None)
                params.pop("context", None)
                params.pop("prepare_threshold", None)
                params.pop("server_side_binding", None)
                self.conn = psycopg.connect(**params, autocommit=True)
                self.conn.execute("SET lock_timeout = '200ms'")
            self.conn.execute(
                _progress_sql(self.schema),
                [done, self.import_id],
            )
        except Exception:  # noqa: BLE001 (progress is best effort: the import goes on)
            self.enabled = False

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _progress_sql(schema: str) -> Any:
    from psycopg import sql

    return sql.SQL(
        "UPDATE {}.cdr_import_import SET progress_done = %s WHERE id = %s AND status IN ('parsing', 'rating')"
    ).format(sql.Identifier(schema))


# A month's partition is rewritten when a billed file confirms at least 1 / REWRITE_SHARE of its
# rows; below that, the confirmed rows are updated in place.
REWRITE_SHARE = 3


def _rewrite_confirmed_months(cursor: Any, *, rerated: tuple[str, ...]) -> None:
    """The months whose stored CDRs a billed file confirms for the most part: rewritten whole.

    Updating a million stored rows in place writes each one again with an entry in every index
    (112 s for a million on this machine, docs/benchmarks.md, issue 12); writing the month's
    partition anew (every row, confirmed or not, with the same values the UPDATE of
    `_merge_known` gives it), then building its indexes, costs a few seconds. The confirmed rows
    of those months are then taken out of `cdr_known`, and the UPDATE sees only the others.
    The month's rows are matched to the staged ones by (family, cdr_id) alone: the identity table
    keeps that pair once in the whole store, with the start time `cdr_known` holds.
    """
    cursor.execute(
        """
        SELECT extract(year FROM known_start AT TIME ZONE 'Europe/Paris')::int,
               extract(month FROM known_start AT TIME ZONE 'Europe/Paris')::int, count(*)
        FROM cdr_known GROUP BY 1, 2 ORDER BY 1, 2
        """
    )
    months = cursor.fetchall()
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'cdr_import_cdr'::regclass "
        "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
    )
    columns = [name for (name,) in cursor.fetchall()]
    matched = "s.cdr_id IS NOT NULL"
    changed = f"({matched} AND c.wholesale_cost <> s.wholesale_cost)"
    from_stage = {"billing_period", "operator_invoice_ref", "billed_import_id", "wholesale_cost"}
    values = []
    for column in columns:
        if column == "billed_by_operator":
            values.append(f"c.billed_by_operator OR {matched}")
        elif column == "not_billed_by_operator":
            values.append(f"c.not_billed_by_operator AND NOT {matched}")
        elif column == "corrected_by_billed":
            values.append(f"c.corrected_by_billed OR {changed}")
        elif column in from_stage:
            values.append(f"CASE WHEN {matched} THEN s.{column} ELSE c.{column} END")
        elif column in rerated:
            values.append(f"CASE WHEN {changed} THEN s.{column} ELSE c.{column} END")
        else:
            values.append(f"c.{column}")
    for year, month_number, confirmed in months:
        month = dt.date(year, month_number, 1)
        name = partition_name(month)
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is None:
            continue
        cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 (our name)
        if confirmed * REWRITE_SHARE < cursor.fetchone()[0]:
            continue  # a few rows of a large month: the UPDATE is cheaper
        first, following = month_bounds(month)
        cursor.execute("DROP TABLE IF EXISTS cdr_rewrite")
        cursor.execute("CREATE TABLE cdr_rewrite (LIKE cdr_import_cdr INCLUDING DEFAULTS)")
        cursor.execute(
            f"""
            INSERT INTO cdr_rewrite ({", ".join(columns)})
            SELECT {", ".join(values)}
            FROM {name} c LEFT JOIN cdr_stage s ON c.family = s.family AND c.cdr_id = s.cdr_id
            """  # noqa: S608 (our SQL)
        )
        cdr_partition_swap(month=month, name="cdr_rewrite")
        cursor.execute(
            "DELETE FROM cdr_known WHERE known_start >= %s AND known_start < %s", [first, following]
        )


def _merge_known(*, family: str, periods: set[str], timings: dict[str, Any] | None = None) -> int:
    """A billed file's CDRs already in the store (`cdr_stage` / `cdr_known`): confirmed, and
    corrected (with their rating) where the cost differs; then its periods' CDRs the operator did
    not bill are flagged. Returns how many were corrected."""
    corrected = 0
    timings = {} if timings is None else timings
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = round(now - mark, 3)
        mark = now

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cdr_known")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("ANALYZE cdr_stage")
            cursor.execute("ANALYZE cdr_known")
            rerated = (
                "billed_quantity", "billed_unit", "rated_amount", "rating_status", "rate_prefix",
                "rate_destination", "rate_zone", "origin_zone", "allowance_used", "unrated",
            )  # fmt: skip
            changed = "c.wholesale_cost <> s.wholesale_cost"
            sets = ", ".join(f"{col} = CASE WHEN {changed} THEN s.{col} ELSE c.{col} END" for col in rerated)
            cursor.execute(
                """
                SELECT count(*) FROM cdr_stage s JOIN cdr_known k ON k.cdr_id = s.cdr_id
                JOIN cdr_import_cdr c ON c.family = s.family AND c.cdr_id = s.cdr_id AND c.start_time = k.known_start
                WHERE c.wholesale_cost <> s.wholesale_cost
                """
            )
            corrected = cursor.fetchone()[0]
            lap("merge_count_corrected")
            _rewrite_confirmed_months(cursor, rerated=rerated)
            lap("merge_rewrite")
            cursor.execute(
                f"""
                UPDATE cdr_import_cdr c SET
                    billed_by_operator = true, not_billed_by_operator = false,
                    corrected_by_billed = c.corrected_by_billed OR {changed},
                    billing_period = s.billing_period, operator_invoice_ref = s.operator_invoice_ref,
                    billed_import_id = s.billed_import_id, {sets}, wholesale_cost = s.wholesale_cost
                FROM cdr_stage s JOIN cdr_known k ON k.cdr_id = s.cdr_id
                WHERE c.family = s.family AND c.cdr_id = s.cdr_id AND c.start_time = k.known_start
                """  # noqa: S608 (our SQL)
            )
            lap("merge_update")
        # The periods' CDRs of the store that no billed file confirmed.
        for period in sorted(p for p in periods if p):
            first, following = month_bounds(dt.date(int(period[:4]), int(period[5:7]), 1))
            cursor.execute(
                """
                UPDATE cdr_import_cdr SET not_billed_by_operator = true
                WHERE family = %s AND start_time >= %s AND start_time < %s
                  AND NOT billed_by_operator AND NOT not_billed_by_operator
                """,
                [family, first, following],
            )
        lap("merge_not_billed")
    return corrected


def cdr_rate_unknown_lines(*, by: User | None, now: dt.datetime, context: AuditContext | None = None) -> int:
    """Rate the stored CDRs of lines unknown at import that exist now; returns how many were rated.

    Their line, customer and rating are set and the `unknown_line` flag cleared; like every
    intra-month rating it is provisional (billing rates the whole month in time order).
    """
    rated_count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':cdr_store'))")
        for family in (Family.MOBILE, Family.VGA):
            cursor.execute(
                "SELECT DISTINCT line_ref FROM cdr_import_cdr WHERE unknown_line AND family = %s", [family]
            )
            waiting = {ref for (ref,) in cursor.fetchall()}
            if not waiting:
                continue
            rating = _line_rating(family)
            refs = sorted(waiting & set(rating.lines))
            if not refs:
                continue
            cursor.execute(
                """
                SELECT id, start_time, line_ref, event_type, called_number, roaming_country, duration_s,
                       volume_bytes, wholesale_cost
                FROM cdr_import_cdr WHERE unknown_line AND family = %s AND line_ref = ANY(%s)
                ORDER BY start_time, id
                """,
                [family, refs],
            )
            found = cursor.fetchall()
            groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
            for record in found:
                groups.setdefault(rating.lines[record[2]][2], []).append(record)
            out = io.StringIO()
            mobile = family == Family.MOBILE
            for key, records in groups.items():
                cdrs = [
                    Cdr(ref, start.astimezone(PARIS), event, called, country, duration, volume, cost)
                    for _id, start, ref, event, called, country, duration, volume, cost in records
                ]
                results = rate_cdrs(
                    cdrs,
                    table_on=rating.table_on(key[0]),
                    allowances=rating.allowances[key],
                    usage_by_period=rating.usage,
                )
                for record, rated in zip(records, results, strict=True):
                    line_id, customer_id, _key = rating.lines[record[2]]
                    status, prefix, destination, zone, origin, billed_q, used, _charged, amount, unit = rated
                    out.write(
                        "\t".join(
                            [
                                str(record[0]),
                                record[1].isoformat(),
                                str(line_id) if mobile else "\\N",
                                "\\N" if mobile else str(line_id),
                                "\\N" if customer_id is None else str(customer_id),
                                str(billed_q),
                                _UNIT[unit],
                                _amount(amount),
                                status,
                                _text(prefix),
                                _text(destination),
                                _text(zone),
                                origin,
                                str(used),
                                "t" if status == "unrated" else "f",
                            ]
                        )
                        + "\n"
                    )
            cursor.execute("DROP TABLE IF EXISTS cdr_rerated")
            cursor.execute(
                """
                CREATE TEMPORARY TABLE cdr_rerated (
                    id bigint, start_time timestamptz, mobile_line_id bigint, fixed_number_id bigint,
                    customer_id bigint, billed_quantity bigint, billed_unit varchar(5), rated_amount numeric(14, 4),
                    rating_status varchar(12), rate_prefix varchar(32), rate_destination varchar(100),
                    rate_zone varchar(30), origin_zone varchar(10), allowance_used bigint, unrated boolean
                ) ON COMMIT DROP
                """
            )
            with cursor.cursor.copy("COPY cdr_rerated FROM STDIN") as copy:
                copy.write(out.getvalue())
            cursor.execute(
                """
                UPDATE cdr_import_cdr c SET mobile_line_id = r.mobile_line_id, fixed_number_id = r.fixed_number_id,
                    customer_id = r.customer_id, billed_quantity = r.billed_quantity, billed_unit = r.billed_unit,
                    rated_amount = r.rated_amount, rating_status = r.rating_status, rate_prefix = r.rate_prefix,
                    rate_destination = r.rate_destination, rate_zone = r.rate_zone, origin_zone = r.origin_zone,
                    allowance_used = r.allowance_used, unrated = r.unrated, unknown_line = false
                FROM cdr_rerated r WHERE c.id = r.id AND c.start_time = r.start_time
                """
            )
            rated_count += cursor.rowcount
            cursor.execute("DROP TABLE cdr_rerated")
            if found:
                after_cdrs_rerated(
                    first=min(r[1] for r in found),
                    following=max(r[1] for r in found) + dt.timedelta(microseconds=1),
                    now=now,
                )
    if rated_count:
        audit_record(
            actor=by,
            action="feed_import.unknown_lines_rated",
            object_type="cdr_import.cdr",
            changes={"cdrs": rated_count},
            context=context,
        )
    return rated_count
