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


def write_rated_file(path: Path, *, rows: int, numbers: list[str], billed: bool = False) -> Path:
    """A generated RatedCDRs (or BilledCDRs) file in time order over `numbers`, with its trailer."""
    import random

    rng = random.Random(7)
    events = ["VOICE_MO"] * 5 + ["VOICE_MT"] * 2 + ["SMS_MO"] * 2 + ["DATA"] * 3
    called = ["33612345678", "33712345678", "33140000000", "34612345678", "3179"]
    start = dt.datetime(2026, 10, 1)
    step = 29 * 86400 / rows
    header = "CDR_ID;EVENT_TYPE;MSISDN;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;ROAMING_COUNTRY;WHOLESALE_COST"
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(header + (";BILLING_PERIOD;OPERATOR_INVOICE_REF" if billed else "") + "\r\n")
        for i in range(rows):
            event = rng.choice(events)
            data = event == "DATA"
            when = start + dt.timedelta(seconds=int(i * step))
            out.write(
                f"GEN-{i:09d};{event};{rng.choice(numbers)};{when:%Y-%m-%d %H:%M:%S};"
                f"{0 if data else rng.randrange(1, 1800)};{rng.randrange(1, 9_000_000) if data else 0};"
                f"{'' if data else rng.choice(called)};{rng.choice(['', '', '', 'ES', 'US'])};"
                f"0,{rng.randrange(10000):04d}" + (";2026-10;FAC-1" if billed else "") + "\r\n"
            )
        out.write(f"TRAILER;{rows}\r\n")
    return path


def store_fingerprint() -> tuple[int, str]:
    """How many CDRs the current schema stores and a digest of what they say (ids aside)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), md5(coalesce(string_agg(concat_ws('|', family, cdr_id, line_ref, mobile_line_id,
                customer_id, event_type, start_time, duration_s, volume_bytes, called_number, roaming_country,
                wholesale_cost, billed_quantity, billed_unit, rated_amount, rating_status, rate_prefix, rate_zone,
                origin_zone, allowance_used, unrated, unknown_line, billed_by_operator), ',' ORDER BY family, cdr_id), ''))
            FROM cdr_import_cdr
            """
        )
        count, digest = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM cdr_import_cdr_identity")
        assert cursor.fetchone()[0] == count, "identity and store disagree"
    return count, digest
