"""The CDR store: a table partitioned by month, partitions created on demand."""

import datetime as dt

from django.db import connection

from cdr_import.models import Cdr, Import
from cdr_import.services import import_file
from cdr_import.store import cdr_partition_ensure, month_bounds
from tests.cdr_import.conftest import NOW, SAMPLES
from tests.conftest import in_schema

RATED = "RatedCDRs_MOBILE_ACME_20261021143000.csv"
BILLED = "BilledCDRs_MOBILE_ACME_202610.csv"


def _import(path):
    return import_file(path=path, source="command", by=None, now=NOW)


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


def _store_snapshot():
    """Every stored CDR's values, but the ids the sequence and the imports gave."""
    skip = {"id", "rated_import", "billed_import"}
    fields = [f.attname for f in Cdr._meta.concrete_fields if f.name not in skip]
    return list(Cdr.objects.order_by("cdr_id").values_list(*fields))


def _partition_indexes(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [name])
        return sorted(row[0].split(" USING ")[1] for row in cursor.fetchall())


# The store's own (incl. the import ids its after-store hooks look up, cdr_import migration 0005),
# and those the reports add on the whole store (reports migration 0004).
STORE_INDEXES = sorted(
    [
        "btree (family, cdr_id, start_time)",
        "btree (id)",
        "btree (line_ref, start_time)",
        "btree (rated_import_id) WHERE (rated_import_id IS NOT NULL)",
        "btree (billed_import_id) WHERE (billed_import_id IS NOT NULL)",
        "btree (start_time, id)",
        "btree (customer_id, start_time)",
        "btree (start_time) WHERE (unrated AND (NOT unknown_line))",
        "btree (start_time) INCLUDE (line_ref, wholesale_cost) WHERE unknown_line",
    ]
)


def test_a_billed_month_rewritten_whole_or_updated_in_place_gives_the_same_store(
    acme_lines, tmp_path, monkeypatch
):
    """A rated file, then a billed file that corrects one CDR and leaves one out: the month's
    partition rewritten (most of it confirmed) or its rows updated in place, the same values; the
    rewritten partition is attached with the store's three indexes."""
    from cdr_import import services

    lines = (SAMPLES / BILLED).read_bytes().split(b"\r\n")
    body = [
        row for row in lines[1:] if row and not row.startswith(b"TRAILER") and b"202610000007;" not in row
    ]
    billed = tmp_path / BILLED
    billed.write_bytes(b"\r\n".join([lines[0], *body, b"TRAILER;%d" % len(body), b""]))
    results = {}
    with in_schema(acme_lines):
        for mode, share in (("update", 0), ("rewrite", 2)):
            monkeypatch.setattr(services, "REWRITE_SHARE", share)
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE cdr_import_cdr, cdr_import_cdr_identity")
            Import.objects.all().delete()
            _import(SAMPLES / RATED)
            with connection.cursor() as cursor:
                cursor.execute("SELECT 'cdr_import_cdr_y2026m10'::regclass::oid")
                before = cursor.fetchone()[0]
            done = _import(billed)
            with connection.cursor() as cursor:
                cursor.execute("SELECT 'cdr_import_cdr_y2026m10'::regclass::oid")
                rewritten = cursor.fetchone()[0] != before
            assert rewritten == (mode == "rewrite")
            assert (done.status, done.known, done.corrected) == ("done", 124, 1)
            assert _partition_indexes("cdr_import_cdr_y2026m10") == STORE_INDEXES
            results[mode] = _store_snapshot()
        assert Cdr.objects.get(cdr_id="ORG-M-202610000004").corrected_by_billed
        assert list(Cdr.objects.filter(not_billed_by_operator=True).values_list("cdr_id", flat=True)) == [
            "ORG-M-202610000007"
        ]
        assert Cdr.objects.filter(billed_by_operator=True).count() == 125
    assert len(results["rewrite"]) == 126
    assert results["rewrite"] == results["update"]


def test_a_new_month_is_loaded_then_indexed_and_attached(acme_lines):
    with in_schema(acme_lines):
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('cdr_import_cdr_y2026m10')")
            assert cursor.fetchone()[0] is None
        imp = _import(SAMPLES / RATED)
        assert imp.timings["index_attach"] >= 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'cdr_import_cdr'::regclass"
            )
            assert cursor.fetchall() == [("cdr_import_cdr_y2026m10",)]
        assert _partition_indexes("cdr_import_cdr_y2026m10") == STORE_INDEXES
        assert Cdr.objects.filter(rated_import=imp).count() == 126
