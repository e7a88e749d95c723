"""Writes of the reports app: the daily usage per line, derived from the CDR store."""

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from audit.context import AuditContext
from audit.services import audit_record
from core.errors import ApplicationError
from reports.models import DailyUsage, ReportSettings

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

_KEYS = "family, line_ref, mobile_line_id, fixed_number_id, customer_id, event_type, roaming"
_SUMS = "events, duration_s, volume_bytes, rated_amount, wholesale_cost, unrated"

_AGGREGATE_SQL = """
SELECT (start_time AT TIME ZONE 'Europe/Paris')::date, family, line_ref, mobile_line_id,
       fixed_number_id, customer_id, event_type, roaming_country <> '',
       count(*), sum(duration_s), sum(volume_bytes), sum(rated_amount), sum(wholesale_cost),
       count(*) FILTER (WHERE unrated)
FROM cdr_import_cdr
WHERE start_time >= %(start)s AND start_time < %(end)s
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""

# The days' figures replaced by the sums of their CDRs, and the change (new less old) added to the
# months' figures in the same statement: a month's figures stay the sum of its days' without
# reading the month again (an import of a day's file touches a day, not the month's million rows).
_REPLACE_DAYS_SQL = f"""
WITH gone AS (
    DELETE FROM reports_dailyusage WHERE day >= %(first)s AND day <= %(last)s
    RETURNING day, {_KEYS}, {_SUMS}
), added AS (
    INSERT INTO reports_dailyusage (day, {_KEYS}, {_SUMS})
    {_AGGREGATE_SQL}
    RETURNING day, {_KEYS}, {_SUMS}
), delta AS (
    SELECT date_trunc('month', day)::date AS month, {_KEYS},
           sum(events) AS events, sum(duration_s) AS duration_s, sum(volume_bytes) AS volume_bytes,
           sum(rated_amount) AS rated_amount, sum(wholesale_cost) AS wholesale_cost,
           sum(unrated) AS unrated
    FROM (
        SELECT day, {_KEYS}, -events AS events, -duration_s AS duration_s,
               -volume_bytes AS volume_bytes, -rated_amount AS rated_amount,
               -wholesale_cost AS wholesale_cost, -unrated AS unrated
        FROM gone
        UNION ALL
        SELECT day, {_KEYS}, {_SUMS} FROM added
    ) change
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
), merged AS (
    INSERT INTO reports_monthlyusage (month, {_KEYS}, {_SUMS})
    SELECT month, {_KEYS}, {_SUMS} FROM delta
    WHERE events <> 0 OR duration_s <> 0 OR volume_bytes <> 0 OR rated_amount <> 0
       OR wholesale_cost <> 0 OR unrated <> 0
    ON CONFLICT ON CONSTRAINT monthly_usage_key DO UPDATE SET
        events = reports_monthlyusage.events + EXCLUDED.events,
        duration_s = reports_monthlyusage.duration_s + EXCLUDED.duration_s,
        volume_bytes = reports_monthlyusage.volume_bytes + EXCLUDED.volume_bytes,
        rated_amount = reports_monthlyusage.rated_amount + EXCLUDED.rated_amount,
        wholesale_cost = reports_monthlyusage.wholesale_cost + EXCLUDED.wholesale_cost,
        unrated = reports_monthlyusage.unrated + EXCLUDED.unrated
    RETURNING 1
)
SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM merged)
"""  # noqa: S608 (our SQL)

# The days' figures per destination (no line: a few hundred rows a day), replaced whole.
_DESTINATION_DAYS_SQL = f"""
INSERT INTO reports_destinationusage (
    day, family, rate_destination, destination_label, event_type, roaming, {_SUMS}
)
SELECT (start_time AT TIME ZONE 'Europe/Paris')::date, family, rate_destination, destination_label,
       event_type, roaming_country <> '',
       count(*), sum(duration_s), sum(volume_bytes), sum(rated_amount), sum(wholesale_cost),
       count(*) FILTER (WHERE unrated)
FROM cdr_import_cdr
WHERE start_time >= %(start)s AND start_time < %(end)s
GROUP BY 1, 2, 3, 4, 5, 6
"""  # noqa: S608 (our SQL)

# A month whose CDRs all went away keeps no figure (no CDR left: no event).
_EMPTY_MONTHS_SQL = "DELETE FROM reports_monthlyusage WHERE month >= %s AND month <= %s AND events = 0"

# The rebuild: the months' figures summed again from their days (repairs them whatever they held).
_MONTHS_FROM_DAYS_SQL = f"""
INSERT INTO reports_monthlyusage (month, {_KEYS}, {_SUMS})
SELECT date_trunc('month', day)::date, {_KEYS}, sum(events), sum(duration_s), sum(volume_bytes),
       sum(rated_amount), sum(wholesale_cost), sum(unrated)
FROM reports_dailyusage
WHERE day >= %(first)s AND day < %(following)s
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""  # noqa: S608 (our SQL)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=PARIS)


