"""The rating engine follows the contract (shared/DESIGN.md, "Rating semantics")."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import quantize_rated
from offers.rate_format import read_rate_file
from offers.rating import (
    COST_MARKUP,
    FREE,
    RATED,
    UNRATED,
    Allowances,
    AllowanceSpec,
    CostMarkup,
    Event,
    RateSpec,
    amount_decimal,
    billed_quantity,
    compile_table,
    origin_zone,
    rate_batch,
    rate_event,
)
from offers.termination import early_termination_fee
from tests.offers.conftest import SAMPLE_TABLE


def _sample_table():
    result = read_rate_file(SAMPLE_TABLE.read_bytes(), filename="grille.csv", today=dt.date(2026, 10, 1))
    assert result.ok
    specs = [
        RateSpec(
            v["PREFIX"],
            v["DESTINATION"],
            v["ZONE"],
            v["EVENT_TYPE"],
            v["ORIGIN_ZONE"],
            v["PRICE"],
            v["UNIT"],
            v["FIRST_INCREMENT"],
            v["NEXT_INCREMENT"],
            v["CONNECTION_FEE"],
        )
        for v in (r.values for r in result.rows)
    ]
    return compile_table(specs)


SAMPLE = _sample_table()
# The session harness needs the test database even for these pure tests when run alone.
pytestmark = pytest.mark.django_db


def test_longest_prefix_wins_on_the_sample_table():
    spain_mobile = rate_event(SAMPLE, event_type="VOICE_MO", called="34612345678", duration_s=60)
    spain = rate_event(SAMPLE, event_type="VOICE_MO", called="34912345678", duration_s=60)
    assert (spain_mobile.prefix, spain_mobile.amount_e4) == ("346", 3500)
    assert (spain.prefix, spain.amount_e4) == ("34", 3000)


def test_60_1_is_first_minute_indivisible_then_per_second():
    short = rate_event(SAMPLE, event_type="VOICE_MO", called="33612345678", duration_s=5)
    longer = rate_event(SAMPLE, event_type="VOICE_MO", called="33612345678", duration_s=61)
    assert (short.billed, short.amount_e4) == (60, 1500)
    # 61 s at 0.15 €/min = 0.1525 exactly
    assert (longer.billed, longer.amount_e4) == (61, 1525)


def test_60_60_is_per_started_minute_with_its_connection_fee():
    special = rate_event(SAMPLE, event_type="VOICE_MO", called="33899123456", duration_s=61)
    assert special.billed == 120
    assert amount_decimal(special.amount_e4) == Decimal("0.1200") + Decimal("0.8000") * 2


def test_data_is_billed_by_started_kb_and_priced_per_mb():
    data = rate_event(SAMPLE, event_type="DATA", volume_bytes=1024 * 1024 + 1)
    assert data.billed == 1025
    assert amount_decimal(data.amount_e4) == quantize_rated(Decimal("0.01") * Decimal(1025) / Decimal(1024))


def test_roaming_in_the_eu_is_rated_as_home_and_world_with_its_zone():
    assert origin_zone("ES") == "HOME" and origin_zone("") == "HOME" and origin_zone("FR") == "HOME"
    assert origin_zone("ES", roam_like_at_home=False) == "EU"
    assert origin_zone("US") == "WORLD1"
    from_us = rate_event(SAMPLE, event_type="VOICE_MO", called="33612345678", country="US", duration_s=30)
    assert (from_us.origin_zone, from_us.destination, from_us.amount_e4) == (
        "WORLD1",
        "France depuis monde",
        15000,
    )


def test_received_calls_without_a_row_are_free_and_unknown_destinations_unrated():
    received = rate_event(SAMPLE, event_type="VOICE_MT", called="33612345678", duration_s=300)
    unknown = rate_event(SAMPLE, event_type="VOICE_MO", called="4915112345678", duration_s=300)
    assert (received.status, received.amount_e4) == (FREE, 0)
    assert (unknown.status, unknown.amount_e4) == (UNRATED, 0)


def test_allowances_are_consumed_in_order_and_the_straddling_event_pays_the_excess():
    allowances = Allowances((AllowanceSpec("VOICE", frozenset({"FR_MOBILE"}), frozenset({"HOME"}), 120),))
    usage = allowances.new_usage()
    first = rate_event(
        SAMPLE, event_type="VOICE_MO", called="33612345678", duration_s=90, allowances=allowances, usage=usage
    )
    second = rate_event(
        SAMPLE, event_type="VOICE_MO", called="33612345678", duration_s=90, allowances=allowances, usage=usage
    )
    assert (first.allowance_used, first.amount_e4) == (90, 0)
    assert (second.allowance_used, second.charged) == (30, 60)
    assert second.amount_e4 == 1500  # 60 s at 0.15 €/min
    fixed = rate_event(
        SAMPLE, event_type="VOICE_MO", called="33145678901", duration_s=30, allowances=allowances, usage=usage
    )
    assert fixed.allowance_used == 0  # FR_FIXED is not in the allowance


def test_cost_markup_table_prices_unmatched_events_from_the_wholesale_cost():
    table = compile_table(
        [RateSpec("33", "France", "FR", "VOICE", "HOME", Decimal("0.1"), "MIN", 60, 60)],
        cost_markup=CostMarkup(fixed=Decimal("0.01"), percent=Decimal("20")),
    )
    derived = rate_event(
        table, event_type="VOICE_MO", called="34612345678", duration_s=60, wholesale_cost_e4=1763
    )
    explicit = rate_event(
        table, event_type="VOICE_MO", called="33612345678", duration_s=60, wholesale_cost_e4=1763
    )
    assert derived.status == COST_MARKUP and amount_decimal(derived.amount_e4) == quantize_rated(
        (Decimal("0.1763") + Decimal("0.01")) * Decimal("1.2")
    )
    assert explicit.status == RATED and explicit.amount_e4 == 1000


def test_early_termination_fee_follows_the_rule():
    price = Decimal("20.00")
    assert early_termination_fee(
        monthly_price=price, commitment_months=12, months_elapsed=4, rule="remaining"
    ) == Decimal("160.00")
    # French rule, 24 months, after month 15: 25 % of the 9 remaining months
    assert early_termination_fee(
        monthly_price=price, commitment_months=24, months_elapsed=15, rule="fr_quarter"
    ) == Decimal("45.00")
    # French rule, after month 4: 8 months to the 12th in full, then 25 % of 12 months
    assert early_termination_fee(
        monthly_price=price, commitment_months=24, months_elapsed=4, rule="fr_quarter"
    ) == Decimal("220.00")
    assert early_termination_fee(
        monthly_price=price, commitment_months=24, months_elapsed=30, rule="fr_quarter"
    ) == Decimal("0.00")


# --- Properties ------------------------------------------------------------------------------
prices = st.decimals(min_value=0, max_value=5, places=4)
increments = st.sampled_from([1, 10, 30, 60])
digits = st.text(alphabet="0123456789", min_size=1, max_size=6)


@st.composite
def tables(draw):
    count = draw(st.integers(1, 12))
    rows = {}
    for _ in range(count):
        prefix = draw(digits)
        rows[prefix] = RateSpec(
            prefix,
            f"D{prefix}",
            draw(st.sampled_from(["Z1", "Z2"])),
            "VOICE",
            "HOME",
            draw(prices),
            "MIN",
            draw(increments),
            draw(increments),
            draw(st.decimals(min_value=0, max_value=1, places=4)),
        )
    rows["data"] = RateSpec(
        "", "Data", "DATA", "DATA", "HOME", draw(prices), "MB", draw(increments), draw(increments)
    )
    return list(rows.values())


def _reference_amount(spec: RateSpec, charged: int, fee: bool) -> Decimal:
    """The contract's amount with Fraction/Decimal, rounded with core.money."""
    per = 60 if spec.unit == "MIN" else 1024
    exact = (Fraction(spec.connection_fee) if fee else 0) + Fraction(spec.price) * charged / per
    return quantize_rated(Decimal(exact.numerator) / Decimal(exact.denominator))


