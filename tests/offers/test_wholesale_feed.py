"""Issues 4 and 12: a VNO's wholesale tables are taken from its feed's `Tables tarifaires/` folder
by ONE owner, the feed poller (claims, size stability, import tracking, archive), which hands each
file to offers' `wholesale_table_import`; no beat task of offers fetches the same folder."""

import datetime as dt

import pytest

from tests.conftest import in_schema
from tests.offers.conftest import SAMPLE_TABLE

T0 = dt.datetime(2026, 10, 21, 6, 5, tzinfo=dt.UTC)


@pytest.fixture
def nova_feed(nova, tmp_path):
    from tenants.platform.services import feed_access_set

    (tmp_path / "Tables tarifaires").mkdir()
    feed_access_set(tenant=nova, by=None, protocol="local", root_path=str(tmp_path))
    return tmp_path / "Tables tarifaires"


def _poll(tenant, now):
    from cdr_import.models import FeedFolderKey
    from cdr_import.services_polling import feed_folder_poll, feed_folders_ensure

    folder = next(f for f in feed_folders_ensure(kind=tenant.kind) if f.key == FeedFolderKey.RATE_TABLE)
    return feed_folder_poll(folder=folder, tenant=tenant, by=None, now=now)


def test_the_feed_poller_is_the_only_owner_of_the_rate_table_folder():
    from django.conf import settings

    from ism.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert "wholesale-tables" not in schedule
    assert not [e for e in schedule.values() if any("wholesale" in str(a) for a in e.get("args", []))]
    assert schedule["feed-poll"]["args"] == ["cdr_import.tasks.feed_poll_due"]
    assert "offers.tasks.fetch_wholesale_tables" not in app.tasks
    import offers.services

    assert not hasattr(offers.services, "wholesale_tables_fetch")


def test_the_poller_imports_each_wholesale_file_once_into_novas_schema_only(acme, nova, nova_feed):
    from cdr_import.models import FeedFolderKey, Import
    from cdr_import.services_polling import feed_folders_ensure
    from offers.models import RateTable, RateTableKind

    (nova_feed / "ORIGYNE_20261001.csv").write_bytes(SAMPLE_TABLE.read_bytes())
    with in_schema(nova):
        first = _poll(nova, T0)
        assert (
            first.ok and first.waiting == ["ORIGYNE_20261001.csv"] and not first.imports
        )  # size not yet stable
        taken = _poll(nova, T0 + dt.timedelta(minutes=5))
        assert [i.original_name for i in taken.imports] == ["ORIGYNE_20261001.csv"]
        done = taken.imports[0]
        assert (done.feed_type, done.status, done.rows, done.imported) == ("rate_table", "done", 22, 22)
        assert done.archived_file and done.path == "Tables tarifaires/ORIGYNE_20261001.csv"
        for hours in (1, 24, 48):  # later polls: nothing twice
            assert not _poll(nova, T0 + dt.timedelta(hours=hours)).imports
        table = RateTable.objects.get(code="WHOLESALE")
        assert table.kind == RateTableKind.WHOLESALE and table.uploads.count() == 1
        assert table.rates.count() == 22 and Import.objects.filter(feed_type="rate_table").count() == 1
    with in_schema(acme):  # an integrator has no rate-table folder and no wholesale table
        assert FeedFolderKey.RATE_TABLE not in {f.key for f in feed_folders_ensure(kind=acme.kind)}
        assert not RateTable.objects.filter(code="WHOLESALE").exists()


def test_a_faulty_wholesale_file_is_a_rejected_import_with_its_faults_and_applies_nothing(nova, nova_feed):
    from offers.models import Rate

    bad = SAMPLE_TABLE.read_bytes().replace(b";MIN;", b";HOURS;", 1)
    assert bad != SAMPLE_TABLE.read_bytes()
    (nova_feed / "ORIGYNE_BAD.csv").write_bytes(bad)
    with in_schema(nova):
        _poll(nova, T0)
        rejected = _poll(nova, T0 + dt.timedelta(minutes=5)).imports[0]
        assert rejected.status == "rejected" and rejected.reason
        assert rejected.rejected_rows.filter(line__gt=0).exists()
        assert not Rate.objects.filter(table__code="WHOLESALE").exists()
