"""`rate_cdrs` rates CDRs already in time order without sorting them, with the same results."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offers import rating
from offers.rating import (
    Allowances,
    AllowanceSpec,
    Cdr,
    RateSpec,
    called_number_normalise,
    compile_table,
    rate_cdrs,
    rate_event,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = dt.UTC

# Instants around what splits the rating: Paris midnights (a table per date), the month change
# (allowances start again) and the autumn clock change of 25 October 2026, whose 02:00–03:00
# happens twice (fold 0, then fold 1).
MOMENTS = [
    dt.datetime(2026, 10, 24, 23, 59, 59, tzinfo=PARIS),
    dt.datetime(2026, 10, 25, 0, 0, 0, tzinfo=PARIS),
    dt.datetime(2026, 10, 25, 2, 30, tzinfo=PARIS),
    dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS),
    dt.datetime(2026, 10, 25, 23, 59, 59, tzinfo=PARIS),
    dt.datetime(2026, 10, 26, 0, 0, 0, tzinfo=PARIS),
    dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=PARIS),
    dt.datetime(2026, 11, 1, 0, 0, 0, tzinfo=PARIS),
    dt.datetime(2026, 11, 1, 0, 0, 1, tzinfo=PARIS),
    dt.datetime(2026, 11, 2, 12, 0, 0, tzinfo=PARIS),
]

# Two tables that price the same numbers differently: which one rated an event shows its date.
EVEN_DAYS = compile_table(
    [
        RateSpec("336", "Mobile", "FR", "VOICE", "HOME", Decimal("0.10"), "MIN", 60, 60, Decimal("0.05")),
        RateSpec("3361", "Mobile 1", "FR", "VOICE", "HOME", Decimal("0.12"), "MIN", 1, 1),
        RateSpec("44", "UK", "INTL", "VOICE", "HOME", Decimal("0.50"), "MIN", 30, 30),
        RateSpec("", "SMS", "FR", "SMS", "HOME", Decimal("0.07"), "EVENT", 1, 1),
        RateSpec("", "Data", "DATA", "DATA", "HOME", Decimal("0.01"), "MB", 1, 1),
    ]
)
ODD_DAYS = compile_table(
    [
        RateSpec("336", "Mobile", "FR", "VOICE", "HOME", Decimal("0.20"), "MIN", 1, 1),
        RateSpec("44", "UK", "INTL", "VOICE", "HOME", Decimal("0.90"), "MIN", 60, 60, Decimal("0.10")),
        RateSpec("", "SMS", "FR", "SMS", "HOME", Decimal("0.09"), "EVENT", 1, 1),
        RateSpec("", "Data", "DATA", "DATA", "HOME", Decimal("0.02"), "MB", 10, 10),
    ]
)
ALLOWANCES = Allowances(
    (
        AllowanceSpec("VOICE", frozenset({"FR"}), frozenset({"HOME"}), 150),
        AllowanceSpec("SMS", frozenset(), frozenset({"HOME"}), 2),
        AllowanceSpec("DATA", frozenset(), frozenset({"HOME"}), 3000),
    )
)


def table_on(day: dt.date):
    return EVEN_DAYS if day.toordinal() % 2 == 0 else ODD_DAYS


@st.composite
def cdr_lists(draw, *, mixed_zones: bool):
    """CDRs of two lines at moments that tie, cross midnights, the month and the clock change."""
    cdrs = []
    for _ in range(draw(st.integers(0, 25))):
        # Mixed zones leave out the repeated hour: there a Paris time ties with its repetition
        # (same zone: wall clocks compare) yet a UTC time falls between them, so no order exists.
        start = draw(
            st.sampled_from([m for m in MOMENTS if m.hour != 2] if mixed_zones else MOMENTS)
        ) + dt.timedelta(seconds=draw(st.sampled_from([0, 0, 1, 3600])))
        if mixed_zones and draw(st.booleans()):
            start = start.astimezone(UTC)  # the same instant, another date near midnight
        cdrs.append(
            Cdr(
                draw(st.sampled_from(["A", "B"])),
                start,
                draw(st.sampled_from(["VOICE_MO", "VOICE_MO", "SMS_MO", "DATA", "VOICE_MT"])),
                draw(st.sampled_from(["0612345678", "+33612345678", "33612345678", "336199", "4420", "999"])),
                "",
                draw(st.integers(0, 200)),
                draw(st.integers(0, 3_000_000)),
            )
        )
    return cdrs


def _one_at_a_time(cdrs):
    """The reference: each CDR alone, in stable time order, with its Paris date's table and month."""
    usage: dict = {}
    expected = {}
    for i in sorted(range(len(cdrs)), key=lambda i: cdrs[i].start):
        c = cdrs[i]
        expected[i] = rate_event(
            table_on(c.start.date()),
            event_type=c.event_type,
            called=called_number_normalise(c.called),
            duration_s=c.duration_s,
            volume_bytes=c.volume_bytes,
            allowances=ALLOWANCES,
            usage=usage.setdefault((c.line, c.start.strftime("%Y-%m")), ALLOWANCES.new_usage()),
        )
    return [expected[i] for i in range(len(cdrs))]


@settings(max_examples=200, deadline=None)
@given(cdr_lists(mixed_zones=False) | cdr_lists(mixed_zones=True), st.randoms(use_true_random=False))
def test_cdrs_in_time_order_and_the_same_cdrs_shuffled_are_rated_identically(cdrs, rnd):
    chronological = sorted(cdrs, key=lambda c: c.start)  # stable: as a file in time order
    shuffled = list(chronological)
    rnd.shuffle(shuffled)
    from_chronological = rate_cdrs(chronological, table_on=table_on, allowances=ALLOWANCES)
    from_shuffled = rate_cdrs(shuffled, table_on=table_on, allowances=ALLOWANCES)
    assert from_chronological == _one_at_a_time(chronological)
    assert from_shuffled == _one_at_a_time(shuffled)
    # Each CDR gets the same result wherever it stands, unless it ties with another of its line.
    position = {id(c): k for k, c in enumerate(chronological)}
    tied = {id(c) for c in cdrs if sum(d.line == c.line and d.start == c.start for d in cdrs) > 1}
    for c, result in zip(shuffled, from_shuffled, strict=True):
        if id(c) not in tied:
            assert result == from_chronological[position[id(c)]]


def test_cdrs_already_in_time_order_are_not_sorted_again(monkeypatch):
    cdrs = [
        Cdr("A", dt.datetime(2026, 10, 31, 23, 0, tzinfo=PARIS), "VOICE_MO", "0612345678", "", 100, 0),
        Cdr("A", dt.datetime(2026, 10, 31, 23, 0, tzinfo=PARIS), "VOICE_MO", "0612345678", "", 100, 0),
        Cdr("A", dt.datetime(2026, 11, 1, 0, 10, tzinfo=PARIS), "VOICE_MO", "0612345678", "", 100, 0),
    ]
    expected = rate_cdrs(cdrs, table_on=table_on, allowances=ALLOWANCES)

    def no_sort(*args, **kwargs):
        raise AssertionError("sorted() called on CDRs already in time order")

    monkeypatch.setattr(rating, "sorted", no_sort, raising=False)
    assert rate_cdrs(cdrs, table_on=table_on, allowances=ALLOWANCES) == expected
    # 150 s of allowance on 31 October, taken by the first call; November starts whole again.
    assert [(r.allowance_used, r.charged) for r in expected] == [(100, 0), (50, 50), (100, 0)]
    with pytest.raises(AssertionError, match="already in time order"):
        rate_cdrs(cdrs[::-1], table_on=table_on, allowances=ALLOWANCES)
