"""The import pipeline: samples, identity rules, faults, duplicates, rating of unknown lines."""

import shutil

from cdr_import.models import Cdr, ImportStatus, RejectedRow
from cdr_import.services import import_file
from tests.cdr_import.conftest import NOW, SAMPLES
from tests.conftest import in_schema

RATED = "RatedCDRs_MOBILE_ACME_20261021143000.csv"
BILLED = "BilledCDRs_MOBILE_ACME_202610.csv"


def _import(path, **kwargs):
    return import_file(path=path, source="command", by=None, now=NOW, **kwargs)


def counts(imp):
    return {
        k: getattr(imp, k)
        for k in ("status", "rows", "imported", "known", "corrected", "rejected", "unrated", "unknown_line")
    }


def test_rated_sample_imports_every_cdr_rated(acme_lines):
    with in_schema(acme_lines):
        imp = _import(SAMPLES / RATED)
        assert counts(imp) == {
            "status": "done", "rows": 126, "imported": 126, "known": 0, "corrected": 0,
            "rejected": 0, "unrated": imp.unrated, "unknown_line": 0,
        }  # fmt: skip
        assert imp.feed_type == "rated" and imp.family == "MOBILE" and imp.flow == "ACME"
        assert Cdr.objects.count() == 126
        assert Cdr.objects.filter(rated_import=imp, mobile_line__isnull=False).count() == 126
        assert RATED[:-4] in imp.archived_file.name