@settings(max_examples=150, deadline=None)
@given(tables(), digits, st.integers(0, 7200))
def test_amount_is_the_exact_fraction_rounded_once_never_negative(rows, number, duration):
    table = compile_table(rows)
    rated = rate_event(table, event_type="VOICE_MO", called=number, duration_s=duration)
    assert rated.amount_e4 >= 0
    if rated.status == RATED and rated.billed:
        spec = next(r for r in rows if r.prefix == rated.prefix and r.event_type == "VOICE")
        assert amount_decimal(rated.amount_e4) == _reference_amount(spec, rated.charged, True)


@settings(max_examples=150, deadline=None)
@given(tables(), digits, st.integers(0, 7200), st.integers(0, 600))
def test_amount_never_decreases_with_duration(rows, number, duration, extra):
    table = compile_table(rows)
    shorter = rate_event(table, event_type="VOICE_MO", called=number, duration_s=duration)
    longer = rate_event(table, event_type="VOICE_MO", called=number, duration_s=duration + extra)
    assert longer.amount_e4 >= shorter.amount_e4 and longer.billed >= shorter.billed


@settings(max_examples=150, deadline=None)
@given(tables(), st.integers(0, 50_000_000), st.integers(0, 5_000_000))
def test_amount_never_decreases_with_volume(rows, volume, extra):
    table = compile_table(rows)
    smaller = rate_event(table, event_type="DATA", volume_bytes=volume)
    bigger = rate_event(table, event_type="DATA", volume_bytes=volume + extra)
    assert bigger.amount_e4 >= smaller.amount_e4 >= 0


