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


def cdr_partition_new(*, month: dt.date) -> str | None:
    """A fresh month: its partition made as a plain table without indexes, for `cdr_partition_attach`.

    Loading a million rows into a table without indexes and building the indexes afterwards (one
    sort each) costs a fraction of maintaining three indexes row by row (docs/benchmarks.md, issue
    12). Returns the table's name, or None when the month's partition exists (rows go through the
    store then). Call inside the import's transaction: nobody sees the table before it commits.
    """
    name = partition_name(month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            return None
        cursor.execute(f"CREATE TABLE {name} (LIKE cdr_import_cdr INCLUDING DEFAULTS)")
    return name


def cdr_partition_attach(*, month: dt.date, name: str) -> None:
    """Build the store's indexes on `name` (a table of the store's shape holding only `month`'s
    rows) and attach it as the month's partition.

    The range is first checked by a constraint, so the attach does not scan the table again; the
    indexes carry the names PostgreSQL gives a partition's own.
    """
    first, following = month_bounds(month)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_range CHECK "  # noqa: S608 (our name)
            f"(start_time >= '{first.isoformat()}' AND start_time < '{following.isoformat()}')"
        )
        cursor.execute(
            f"ALTER TABLE {name} ADD CONSTRAINT {name}_family_cdr_id_start_time_key "
            "UNIQUE (family, cdr_id, start_time)"
        )
        cursor.execute(f"CREATE INDEX {name}_line_ref_start_time_idx ON {name} (line_ref, start_time)")
        cursor.execute(f"CREATE INDEX {name}_id_idx ON {name} (id)")
        cursor.execute(
            f"ALTER TABLE cdr_import_cdr ATTACH PARTITION {name} "  # noqa: S608 (our name)
            f"FOR VALUES FROM ('{first.isoformat()}') TO ('{following.isoformat()}')"
        )
        cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_range")


def cdr_partition_swap(*, month: dt.date, name: str) -> None:
    """Put `name` (a table of the store's shape, holding the month's rows rewritten) in place of
    the month's partition: the old one detached and dropped, the new one indexed and attached.

    Takes the store's exclusive lock until the transaction ends (readers of the store wait for
    the import's last seconds): worth it only when most of the month's rows change.
    """
    old = partition_name(month)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE cdr_import_cdr DETACH PARTITION {old}")
        cursor.execute(f"DROP TABLE {old}")
        cursor.execute(f"ALTER TABLE {name} RENAME TO {old}")
    cdr_partition_attach(month=month, name=old)
