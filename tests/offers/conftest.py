"""Fixtures of the catalogue tests: the samples' rate table, loaded in a tenant."""

from pathlib import Path

import pytest

# Copies of shared/samples (the contract's examples), kept with the tests.
SAMPLES = Path(__file__).resolve().parent / "data"
SAMPLE_TABLE = SAMPLES / "grille_minutes_ACME_20261001.csv"
SAMPLE_CDRS = SAMPLES / "RatedCDRs_MOBILE_ACME_20261021143000.csv"


@pytest.fixture
def sample_table_bytes() -> bytes:
    return SAMPLE_TABLE.read_bytes()


@pytest.fixture
def load_sample_table(sample_table_bytes):
    """`load_sample_table(tenant, code)` → a retail table with the sample's rows, in that tenant."""
    import datetime as dt

    from offers.models import RateTable
    from offers.services import rate_table_create, rate_table_import
    from tests.conftest import in_schema

    def _load(tenant, code="GRILLE", by=None):
        with in_schema(tenant):
            table = RateTable.objects.filter(code=code).first() or rate_table_create(
                data={"code": code, "label": f"Grille {code}"}, by=by
            )
            rate_table_import(
                table=table,
                data=sample_table_bytes,
                filename="grille_minutes_ACME_20261001.csv",
                by=by,
                today=dt.date(2026, 10, 1),
            )
        return table

    return _load
