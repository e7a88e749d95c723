"""Fixtures of the reports tests: CDRs stored through the real import, in acme and nova."""

import pytest

from cdr_import.services import import_file
from tests.cdr_import.conftest import (
    FIXED_NUMBERS,
    MOBILE_NUMBERS,
    NOW,
    SAMPLES,
    make_lines,
    write_rated_file,
)
from tests.conftest import in_schema

RATED = "RatedCDRs_MOBILE_ACME_20261021143000.csv"
BILLED = "BilledCDRs_MOBILE_ACME_202610.csv"
VGA = "RatedCDRs_VGA_NOVA_20261021.csv"


def import_path(path):
    return import_file(path=path, source="command", by=None, now=NOW)


@pytest.fixture
def acme_usage(acme, tmp_path):
    """The rated sample and a generated file of 400 CDRs over acme's six mobile lines."""
    with in_schema(acme):
        make_lines(MOBILE_NUMBERS)
        import_path(SAMPLES / RATED)
        generated = write_rated_file(
            tmp_path / "RatedCDRs_MOBILE_ACME_20261030120000.csv", rows=400, numbers=MOBILE_NUMBERS
        )
        import_path(generated)
    return acme


@pytest.fixture
def nova_usage(nova):
    with in_schema(nova):
        make_lines(FIXED_NUMBERS, fixed=True)
        import_path(SAMPLES / VGA)
    return nova


@pytest.fixture
def operator(platform, make_user):
    return make_user(platform, "platform_admin", username="olivier")


@pytest.fixture
def operator_client(platform, operator, client_for):
    return client_for(platform, operator)


@pytest.fixture
def operator_api(platform, operator, api_for):
    return api_for(platform, operator)