@given(st.integers(1, 120), st.integers(1, 120), st.integers(0, 20))
def test_an_increment_boundary_is_charged_as_the_contract_says(first, nxt, k):
    # Exactly on a boundary: no extra increment; one second past it: one more increment.
    on_boundary = first + k * nxt
    assert billed_quantity(on_boundary, first, nxt) == on_boundary
    assert billed_quantity(on_boundary + 1, first, nxt) == on_boundary + nxt
    assert billed_quantity(1, first, nxt) == first and billed_quantity(0, first, nxt) == 0


@settings(max_examples=150, deadline=None)
@given(tables(), digits, digits)
def test_longest_prefix_always_wins(rows, number, suffix):
    table = compile_table(rows)
    called = number + suffix
    rated = rate_event(table, event_type="VOICE_MO", called=called, duration_s=60)
    candidates = [r.prefix for r in rows if r.event_type == "VOICE" and called.startswith(r.prefix)]
    if candidates:
        assert rated.prefix == max(candidates, key=len)
    else:
        assert rated.status == UNRATED


@settings(max_examples=150, deadline=None)
@given(tables(), digits, st.integers(1, 3600), st.integers(0, 7200))
def test_a_covered_event_inside_its_allowance_costs_nothing(rows, number, duration, spare):
    table = compile_table(rows)
    first = rate_event(table, event_type="VOICE_MO", called=number, duration_s=duration)
    if first.status != RATED:
        return
    allowances = Allowances(
        (AllowanceSpec("VOICE", frozenset({first.zone}), frozenset({"HOME"}), first.billed + spare),)
    )
    covered = rate_event(
        table,
        event_type="VOICE_MO",
        called=number,
        duration_s=duration,
        allowances=allowances,
        usage=allowances.new_usage(),
    )
    assert covered.amount_e4 == 0 and covered.allowance_used == first.billed


events = st.lists(
    st.tuples(
        st.sampled_from(["L1", "L2"]),
        st.sampled_from(["VOICE_MO", "VOICE_MT", "SMS_MO", "DATA", "MMS_MO", "VOICE_FWD"]),
        digits,
        st.sampled_from(["", "FR", "ES", "US", "CN"]),
        st.integers(0, 4000),
        st.integers(0, 30_000_000),
        st.integers(0, 5000),
    ).map(lambda t: Event(*t)),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(tables(), events, st.booleans(), st.integers(0, 600), st.integers(0, 20000))
def test_batch_path_gives_the_same_results_as_one_event_at_a_time(rows, evs, markup, voice_quota, data_quota):
    table = compile_table(rows, cost_markup=CostMarkup(Decimal("0.02"), Decimal("15")) if markup else None)
    allowances = Allowances(
        (
            AllowanceSpec("VOICE", frozenset({"Z1"}), frozenset({"HOME"}), voice_quota),
            AllowanceSpec("VOICE", frozenset(), frozenset(), voice_quota // 2),
            AllowanceSpec("DATA", frozenset(), frozenset({"HOME"}), data_quota),
        )
    )
    usage: dict = {}
    one_by_one = []
    for e in evs:
        line_usage = usage.setdefault(e.line, allowances.new_usage())
        one_by_one.append(
            rate_event(
                table,
                event_type=e.event_type,
                called=e.called,
                country=e.country,
                duration_s=e.duration_s,
                volume_bytes=e.volume_bytes,
                wholesale_cost_e4=e.wholesale_cost_e4,
                allowances=allowances,
                usage=line_usage,
            )
        )
    assert rate_batch(table, evs, allowances=allowances) == one_by_one
