"""Issue 4: a VNO's wholesale tables are taken from its feed's `Tables tarifaires/` folder."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import in_schema
from tests.offers.conftest import SAMPLE_TABLE


@pytest.fixture
def nova_feed(nova, tmp_path):
    from tenants.platform.services import feed_access_set

    (tmp_path / "Tables tarifaires").mkdir()
    feed_access_set(tenant=nova, by=None, protocol="local", root_path=str(tmp_path))
    return tmp_path / "Tables tarifaires"


def _run(**options):
    out = io.StringIO()
    call_command("import_wholesale_tables", stdout=out, **options)
    return out.getvalue()


def test_the_command_imports_each_new_wholesale_file_once_into_novas_schema_only(acme, nova, nova_feed):
    from offers.models import RateTable, RateTableKind

    (nova_feed / "ORIGYNE_20261001.csv").write_bytes(SAMPLE_TABLE.read_bytes())
    (nova_feed / "lisez-moi.txt").write_text("not a table")
    out = _run(tenant="nova")
    assert "Tables tarifaires/ORIGYNE_20261001.csv: 22 rows" in out and "1 file(s) imported" in out
    assert "0 file(s) imported" in _run(tenant="nova")  # already imported: nothing twice
    with in_schema(nova):
        table = RateTable.objects.get(code="WHOLESALE")
        assert table.kind == RateTableKind.WHOLESALE and table.uploads.count() == 1
        assert table.rates.count() == 22
    with in_schema(acme):
        assert not RateTable.objects.filter(code="WHOLESALE").exists()


def test_a_faulty_wholesale_file_is_refused_with_its_name_and_faults_and_applies_nothing(nova, nova_feed):
    from offers.models import Rate

    bad = SAMPLE_TABLE.read_bytes().replace(b";MIN;", b";HOURS;", 1)
    assert bad != SAMPLE_TABLE.read_bytes()
    (nova_feed / "ORIGYNE_BAD.csv").write_bytes(bad)
    with pytest.raises(CommandError) as refused:
        _run(tenant="nova")
    assert "Tables tarifaires/ORIGYNE_BAD.csv" in str(refused.value) and "line " in str(refused.value)
    with in_schema(nova):
        assert not Rate.objects.filter(table__code="WHOLESALE").exists()


def test_a_tenant_without_feed_or_unknown_is_told_so(acme):
    with pytest.raises(CommandError, match="flux"):
        _run(tenant="acme")
    with pytest.raises(CommandError, match="unknown tenant"):
        _run(tenant="nobody")


def test_the_morning_task_takes_new_wholesale_files_for_vnos_and_records_refusals(acme, nova, nova_feed):
    from django.conf import settings

    from audit.models import AuditEvent
    from offers.models import RateTable
    from tenants.tasks import dispatch_to_tenants

    entry = settings.CELERY_BEAT_SCHEDULE["wholesale-tables"]
    assert entry["args"] == ["offers.tasks.fetch_wholesale_tables"]
    (nova_feed / "ORIGYNE_20261001.csv").write_bytes(SAMPLE_TABLE.read_bytes())
    dispatch_to_tenants.delay("offers.tasks.fetch_wholesale_tables").get()
    dispatch_to_tenants.delay("offers.tasks.fetch_wholesale_tables").get()  # nothing twice
    with in_schema(nova):
        assert RateTable.objects.get(code="WHOLESALE").uploads.count() == 1
    with in_schema(acme):  # an integrator gets no wholesale table
        assert not RateTable.objects.filter(code="WHOLESALE").exists()

    (nova_feed / "ORIGYNE_20261101.csv").write_bytes(
        SAMPLE_TABLE.read_bytes().replace(b";MIN;", b";HOURS;", 1)
    )
    dispatch_to_tenants.delay("offers.tasks.fetch_wholesale_tables").get()
    with in_schema(nova):
        refusal = AuditEvent.objects.get(action="rate_table.wholesale_fetch_refused")
        assert "ORIGYNE_20261101.csv" in refusal.changes["reason"] and refusal.changes["errors"]
        assert RateTable.objects.get(code="WHOLESALE").uploads.count() == 1
