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

_AGGREGATE_SQL = """
INSERT INTO reports_dailyusage (
    day, family, line_ref, mobile_line_id, fixed_number_id, customer_id, event_type, roaming,
    events, duration_s, volume_bytes, rated_amount, wholesale_cost, unrated
)
SELECT (start_time AT TIME ZONE 'Europe/Paris')::date, family, line_ref, mobile_line_id,
       fixed_number_id, customer_id, event_type, roaming_country <> '',
       count(*), sum(duration_s), sum(volume_bytes), sum(rated_amount), sum(wholesale_cost),
       count(*) FILTER (WHERE unrated)
FROM cdr_import_cdr
WHERE start_time >= %s AND start_time < %s
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=PARIS)


def _rebuild_days(first: dt.date, last: dt.date) -> int:
    """Replace the figures of the days `first`..`last` (inclusive) by the sums of their CDRs."""
    DailyUsage.objects.filter(day__gte=first, day__lte=last).delete()
    with connection.cursor() as cursor:
        cursor.execute(_AGGREGATE_SQL, [_day_start(first), _day_start(last + dt.timedelta(days=1))])
        return int(cursor.rowcount)


def daily_usage_rebuild(
    *,
    first: dt.date,
    last: dt.date,
    by: Any = None,
    context: AuditContext | None = None,
    now: dt.datetime,
) -> int:
    """Recompute the daily usage of `first`..`last` from the stored CDRs (idempotent); returns
    how many figures (day, line, event type, roaming) it wrote."""
    with transaction.atomic():
        written = _rebuild_days(first, last)
        audit_record(
            actor=by,
            action="daily_usage.rebuilt",
            changes={"first": first.isoformat(), "last": last.isoformat(), "rows": written},
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
