"""Rating contract review: the rules of shared/DESIGN.md checked to the ten-thousandth.

Each test here pins one point of the contract the first version of the engine got wrong or
left open (see docs/rating.md for the decisions).
"""

import datetime as dt
import json
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from offers.models import RateTableKind
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
    called_number_normalise,
    compile_table,
    origin_zone,
    rate_batch,
    rate_event,
)
from offers.selectors import rating_rate_file
from offers.services import rate_table_create, rate_table_import
from tests.conftest import in_schema
from tests.offers.conftest import SAMPLE_CDRS

pytestmark = pytest.mark.django_db

HEADER = "PREFIX;DESTINATION;ZONE;EVENT_TYPE;ORIGIN_ZONE;PRICE;UNIT;FIRST_INCREMENT;NEXT_INCREMENT;CONNECTION_FEE;VALID_FROM"
CDR_HEADER = (
    "CDR_ID;EVENT_TYPE;MSISDN;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;ROAMING_COUNTRY;WHOLESALE_COST"
)


def _voice(prefix, price, first=60, nxt=60, fee="0", zone="Z", origin="HOME", kind="VOICE"):
    unit = "MIN" if kind in ("VOICE", "VOICE_MT") else "EVENT"
    return RateSpec(prefix, f"D{prefix}", zone, kind, origin, Decimal(price), unit, first, nxt, Decimal(fee))


# --- 1. Origin zone --------------------------------------------------------------------------
def test_an_eu_country_is_eu_even_when_the_tenants_map_names_it_and_rlah_rates_it_home():
    tenant_map = {"DE": "WORLD1", "US": "WORLD1"}
    assert origin_zone("DE", country_zones=tenant_map) == "HOME"
    assert origin_zone("DE", country_zones=tenant_map, roam_like_at_home=False) == "EU"
    assert origin_zone("US", country_zones=tenant_map) == "WORLD1"


def test_the_french_overseas_departments_are_home_whatever_the_tenants_map():
    tenant_map = {"US": "WORLD1"}
    for country in ("GP", "MQ", "GF", "RE", "YT", "fr", "", "  "):
        assert origin_zone(country, country_zones=tenant_map, roam_like_at_home=False) == "HOME", country