def _month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _lock_store(cursor: Any) -> None:
    """The store's lock (the imports' and settling's): the figures are summed from a still store."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':cdr_store'))")


def _rebuild_days(first: dt.date, last: dt.date) -> int:
    """Replace the figures of the days `first`..`last` (inclusive) by the sums of their CDRs, and
    carry the change into their months' figures; returns how many daily figures it wrote."""
    params = {
        "first": first,
        "last": last,
        "start": _day_start(first),
        "end": _day_start(last + dt.timedelta(days=1)),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_REPLACE_DAYS_SQL, params)
        written = int(cursor.fetchone()[0])
        cursor.execute(_EMPTY_MONTHS_SQL, [_month_of(first), _month_of(last)])
        _rebuild_destinations(cursor, params)
    return written


def _rebuild_destinations(cursor: Any, params: dict[str, Any]) -> None:
    cursor.execute("DELETE FROM reports_destinationusage WHERE day >= %(first)s AND day <= %(last)s", params)
    cursor.execute(_DESTINATION_DAYS_SQL, params)


def _rebuild_months(first: dt.date, last: dt.date) -> int:
    """Replace the monthly figures of the months of `first`..`last` by the sums of their days."""
    first_month, following = _month_of(first), _month_of(last + dt.timedelta(days=32 - last.day))
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM reports_monthlyusage WHERE month >= %s AND month < %s", [first_month, following]
        )
        cursor.execute(_MONTHS_FROM_DAYS_SQL, {"first": first_month, "following": following})
        return int(cursor.rowcount)


def daily_usage_rebuild(
    *,
    first: dt.date,
    last: dt.date,
    by: Any = None,
    context: AuditContext | None = None,
    now: dt.datetime,
) -> int:
    """Recompute the daily usage of `first`..`last` from the stored CDRs, then the monthly usage
    of their months from the daily figures (idempotent); returns how many daily figures (day,
    line, event type, roaming) it wrote."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_store(cursor)
        cursor.execute("SET LOCAL work_mem = '256MB'")
        DailyUsage.objects.filter(day__gte=first, day__lte=last).delete()
        params = {
            "first": first,
            "last": last,
            "start": _day_start(first),
            "end": _day_start(last + dt.timedelta(days=1)),
        }
        cursor.execute(f"INSERT INTO reports_dailyusage (day, {_KEYS}, {_SUMS}) {_AGGREGATE_SQL}", params)
        written = int(cursor.rowcount)
        _rebuild_destinations(cursor, params)
        months = _rebuild_months(first, last)
        audit_record(
            actor=by,
            action="daily_usage.rebuilt",
            changes={
                "first": first.isoformat(),
                "last": last.isoformat(),
                "rows": written,
                "monthly_rows": months,
            },
            context=context,
            object_type="daily_usage",
            object_repr=f"{first.isoformat()} – {last.isoformat()}",
        )
    return written


def daily_usage_after_import(*, feed_import: Any, now: dt.datetime) -> int:
    """The import's hook: the days its file touched are summed again (inside its transaction).

    The days are those of the CDRs it stored (`rated_import` / `billed_import`) and of the known
    CDRs a billed file confirmed or corrected (still in the import's `cdr_stage`)."""
    day = "(start_time AT TIME ZONE 'Europe/Paris')::date"
    ranges = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT min({day}), max({day}) FROM cdr_import_cdr "  # noqa: S608 (our SQL)
            "WHERE rated_import_id = %s OR billed_import_id = %s",
            [feed_import.pk, feed_import.pk],
        )
        ranges.append(cursor.fetchone())
        cursor.execute("SELECT to_regclass('pg_temp.cdr_stage')")
        if cursor.fetchone()[0] is not None:
            cursor.execute(f"SELECT min({day}), max({day}) FROM cdr_stage")  # noqa: S608 (our SQL)
            ranges.append(cursor.fetchone())
    firsts = [r[0] for r in ranges if r[0] is not None]
    lasts = [r[1] for r in ranges if r[1] is not None]
    if not firsts:
        return 0
    return _rebuild_days(min(firsts), max(lasts))


def daily_usage_after_rerating(*, first: dt.datetime, following: dt.datetime, now: dt.datetime) -> int:
    """The store's hook after CDRs of [first, following) were rated again in place (settling a
    month, the CDRs of lines unknown at import): their days and months are summed again."""
    last = (following - dt.timedelta(microseconds=1)).astimezone(PARIS).date()
    return _rebuild_days(first.astimezone(PARIS).date(), last)


def report_settings_update(
    *, ghg_grams_per_gb: Decimal, by: Any, context: AuditContext | None = None, now: dt.datetime
) -> ReportSettings:
    """Set the greenhouse-gas factor per GB of data the portal shows (not negative)."""
    if ghg_grams_per_gb < 0:
        raise ApplicationError(_("The factor cannot be negative."), field="ghg_grams_per_gb")
    with transaction.atomic():
        row = ReportSettings.objects.select_for_update().first() or ReportSettings()
        before = row.ghg_grams_per_gb if row.pk else None
        row.ghg_grams_per_gb = ghg_grams_per_gb
        row.save()
        audit_record(
            actor=by,
            action="report_settings.updated",
            obj=row,
            changes={"ghg_grams_per_gb": [str(before) if before is not None else "", str(ghg_grams_per_gb)]},
            context=context,
        )
    return row
