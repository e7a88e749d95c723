"""The CDR store: a table partitioned by month, partitions created on demand."""

import datetime as dt

from django.db import connection

from cdr_import.store import cdr_partition_ensure, month_bounds
from tests.conftest import in_schema


def test_partition_is_created_once_per_month_in_the_tenant_schema(acme, nova):
    with in_schema(acme):
        assert cdr_partition_ensure(month=dt.date(2026, 12, 1)) == "cdr_import_cdr_y2026m12"
        assert cdr_partition_ensure(month=dt.date(2026, 12, 1)) == "cdr_import_cdr_y2026m12"
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('cdr_import_cdr_y2026m12')")
            assert cursor.fetchone()[0] is not None
    with in_schema(nova), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('cdr_import_cdr_y2026m12')")
        assert cursor.fetchone()[0] is None


def test_month_bounds_are_paris_months():
    first, following = month_bounds(dt.date(2026, 12, 1))
    assert first.isoformat() == "2026-12-01T00:00:00+01:00"
    assert following.isoformat() == "2027-01-01T00:00:00+01:00"
