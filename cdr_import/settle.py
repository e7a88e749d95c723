"""Settling a month's usage before it is billed.

During the month each file's CDRs are rated as they arrive, so allowances are consumed in the
order the operator's files came (a late RatedCDRs file, the BilledCDRs file first or last).
Settling rates every CDR of the period again, line by line in time order (ties by the operator's
CDR id, never by arrival), against the rows in force on each CDR's date and the line's current
offer, options and table, with the month's allowances starting whole. The result depends only on
the set of CDRs, not on the order in which they were loaded.

Set-based like the import: the period's CDRs are read line after line with a server-side cursor,
rated in batches of whole lines, COPYed into a temporary table and written back by one UPDATE
per batch that touches only the rows whose rating changed. Customers whose usage of the period is
already on a finalized invoice (`hooks.settle_frozen_customers`) are never touched.
"""

import datetime as dt
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from cdr_import.hooks import after_cdrs_rerated, settle_frozen_customers
from cdr_import.models import Family
from cdr_import.services import _UNIT, _amount, _line_rating, _LineRating, _text
from cdr_import.store import PARIS, month_bounds
from core.errors import ApplicationError
from offers.rating import Allowances, Cdr, CompiledTable, Rated, rate_cdrs

BATCH = 100_000  # CDRs rated and written back together (whole lines)

# The start as epoch seconds (a datetime per row is built in Python far faster than parsed), and
# the stored rating, so only the rows whose rating changes are written back.
_SELECT = """
    SELECT id, extract(epoch FROM start_time)::float8, line_ref, event_type, called_number, roaming_country,
           duration_s, volume_bytes, wholesale_cost,
           rating_status, rate_prefix, rate_destination, rate_zone, origin_zone, billed_quantity,
           allowance_used, (rated_amount * 10000)::bigint, billed_unit,
           coalesce(mobile_line_id, fixed_number_id), customer_id, unknown_line
    FROM cdr_import_cdr
    WHERE family = %s AND start_time >= %s AND start_time < %s {only}
    ORDER BY line_ref, start_time, cdr_id
"""

_CREATE = """
    CREATE TEMPORARY TABLE IF NOT EXISTS cdr_settled (
        id bigint, mobile_line_id bigint, fixed_number_id bigint,
        customer_id bigint, billed_quantity bigint, billed_unit varchar(5), rated_amount numeric(14, 4),
        rating_status varchar(12), rate_prefix varchar(32), rate_destination varchar(100),
        rate_zone varchar(30), origin_zone varchar(10), allowance_used bigint, unrated boolean
    ) ON COMMIT DROP
"""

_UPDATE = """
    UPDATE cdr_import_cdr c SET mobile_line_id = r.mobile_line_id, fixed_number_id = r.fixed_number_id,
        customer_id = r.customer_id, billed_quantity = r.billed_quantity, billed_unit = r.billed_unit,
        rated_amount = r.rated_amount, rating_status = r.rating_status, rate_prefix = r.rate_prefix,
        rate_destination = r.rate_destination, rate_zone = r.rate_zone, origin_zone = r.origin_zone,
        allowance_used = r.allowance_used, unrated = r.unrated, unknown_line = false
    FROM cdr_settled r
    WHERE c.id = r.id AND c.start_time >= %s AND c.start_time < %s
"""


@dataclass
class SettleResult:
    """What settling a period did: CDRs read and rated, rows whose rating changed, lines skipped."""

    period: str
    rated: int = 0
    changed: int = 0
    frozen_lines: int = 0
    unknown: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "rated": self.rated,
            "changed": self.changed,
            "frozen_lines": self.frozen_lines,
            "unknown": self.unknown,
        }