def test_the_eu_eea_list_is_the_27_members_and_iceland_liechtenstein_norway():
    members = [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
    assert len(members) + 1 == 27  # FR is the home country
    for country in [*members, "IS", "LI", "NO", "AX"]:
        assert origin_zone(country, roam_like_at_home=False) == "EU", country
    for country in ("GB", "CH", "MC", "AD", "US"):
        assert origin_zone(country, roam_like_at_home=False) == "WORLD1", country


# --- 2. Destination --------------------------------------------------------------------------
def test_a_national_number_is_normalised_for_france_and_short_codes_stay_as_dialled():
    assert called_number_normalise("0612345678") == "33612345678"
    assert called_number_normalise("0033612345678") == "33612345678"
    assert called_number_normalise("+33 6 12 34 56 78") == "33612345678"
    assert called_number_normalise("3179") == "3179"
    assert called_number_normalise("118712") == "118712"
    assert called_number_normalise("33612345678") == "33612345678"


def test_received_calls_are_free_only_where_the_table_has_no_row_of_their_type_from_that_zone():
    table = compile_table(
        [_voice("33", "0.10"), _voice("33", "0.50", origin="WORLD1", kind="VOICE_MT", zone="WORLD1")]
    )
    at_home = rate_event(table, event_type="VOICE_MT", called="33612345678", duration_s=60)
    abroad = rate_event(table, event_type="VOICE_MT", called="33612345678", country="US", duration_s=60)
    abroad_unknown = rate_event(
        table, event_type="VOICE_MT", called="4915112345", country="US", duration_s=60
    )
    fixed_line_in = rate_event(table, event_type="VOICE_IN", called="4915112345", country="US", duration_s=60)
    assert (at_home.status, at_home.amount_e4) == (FREE, 0)
    assert (abroad.status, abroad.amount_e4) == (RATED, 5000)
    assert (abroad_unknown.status, abroad_unknown.amount_e4) == (UNRATED, 0)
    assert fixed_line_in.status == UNRATED
    batch = rate_batch(
        table,
        [
            Event("L", "VOICE_MT", "33612345678", "", 60, 0),
            Event("L", "VOICE_MT", "4915112345", "US", 60, 0),
        ],
    )
    assert [r.status for r in batch] == [FREE, UNRATED]


def test_forwards_and_fixed_outgoing_calls_are_rated_with_voice_rows():
    table = compile_table([_voice("33", "0.12")])
    for event_type in ("VOICE_MO", "VOICE_FWD", "VOICE_OUT"):
        rated = rate_event(table, event_type=event_type, called="33145678901", duration_s=61)
        assert (rated.status, rated.billed, rated.amount_e4) == (RATED, 120, 2400), event_type


# --- 3. Billed quantity and the connection fee of an empty event ------------------------------
def test_a_zero_second_call_pays_its_connection_fee_unless_an_allowance_covers_it():
    table = compile_table([_voice("3389", "0.80", fee="0.12", zone="FR_SPECIAL")])
    alone = rate_event(table, event_type="VOICE_MO", called="33899123456", duration_s=0)
    assert (alone.billed, alone.charged, alone.amount_e4) == (0, 0, 1200)
    allowances = Allowances((AllowanceSpec("VOICE", frozenset({"FR_SPECIAL"}), frozenset({"HOME"}), 60),))
    covered = rate_event(
        table,
        event_type="VOICE_MO",
        called="33899123456",
        duration_s=0,
        allowances=allowances,
        usage=allowances.new_usage(),
    )
    assert covered.amount_e4 == 0
    [batched] = rate_batch(table, [Event("L", "VOICE_MO", "33899123456", "", 0, 0)])
    assert batched.amount_e4 == 1200


def test_an_exhausted_allowance_no_longer_waives_the_fee():
    table = compile_table([_voice("33", "0.60", fee="0.05", zone="FR")])
    allowances = Allowances((AllowanceSpec("VOICE", frozenset({"FR"}), frozenset({"HOME"}), 60),))
    usage = allowances.new_usage()
    first = rate_event(
        table, event_type="VOICE_MO", called="331", duration_s=60, allowances=allowances, usage=usage
    )
    second = rate_event(
        table, event_type="VOICE_MO", called="331", duration_s=60, allowances=allowances, usage=usage
    )
    assert (first.amount_e4, second.amount_e4) == (0, 500 + 6000)


# --- 5. Amounts: the fast path against a plain Fraction reference ------------------------------
UNIT_BASE = {"MIN": 60, "MB": 1024, "EVENT": 1}


def _reference(rows, allowances, events):
    """The contract written plainly: Fractions, Decimal rounding, allowances per line in order."""
    remaining = {}
    out = []
    for line, event_type, called, _country, duration, volume, *_cost in events:
        kind = {"VOICE_MO": "VOICE", "SMS_MO": "SMS", "DATA": "DATA"}[event_type]
        candidates = [
            r for r in rows if r.event_type == kind and (kind == "DATA" or called.startswith(r.prefix))
        ]
        if not candidates:
            out.append((UNRATED, 0))
            continue
        row = max(candidates, key=lambda r: len(r.prefix))
        if kind == "DATA":
            quantity = -(-volume // 1024)
        elif kind == "SMS":
            quantity = 1
        else:
            quantity = duration
        first, nxt = (1, 1) if kind == "SMS" else (row.first_increment, row.next_increment)
        billed = 0 if quantity == 0 else max(quantity, first)
        if billed > first:
            billed = first + -(-(billed - first) // nxt) * nxt
        left = remaining.setdefault(line, [a.quantity for a in allowances])
        charged, covering = billed, False
        for i, a in enumerate(allowances):
            if a.kind == kind and (not a.zones or row.zone in a.zones):
                covering = True
                if left[i] is None:
                    charged = 0
                else:
                    take = min(left[i], charged)
                    left[i] -= take
                    charged -= take
        fee = Fraction(0) if (covering and charged == 0) else Fraction(row.connection_fee)
        exact = fee + Fraction(row.price) * charged / UNIT_BASE[row.unit]
        amount = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )
        out.append((RATED, int(amount * 10000)))
    return out


prices = st.decimals(min_value=0, max_value=20, places=5)
steps = st.sampled_from([(60, 60), (60, 1), (1, 1), (30, 6), (30, 30), (10, 10), (45, 7)])


@st.composite
def contract_cases(draw):
    rows = {}
    for _ in range(draw(st.integers(1, 15))):
        prefix = draw(st.text(alphabet="0123456789", min_size=1, max_size=5))
        first, nxt = draw(steps)
        rows[("VOICE", prefix)] = RateSpec(
            prefix,
            f"D{prefix}",
            draw(st.sampled_from(["FR", "INTL"])),
            "VOICE",
            "HOME",
            draw(prices),
            "MIN",
            first,
            nxt,
            draw(st.decimals(min_value=0, max_value=1, places=5)),
        )
    rows[("SMS", "3")] = RateSpec("3", "SMS", "FR", "SMS", "HOME", draw(prices), "EVENT", 1, 1)
    first, nxt = draw(st.sampled_from([(1, 1), (10, 10), (100, 50), (1024, 1)]))
    rows[("DATA", "")] = RateSpec("", "Data", "DATA", "DATA", "HOME", draw(prices), "MB", first, nxt)
    allowances = (
        AllowanceSpec(
            "VOICE", frozenset({"FR"}), frozenset({"HOME"}), draw(st.none() | st.integers(0, 4000))
        ),
        AllowanceSpec("DATA", frozenset(), frozenset({"HOME"}), draw(st.integers(0, 3_000_000))),
        AllowanceSpec("SMS", frozenset({"FR"}), frozenset({"HOME"}), draw(st.integers(0, 3))),
    )
    events = draw(
        st.lists(
            st.builds(
                Event,
                st.sampled_from(["A", "B"]),
                st.sampled_from(["VOICE_MO", "VOICE_MO", "SMS_MO", "DATA"]),
                st.text(alphabet="0123456789", min_size=1, max_size=9),
                st.just(""),
                st.integers(0, 20_000),
                st.integers(0, 10_000_000_000),
                st.just(0),
            ),
            max_size=30,
        )
    )
    return list(rows.values()), allowances, events


@settings(max_examples=300, deadline=None)
@given(contract_cases())
def test_every_amount_matches_a_plain_fraction_reference_to_the_ten_thousandth(case):
    rows, allowance_specs, events = case
    table = compile_table(rows)
    allowances = Allowances(allowance_specs)
    expected = _reference(rows, allowance_specs, events)
    batch = [(r.status, r.amount_e4) for r in rate_batch(table, events, allowances=allowances)]
    usage = {}
    single = [
        (r.status, r.amount_e4)
        for r in (
            rate_event(
                table,
                event_type=e.event_type,
                called=e.called,
                duration_s=e.duration_s,
                volume_bytes=e.volume_bytes,
                allowances=allowances,
                usage=usage.setdefault(e.line, allowances.new_usage()),
            )
            for e in events
        )
    ]
    assert batch == expected
    assert single == expected


def test_a_five_decimal_price_on_odd_increments_is_rounded_once():
    # 0.12345 €/min, 30/6: 3,599 s → 3,600 s = 60 min = 7.4070 (a price rounded to 0.1235 first: 7.4100)
    table = compile_table([_voice("33", "0.12345", first=30, nxt=6)])
    rated = rate_event(table, event_type="VOICE_MO", called="331", duration_s=3599)
    assert (rated.billed, rated.amount_e4) == (3600, 74070)
    # 47 s → 48 s at 0.12345 €/min = 0.09876 → 0.0988
    assert rate_event(table, event_type="VOICE_MO", called="331", duration_s=47).amount_e4 == 988


def test_a_cost_markup_is_computed_on_the_exact_wholesale_cost_and_rounded_once():
    # (0.00005 + 0) × 1.5 = 0.000075 → 0.0001; rounding the cost first would give 0.0002
    table = compile_table([], cost_markup=CostMarkup(fixed=Decimal(0), percent=Decimal(50)))
    rated = rate_event(
        table, event_type="VOICE_MO", called="34", duration_s=60, wholesale_cost=Decimal("0.00005")
    )
    assert (rated.status, rated.amount_e4) == (COST_MARKUP, 1)
    [batched] = rate_batch(table, [Event("L", "VOICE_MO", "34", "", 60, 0, 0, Decimal("0.00005"))])
    assert batched.amount_e4 == 1


# --- 4, 7, 11. The product path: files of CDRs rated with a stored table -----------------------
def _cdrs(*lines: str) -> bytes:
    return ("\n".join([CDR_HEADER, *lines]) + "\n").encode()


def _table(tenant, code, *rows: str):
    with in_schema(tenant):
        table = rate_table_create(data={"code": code, "label": code}, by=None)
        rate_table_import(
            today=timezone.localdate(),
            table=table,
            data=("\n".join([HEADER, *rows]) + "\n").encode(),
            filename="t.csv",
            by=None,
        )
    return table


def test_an_event_is_rated_with_the_rows_valid_on_its_paris_date(acme):
    table = _table(
        acme,
        "VERSIONS",
        "33;France;FR;VOICE;HOME;0,10;MIN;60;60;0;2026-10-01",
        "33;France;FR;VOICE;HOME;0,20;MIN;60;60;0;2026-11-01",
        "33;France;FR;VOICE;HOME;0,30;MIN;60;60;0;2026-12-01",
    )
    data = _cdrs(
        "1;VOICE_MO;33700000001;2026-10-31 23:59:59;60;0;33612345678;;0",
        "2;VOICE_MO;33700000001;2026-10-31T23:30:00+00:00;60;0;33612345678;;0",  # 00:30 in Paris
        "3;VOICE_MO;33700000001;2026-11-15 10:00:00;60;0;0612345678;;0",
    )
    with in_schema(acme):
        results, _summary = rating_rate_file(data=data, filename="c.csv", table=table)
    assert [r["amount"] for r in results] == ["0.1000", "0.2000", "0.2000"]
    assert results[2]["prefix"] == "33"


def test_allowances_start_again_each_calendar_month_in_paris(acme):
    from offers.models import Allowance, Offer

    table = _table(acme, "MONTHLY", "33;France;FR;VOICE;HOME;0,60;MIN;60;60;0;2026-01-01")
    with in_schema(acme):
        offer = Offer.objects.create(code="MONTHLY", label="Monthly", default_rate_table=table)
        Allowance.objects.create(offer=offer, event_type="VOICE", quantity=Decimal(1), zones="FR")
        data = _cdrs(
            "1;VOICE_MO;33700000001;2026-10-30 10:00:00;60;0;331;;0",
            "2;VOICE_MO;33700000001;2026-10-31 22:30:00;60;0;331;;0",
            "3;VOICE_MO;33700000001;2026-10-31T23:30:00Z;60;0;331;;0",  # 1 November in Paris
            "4;VOICE_MO;33700000001;2026-11-02 10:00:00;60;0;331;;0",
        )
        results, _summary = rating_rate_file(data=data, filename="c.csv", table=table, offer=offer)
    assert [(r["allowance_used"], r["amount"]) for r in results] == [
        (60, "0.0000"),
        (0, "0.6000"),
        (60, "0.0000"),
        (0, "0.6000"),
    ]


def test_the_sample_cdrs_rate_as_computed_by_hand(acme, load_sample_table, capsys):
    load_sample_table(acme, code="GRILLE")
    call_command("rate_events", str(SAMPLE_CDRS), tenant="acme", table="GRILLE")
    by_id = {r["CDR_ID"]: r for r in map(json.loads, capsys.readouterr().out.splitlines()) if "CDR_ID" in r}
    # 1058 s to 3389 (0.80 €/min 60/60, fee 0.12) from Spain = home: 18 min → 0.12 + 14.40
    assert by_id["ORG-M-202610000004"]["amount"] == "14.5200"
    # 987 s to Spain (34, 0.30 €/min, 60/60): 17 min → 5.10
    assert by_id["ORG-M-202610000020"]["amount"] == "5.1000"
    # 1135 s to 337 from the US (WORLD1: 33 at 1.50 €/min, 60/60): 19 min → 28.50
    assert (by_id["ORG-M-202610000010"]["origin_zone"], by_id["ORG-M-202610000010"]["amount"]) == (
        "WORLD1",
        "28.5000",
    )
    # 37,751,815 bytes at home: 36,868 KB at 0.01 €/MB = 0.3600390625 → 0.3600
    assert by_id["ORG-M-202610000002"]["amount"] == "0.3600"
    # 55,244,559 bytes from the US: 53,950 KB (10/10) at 5 €/MB = 263.427734375 → 263.4277
    assert by_id["ORG-M-202610000012"]["amount"] == "263.4277"
    # SMS to Morocco: the empty-prefix SMS row (0.20); received call: no VOICE_MT row, free
    assert by_id["ORG-M-202610000022"]["amount"] == "0.2000"
    assert by_id["ORG-M-202610000001"]["status"] == "free"
    # The short code 3179 has no row: unrated, for the staff to fix
    assert (by_id["ORG-M-202610000011"]["status"], by_id["ORG-M-202610000011"]["amount"]) == (
        "unrated",
        "0.0000",
    )


def test_markup_prices_are_exact_and_shown_as_applied(acme):
    from offers.selectors import rate_effective_list
    from offers.services import rate_table_update

    base = _table(acme, "BASE", "33;France;FR;VOICE;HOME;0,123456;MIN;60;60;0;2026-01-01")
    with in_schema(acme):
        markup = rate_table_create(data={"code": "MARKUP", "label": "Markup"}, by=None)
        rate_table_update(
            table=markup,
            data={
                "kind": RateTableKind.MARKUP,
                "base_table": base,
                "markup_fixed": Decimal("0.0001"),
                "markup_percent": Decimal("12.5"),
            },
            by=None,
        )
        [row] = rate_effective_list(table=markup, on=dt.date(2026, 10, 1))
    # (0.123456 + 0.0001) × 1.125 = 0.1390005 exactly: shown as the engine applies it
    assert row["price"] == Decimal("0.1390005")


def test_the_offers_allowances_are_consumed_before_its_options(acme):
    from offers.models import Allowance, Offer, Option
    from offers.selectors import allowances_for

    with in_schema(acme):
        offer = Offer.objects.create(code="ORDER", label="Order")
        option = Option.objects.create(code="ORDER-OPT", label="Option")
        Allowance.objects.create(option=option, event_type="VOICE", quantity=Decimal(1), zones="")
        Allowance.objects.create(offer=offer, event_type="VOICE", quantity=Decimal(1), zones="FR")
        allowances = allowances_for(offer=offer, options=[option])
    table = compile_table([_voice("33", "0.60", zone="FR"), _voice("34", "0.60", zone="INTL")])
    usage = allowances.new_usage()
    france = rate_event(
        table, event_type="VOICE_MO", called="331", duration_s=60, allowances=allowances, usage=usage
    )
    spain = rate_event(
        table, event_type="VOICE_MO", called="341", duration_s=60, allowances=allowances, usage=usage
    )
    # The offer's French minute pays the French call; the option's minute (any zone) is left for Spain.
    assert (france.amount_e4, spain.amount_e4) == (0, 0)
    assert [a.zones for a in allowances.specs] == [frozenset({"FR"}), frozenset()]


def test_the_roam_like_at_home_switch_and_the_tenants_map_reach_the_file_rating(acme):
    table = _table(
        acme,
        "SWITCH",
        "33;France;FR;VOICE;HOME;0,10;MIN;60;60;0;2026-10-01",
        "33;France depuis l'UE;EU;VOICE;EU;0,40;MIN;60;60;0;2026-10-01",
        "33;France depuis le monde;W;VOICE;WORLD3;2,00;MIN;60;60;0;2026-10-01",
    )
    data = _cdrs(
        "1;VOICE_MO;33700000001;2026-10-10 10:00:00;60;0;33612345678;DE;0",
        "2;VOICE_MO;33700000001;2026-10-10 11:00:00;60;0;33612345678;JP;0",
    )
    with in_schema(acme):
        default, _ = rating_rate_file(data=data, filename="c.csv", table=table)
        switched, _ = rating_rate_file(
            data=data, filename="c.csv", table=table, roam_like_at_home=False, country_zones={"JP": "WORLD3"}
        )
    assert [r["amount"] for r in default] == ["0.1000", "0.0000"]
    assert [r["status"] for r in default] == ["rated", "unrated"]
    assert [r["amount"] for r in switched] == ["0.4000", "2.0000"]


def test_a_markup_of_another_table_marks_its_connection_fees_up_too(acme, load_sample_table):
    from offers.selectors import compiled_table_for

    base = load_sample_table(acme)
    with in_schema(acme):
        markup = rate_table_create(
            data={
                "code": "RESALE",
                "label": "Revente",
                "kind": "markup",
                "base_table": base,
                "markup_fixed": Decimal("0.01"),
                "markup_percent": Decimal("50"),
            },
            by=None,
        )
        compiled = compiled_table_for(table=markup, on=dt.date(2026, 10, 10))
    # 3389: 0.80 €/min + 0.12 € fee → (0.80 + 0.01) × 1.5 = 1.215 €/min and 0.12 × 1.5 = 0.18 €
    special = rate_event(compiled, event_type="VOICE_MO", called="33899123456", duration_s=120)
    assert special.amount_e4 == 1800 + 2 * 12150


# --- 8. Uploads --------------------------------------------------------------------------------
def _upload(tenant, code, data: bytes, filename="t.csv"):
    from core.errors import ApplicationError

    with in_schema(tenant):
        table = rate_table_create(data={"code": code, "label": code}, by=None)
        try:
            rate_table_import(table=table, data=data, filename=filename, by=None, today=dt.date(2026, 10, 1))
        except ApplicationError as exc:
            return table, exc.extra["errors"], table.rates.count()
        return table, [], table.rates.count()


def test_a_repeated_key_refuses_the_file_and_names_both_lines_but_versions_are_welcome(acme):
    rows = [
        HEADER,
        "33;France;FR;VOICE;HOME;0,10;MIN;60;60;0;2026-10-01",
        "33;France;FR;VOICE;HOME;0,20;MIN;60;60;0;2026-11-01",
        "33;France bis;FR;VOICE;HOME;0,30;MIN;60;60;0;2026-10-01",
        "33;France roaming;FR;VOICE;EU;0,30;MIN;60;60;0;2026-10-01",
    ]
    _table, errors, count = _upload(acme, "DUP", "\n".join(rows).encode())
    assert count == 0
    assert [(e["line"], e["column"]) for e in errors] == [(4, "PREFIX")]
    assert "line 2" in errors[0]["reason"] or "ligne 2" in errors[0]["reason"]
    _table, errors, count = _upload(acme, "VERSIONS-OK", "\n".join(rows[:3] + rows[4:]).encode())
    assert (errors, count) == ([], 3)


def test_every_fault_of_a_file_is_listed_with_its_line_column_and_reason_and_nothing_applies(acme):
    rows = [
        HEADER,
        "33;France;FR;VOICE;HOME;0,10;MIN;60;60;0;2026-10-01",
        "3x;France;FR;VOICE;HOME;0,10;MIN;60;60;0;2026-10-01",
        "34;Espagne;INTL;VOICE;HOME;1,2,3;MIN;60;60;0;2026-10-01",
        "35;Portugal;INTL;VOICE;HOME;0,10;MB;60;60;0;2026-10-01",
        "36;Hongrie;INTL;PIGEON;HOME;0,10;MIN;60;60;0;2026-10-01",
        ";Data;FR_DATA;DATA;HOME;0,01;MB;1;1;0;31/02/2026",
    ]
    _table, errors, count = _upload(acme, "FAULTS", "\n".join(rows).encode())
    assert count == 0
    assert [(e["line"], e["column"]) for e in errors] == [
        (3, "PREFIX"),
        (4, "PRICE"),
        (5, "UNIT"),
        (6, "EVENT_TYPE"),
        (7, "VALID_FROM"),
    ]
    assert all(e["reason"] for e in errors)


def test_a_bom_crlf_file_with_both_decimal_marks_and_its_trailer_loads(acme):
    rows = [
        HEADER,
        "33;France;FR;VOICE;HOME;0,12345;MIN;30;6;0.05;2026-10-01",
        "34;Espagne;INTL;VOICE;;0.3;MIN;;;;",
        "TRAILER;2",
    ]
    table, errors, count = _upload(acme, "BOM", "\ufeff".encode() + "\r\n".join(rows).encode() + b"\r\n")
    assert (errors, count) == ([], 2)
    with in_schema(acme):
        france = table.rates.get(prefix="33")
        spain = table.rates.get(prefix="34")
    assert (france.price, france.first_increment, france.next_increment, france.connection_fee) == (
        Decimal("0.12345"),
        30,
        6,
        Decimal("0.05"),
    )
    assert (spain.origin_zone, spain.first_increment, spain.valid_from) == ("HOME", 60, dt.date(2026, 10, 1))
    _table, errors, count = _upload(acme, "TRUNCATED", "\r\n".join([*rows[:-1], "TRAILER;3"]).encode())
    assert count == 0 and errors[0]["column"] == "TRAILER"


def test_an_xlsx_fault_is_reported_on_its_sheet_row(acme):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["33", "France", "FR", "VOICE", "HOME", 0.1, "MIN", 60, 60, 0, "2026-10-01"])
    sheet.append(["34", "Espagne", "INTL", "VOICE", "HOME", "abc", "MIN", 60, 60, 0, "2026-10-01"])
    out = io.BytesIO()
    workbook.save(out)
    _table, errors, count = _upload(acme, "XLSX-FAULT", out.getvalue(), filename="t.xlsx")
    assert count == 0 and [(e["line"], e["column"]) for e in errors] == [(3, "PRICE")]


def test_rate_events_takes_the_roaming_switch_and_a_country_map(acme, load_sample_table, capsys):
    load_sample_table(acme, code="GRILLE")
    call_command("rate_events", str(SAMPLE_CDRS), tenant="acme", table="GRILLE", country_zone=["US=WORLD9"])
    by_id = {r["CDR_ID"]: r for r in map(json.loads, capsys.readouterr().out.splitlines()) if "CDR_ID" in r}
    # From the US, now WORLD9: no row from that zone, unrated; from Spain, still home
    assert (by_id["ORG-M-202610000010"]["origin_zone"], by_id["ORG-M-202610000010"]["status"]) == (
        "WORLD9",
        "unrated",
    )
    assert by_id["ORG-M-202610000004"]["amount"] == "14.5200"
    call_command("rate_events", str(SAMPLE_CDRS), tenant="acme", table="GRILLE", no_roam_like_at_home=True)
    by_id = {r["CDR_ID"]: r for r in map(json.loads, capsys.readouterr().out.splitlines()) if "CDR_ID" in r}
    assert (by_id["ORG-M-202610000004"]["origin_zone"], by_id["ORG-M-202610000004"]["status"]) == (
        "EU",
        "unrated",
    )


# --- The product path against one event at a time ----------------------------------------------
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@settings(max_examples=100, deadline=None)
@given(
    contract_cases(),
    st.lists(st.integers(-3 * 86400, 3 * 86400), min_size=0, max_size=30),
)
def test_rate_cdrs_equals_rating_each_event_in_time_order_with_monthly_allowances(case, offsets):
    from offers.rating import Cdr, rate_cdrs

    rows, allowance_specs, events = case
    table = compile_table(rows)
    allowances = Allowances(allowance_specs)
    month_change = dt.datetime(2026, 11, 1, tzinfo=PARIS)
    cdrs = [
        Cdr(
            e.line,
            (month_change + dt.timedelta(seconds=offset)).astimezone(PARIS),
            e.event_type,
            e.called,
            e.country,
            e.duration_s,
            e.volume_bytes,
        )
        for e, offset in zip(events, offsets, strict=False)
    ]
    got = rate_cdrs(cdrs, table_on=lambda _day: table, allowances=allowances)
    usage: dict = {}
    expected = {}
    for i in sorted(range(len(cdrs)), key=lambda i: cdrs[i].start):
        c = cdrs[i]
        expected[i] = rate_event(
            table,
            event_type=c.event_type,
            called=called_number_normalise(c.called),  # as rate_cdrs does: "00…" loses its 00
            duration_s=c.duration_s,
            volume_bytes=c.volume_bytes,
            allowances=allowances,
            usage=usage.setdefault((c.line, c.start.strftime("%Y-%m")), allowances.new_usage()),
        )
    assert got == [expected[i] for i in range(len(cdrs))]


# --- 9. Early termination ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("commitment", "elapsed", "price", "fee"),
    [
        (24, 0, "20.00", "300.00"),  # 12 months in full + 25 % of 12
        (24, 12, "20.00", "60.00"),  # exactly after the 12th month: 25 % of 12
        (24, 15, "19.99", "44.98"),  # 25 % of 9 × 19.99 = 44.9775, rounded once
        (18, 3, "10.00", "105.00"),  # 9 months to the 12th + 25 % of 6
        (12, 5, "9.99", "69.93"),  # 12 months or less: every remaining month
        (24, 24, "20.00", "0.00"),
    ],
)
def test_the_french_quarter_rule_is_the_months_to_the_12th_plus_a_quarter_of_the_rest(
    commitment, elapsed, price, fee
):
    from offers.termination import early_termination_fee

    assert early_termination_fee(
        monthly_price=Decimal(price), commitment_months=commitment, months_elapsed=elapsed, rule="fr_quarter"
    ) == Decimal(fee)


def test_a_negative_fixed_markup_is_refused_as_it_could_make_a_negative_price(acme):
    from core.errors import ApplicationError

    with in_schema(acme), pytest.raises(ApplicationError) as refused:
        rate_table_create(
            data={
                "code": "NEGATIVE",
                "label": "Négative",
                "kind": "markup",
                "markup_fixed": Decimal("-0.01"),
                "markup_percent": Decimal("10"),
            },
            by=None,
        )
    assert refused.value.field == "markup_fixed"
