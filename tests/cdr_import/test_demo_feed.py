"""The demo feed: last month's files for the tenant's lines, taken by the poller, once."""

from cdr_import.demo import seed_tenant
from cdr_import.models import Cdr, Import
from tests.conftest import in_schema


def test_the_demo_feed_writes_last_months_files_and_imports_them_once(acme_lines, settings, tmp_path):
    settings.STATE_DIR = tmp_path
    with in_schema(acme_lines):
        seed_tenant(acme_lines)
        rated = Import.objects.filter(feed_type="rated")
        billed = Import.objects.get(feed_type="billed")
        files = list((tmp_path / "feeds" / "acme" / "RatedCDRs").iterdir())
        assert rated.count() == len(files) >= 28
        assert set(rated.values_list("status", flat=True)) == {"done"}
        stored = Cdr.objects.count()
        assert stored == sum(rated.values_list("imported", flat=True)) > 100
        assert (billed.status, billed.imported, billed.corrected, billed.known) == ("done", 0, 1, stored - 2)
        assert Cdr.objects.filter(not_billed_by_operator=True).count() == 1
        reports = list((tmp_path / "feeds" / "acme" / "Retours").iterdir())
        assert len(reports) == len(files) + 1
        seed_tenant(acme_lines)
        assert Import.objects.count() == len(files) + 1 and Cdr.objects.count() == stored