def period_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the period `YYYY-MM` and of the next one, Europe/Paris."""
    try:
        year, month = int(period[:4]), int(period[5:7])
        if len(period) != 7 or period[4] != "-" or not 1 <= month <= 12:
            raise ValueError(period)
    except ValueError:
        raise ApplicationError(
            _("%(period)s is not a period: type it as YYYY-MM, e.g. 2025-03.") % {"period": period},
            field="period",
        ) from None
    return month_bounds(dt.date(year, month, 1))


def cdr_period_settle(
    *,
    period: str,
    now: dt.datetime,
    by: User | None = None,
    lines: Collection[str] | None = None,
    context: AuditContext | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SettleResult:
    """Rate every CDR of `period` again in time order, per line, with the month's allowances
    consumed chronologically; `lines` (line references) limits it to those lines."""
    first, following = period_bounds(period)
    result = SettleResult(period=period)
    frozen_customers = settle_frozen_customers(period=period)
    with transaction.atomic(), connection.cursor() as cursor:
        # The same lock as the imports: no file is merged into the store while the month settles.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':cdr_store'))")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            "SELECT count(*) FROM cdr_import_cdr WHERE start_time >= %s AND start_time < %s",
            [first, following],
        )
        total = cursor.fetchone()[0]
        for family in (Family.MOBILE, Family.VGA):
            rating = _line_rating(family)
            frozen_refs = {
                ref for ref, (_line, customer, _key) in rating.lines.items() if customer in frozen_customers
            }
            result.frozen_lines += len(frozen_refs)
            for batch in period_line_batches(family=family, first=first, following=following, lines=lines):
                batch = [record for record in batch if record[2] not in frozen_refs]
                if batch:
                    _settle_batch(cursor, batch, family=family, rating=rating, result=result)
                    _write_back(cursor, first, following, result)
                if progress is not None:
                    progress(result.rated, total)
        if result.changed:
            after_cdrs_rerated(first=first, following=following, now=now)
        if progress is not None:
            progress(result.rated, total)
    audit_record(
        actor=by,
        action="cdr.period_settled",
        object_type="cdr_import.cdr",
        changes=result.as_dict(),
        context=context,
    )
    return result


def period_line_batches(
    *, family: str, first: dt.datetime, following: dt.datetime, lines: Collection[str] | None = None
) -> Iterator[list[tuple[Any, ...]]]:
    """The stored CDRs of a family in [first, following), in batches of whole lines, each line's
    in time order (ties by the operator's CDR id): the records of `_SELECT`, read with a
    server-side cursor (call it inside a transaction). `lines` (line references) limits them."""
    only, params = "", list[Any]([family, first, following])
    if lines is not None:
        only = "AND line_ref = ANY(%s)"
        params.append(sorted(set(lines)))
    with connection.connection.cursor(name=f"cdr_settle_{family.lower()}") as reader:
        reader.itersize = 20_000
        reader.execute(_SELECT.format(only=only), params)
        batch: list[tuple[Any, ...]] = []
        current = None
        for record in reader:
            ref = record[2]
            if ref != current and len(batch) >= BATCH:
                yield batch
                batch = []
            current = ref
            batch.append(record)
        if batch:
            yield batch


def rate_line_records(
    records: list[tuple[Any, ...]],
    *,
    rating: _LineRating,
    usage: dict[str, dict[str, list[int | None]]],
    table_on: Callable[[dt.date], CompiledTable] | None = None,
    allowances: Callable[[tuple[Any, ...]], Allowances] | None = None,
) -> Iterator[tuple[tuple[Any, ...], Rated | None]]:
    """Rate whole lines' records (`period_line_batches`) as settling does: grouped by the lines'
    rating key, each group in time order, allowances per line and month taken from `usage`.
    Yields each record with its rating (None: no line has its reference). Writes nothing.

    A what-if replaces the lines' own table (`table_on`) or allowances (`allowances(key)`, from a
    line's rating key `(table id, offer id, option ids)`)."""
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for record in records:
        found = rating.lines.get(record[2])
        if found is None:
            yield record, None
            continue
        groups.setdefault(found[2], []).append(record)
    fromtimestamp = dt.datetime.fromtimestamp
    for key, group in groups.items():
        cdrs = [Cdr(r[2], fromtimestamp(r[1], PARIS), r[3], r[4], r[5], r[6], r[7], r[8]) for r in group]
        rated_all = rate_cdrs(
            cdrs,
            table_on=table_on or rating.table_on(key[0]),
            allowances=rating.allowances[key] if allowances is None else allowances(key),
            usage_by_period=usage,
        )
        yield from zip(group, rated_all, strict=True)


def _settle_batch(
    cursor: Any, records: list[tuple[Any, ...]], *, family: str, rating: _LineRating, result: SettleResult
) -> None:
    """Rate whole lines' CDRs (grouped by rating key); COPY those whose rating changed into `cdr_settled`."""
    out: list[str] = []
    mobile = family == Family.MOBILE
    null = "\\N"
    rating.usage = {}  # each settle starts the month's allowances whole
    for record, rated in rate_line_records(records, rating=rating, usage=rating.usage):
        if rated is None:
            result.unknown += 1  # still no line for it: it stays as imported, flagged
            continue
        result.rated += 1
        line_id, customer_id, _key = rating.lines[record[2]]
        status, prefix, destination, zone, origin, billed_q, used, _charged, amount, unit = rated
        unit_code = _UNIT[unit]
        now_is = (
            status,
            prefix,
            destination,
            zone,
            origin,
            billed_q,
            used,
            amount,
            unit_code,
            line_id,
            customer_id,
        )
        if record[9:20] == now_is and not record[20]:
            continue
        out.append(
            f"{record[0]}\t{line_id if mobile else null}\t{null if mobile else line_id}\t"
            f"{null if customer_id is None else customer_id}\t{billed_q}\t{unit_code}\t{_amount(amount)}\t"
            f"{status}\t{_text(prefix)}\t{_text(destination)}\t{_text(zone)}\t{origin}\t{used}\t"
            f"{'t' if status == 'unrated' else 'f'}\n"
        )
    cursor.execute(_CREATE)
    cursor.execute("TRUNCATE cdr_settled")
    if out:
        with cursor.cursor.copy("COPY cdr_settled FROM STDIN") as copy:
            copy.write("".join(out))


def _write_back(cursor: Any, first: dt.datetime, following: dt.datetime, result: SettleResult) -> None:
    cursor.execute(_UPDATE, [first, following])
    result.changed += cursor.rowcount


def lines_rating(family: str) -> _LineRating:
    """Every line of a family with its rating key, as settling looks them up (for what-if pricing)."""
    return _line_rating(family)
