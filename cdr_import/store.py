"""The CDR store's partitions: one per calendar month (Europe/Paris) of `start_time`, on demand."""

import datetime as dt
import zoneinfo

from django.db import connection

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of `month` and of the month after, in Europe/Paris."""
    first = dt.datetime(month.year, month.month, 1, tzinfo=PARIS)
    following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=PARIS)
    return first, following


def partition_name(month: dt.date) -> str:
    return f"cdr_import_cdr_y{month.year:04d}m{month.month:02d}"


def cdr_partition_ensure(*, month: dt.date) -> str:
    """Create the store's partition for `month` (in the current tenant schema) unless it exists."""
    name = partition_name(month)
    first, following = month_bounds(month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is None:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF cdr_import_cdr "  # noqa: S608 (our name)
                f"FOR VALUES FROM ('{first.isoformat()}') TO ('{following.isoformat()}')"
            )
    return name
