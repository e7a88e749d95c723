"""Fixtures of the provisioning tests: the samples' SIM listing, loaded in a tenant."""

import datetime as dt
from pathlib import Path

import pytest

# Copies of shared/samples (the contract's examples), kept with the tests.
SAMPLES = Path(__file__).resolve().parent / "data"
SAMPLE_SIMS = SAMPLES / "SIM_ACME_CMD-000042.csv"
NOW = dt.datetime(2026, 10, 21, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def sample_sims_bytes() -> bytes:
    return SAMPLE_SIMS.read_bytes()


@pytest.fixture
def load_sample_sims(sample_sims_bytes):
    """`load_sample_sims(tenant)` → the 12 SIM cards of the sample listing, in that tenant's stock."""
    from provisioning.services import sim_import
    from tests.conftest import in_schema

    def _load(tenant, by=None):
        with in_schema(tenant):
            return sim_import(data=sample_sims_bytes, filename=SAMPLE_SIMS.name, by=by, now=NOW)

    return _load


def sim_listing(
    *rows: str, header: str = "ICCID;IMSI;MSISDN;PIN1;PUK1;PIN2;PUK2;ORDER_REF;SIM_PROFILE"
) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def luhn_complete(body: str) -> str:
    """`body` followed by its Luhn check digit."""
    from provisioning.checks import luhn_ok

    return next(body + d for d in "0123456789" if luhn_ok(body + d))
