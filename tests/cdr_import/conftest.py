"""Fixtures of the feed import tests: the samples, and lines to rate them against."""

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import in_schema

# Copies of shared/samples (the contract's examples), kept with the tests.
SAMPLES = Path(__file__).resolve().parent / "data"
NOW = dt.datetime(2026, 10, 21, 15, 0, tzinfo=dt.UTC)
MOBILE_NUMBERS = [f"3375000100{i}" for i in range(6)]
FIXED_NUMBERS = ["33240323750", "33240323751", "33240323752"]


def make_lines(numbers: list[str], *, fixed: bool = False, code: str = "GRILLE") -> None:
    """A customer, an offer with the samples' rate table, and a line per number (current schema)."""
    from customers.models import Customer
    from offers.models import Offer, RateTable
    from offers.services import rate_table_import
    from provisioning.models import FixedNumber, FixedNumberStatus, LineStatus, MobileLine

    table = RateTable.objects.filter(code=code).first()
    if table is None:
        table = RateTable.objects.create(code=code, label=f"Grille {code}")
        rate_table_import(
            table=table,
            data=(SAMPLES / "grille_minutes_ACME_20261001.csv").read_bytes(),
            filename="grille_minutes_ACME_20261001.csv",
            by=None,
            today=dt.date(2026, 10, 1),
        )
    offer, _ = Offer.objects.get_or_create(
        code=f"OFFER-{code}", defaults={"label": "Offre", "default_rate_table": table}
    )
    customer, _ = Customer.objects.get_or_create(number="C-FEED-1", defaults={"company_name": "Feed SA"})
    for number in numbers:
        if fixed:
            FixedNumber.objects.create(
                number=number, customer=customer, offer=offer, status=FixedNumberStatus.ACTIVE
            )
        else:
            MobileLine.objects.create(msisdn=number, customer=customer, offer=offer, status=LineStatus.ACTIVE)


@pytest.fixture
def acme_lines(acme):
    with in_schema(acme):
        make_lines(MOBILE_NUMBERS)
    return acme


@pytest.fixture
def nova_lines(nova):
    with in_schema(nova):
        make_lines(FIXED_NUMBERS, fixed=True)
    return nova


@pytest.fixture(autouse=True)
def _english():
    """Reasons are checked in English (another test may leave French active)."""
    from django.utils import translation

    with translation.override("en"):
        yield
