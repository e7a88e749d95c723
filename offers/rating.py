"""The rating engine: pure functions that price usage events with the contract of shared/DESIGN.md.

A rate table is compiled once (`compile_table`) into integer arithmetic and one dict per prefix
length, then reused for every event. One loop, `_rate_records`, implements the contract's steps (its
records are named tuples: `Cdr`, `EventRecord`): `rate_event` runs it on one event, `rate_batch`
on a chronological list, and `rate_cdrs` — what the product calls — puts CDRs in time order
(sorting them only when they are not), picks the rows in force on each one's Paris date, keeps
allowance usage per calendar month and runs it on each day. `markup` is the one markup formula,
`(cost + fixed) × (1 + percent / 100)`, for derived tables and for wholesale costs alike.

Exactness: prices and fees are exact fractions of one common denominator `D` (the table's), so
an amount is the exact fraction `(fee·u + price·charged) / (u·D)` (`u` = 60 seconds per minute,
1024 KB per MB, 1 per event), rounded once to four decimals half up by integer division. Amounts
come out as integer ten-thousandths of a euro (`amount_e4`); `amount_decimal` gives the Decimal.

Interpretations of the contract written down here:
- a voice event of 0 s or a data event of 0 bytes is billed 0 units; as the contract's amount
  formula says, it still pays its row's `CONNECTION_FEE` unless an allowance of the line covers
  its zones (an allowance covers 0 units whole);
- received calls/SMS (`VOICE_MT`, `VOICE_IN`, `SMS_MT`) are free where the table has no row of
  their type for the event's origin zone; when it has some but none matches, they are unrated;
- a markup table without a base table rates an event no row matches at its exact wholesale
  cost marked up, `(cost + fixed) × (1 + percent / 100)`, rounded once; such an event consumes
  no allowance (it has no destination row, so no zone).
See docs/rating.md for every decision.
"""

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from itertools import islice, repeat
from math import lcm
from operator import attrgetter, is_, itemgetter, lt
from typing import NamedTuple, TypeVar

# Where an event is rated from (step 1 of the contract).
HOME = "HOME"
EU = "EU"
HOME_COUNTRY = "FR"
EU_EEA_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
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
        "IS",
        "LI",
        "NO",
        "AX",  # Åland: part of Finland, in the EU
    ]
)
# France for roaming: the overseas departments and regions (Guadeloupe, Martinique, Guyane,
# La Réunion, Mayotte) and Saint-Martin are French and EU territory, rated HOME whatever the
# tenant's map or the roam-like-at-home switch says.
NATIONAL_TERRITORIES = frozenset({"GP", "MQ", "GF", "RE", "YT", "MF"})
# The default map. Saint-Barthélemy and Saint-Pierre-et-Miquelon are outside the EU but priced as
# France by French operators (home here, a tenant's map may say otherwise); Monaco, Andorra, the
# United Kingdom and Switzerland are outside the EU/EEA regulation: WORLD1.
DEFAULT_COUNTRY_ZONES: dict[str, str] = {
    **dict.fromkeys(("PM", "BL"), HOME),
    **dict.fromkeys(("CH", "GB", "AD", "MC", "US", "CA", "MA", "TN", "DZ", "TR", "IL"), "WORLD1"),
    **dict.fromkeys(("CN", "JP", "BR", "AU", "IN", "ZA", "MX", "AR", "RU", "AE", "SN", "CI"), "WORLD2"),
}
DEFAULT_WORLD_ZONE = "WORLD2"

# The rate row kind of each CDR event type (FORMATS.md, "Rate tables").
ROW_KIND = {
    "VOICE_MO": "VOICE",
    "VOICE_FWD": "VOICE",
    "VOICE_OUT": "VOICE",
    "VOICE_MT": "VOICE_MT",
    "VOICE_IN": "VOICE_MT",
    "SMS_MO": "SMS",
    "SMS_MT": "SMS_MT",
    "MMS_MO": "MMS",
    "DATA": "DATA",
}
FREE_WITHOUT_ROW = frozenset({"VOICE_MT", "SMS_MT"})
VOICE_KINDS = frozenset({"VOICE", "VOICE_MT"})
EVENT_KINDS = frozenset({"SMS", "SMS_MT", "MMS"})
UNIT_OF_KIND = {
    "VOICE": "MIN",
    "VOICE_MT": "MIN",
    "SMS": "EVENT",
    "SMS_MT": "EVENT",
    "MMS": "EVENT",
    "DATA": "MB",
}
# Base units per priced unit: seconds per minute, KB per MB, events per event.
UNIT_DIVISOR = {"MIN": 60, "MB": 1024, "EVENT": 1}

RATED, FREE, UNRATED, COST_MARKUP = "rated", "free", "unrated", "cost_markup"

Amount = TypeVar("Amount", Decimal, Fraction)


def origin_zone(
    country: str,
    *,
    roam_like_at_home: bool = True,
    country_zones: dict[str, str] | None = None,
    home_country: str = HOME_COUNTRY,
) -> str:
    """The zone an event is rated from: HOME, EU (HOME under roam-like-at-home) or a WORLD zone.

    Home country and French overseas departments first, then the EU/EEA (which no tenant map can
    move to a WORLD zone: the regulation applies), then the tenant's map, then `WORLD2`.
    """
    country = (country or "").strip().upper()
    if not country or country == home_country or country in NATIONAL_TERRITORIES:
        return HOME
    if country in EU_EEA_COUNTRIES:
        return HOME if roam_like_at_home else EU
    zones = DEFAULT_COUNTRY_ZONES if country_zones is None else country_zones
    return zones.get(country, DEFAULT_WORLD_ZONE)


def called_number_normalise(number: str, *, country_code: str = "33") -> str:
    """The called number in international form without `+`: `0612345678` → `33612345678`.

    `+` and `00` are dropped; a French national number (0 and nine digits) takes the country
    code; anything else (short codes `3179`, `118712`, international numbers) stays as dialled.
    """
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits.startswith("00"):
        return digits[2:]
    if len(digits) == 10 and digits[0] == "0" and digits[1] != "0":
        return country_code + digits[1:]
    return digits


def billed_quantity(quantity: int, first: int, nxt: int) -> int:
    """`max(q, first)` rounded up to `first + k × next`; 0 stays 0 (step 3 of the contract)."""
    if quantity <= 0:
        return 0
    if quantity <= first:
        return first
    return first + -(-(quantity - first) // nxt) * nxt


def round_half_up_div(numerator: int, denominator: int) -> int:
    """`numerator / denominator` rounded half up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def markup(cost: Amount, *, fixed: Amount, percent: Amount) -> Amount:
    """`(cost + fixed) × (1 + percent / 100)`: a markup table's price, fee or wholesale cost marked up.

    In the type it is given, without rounding: exact with fractions; with decimals, the exact
    product of a few places (the fee of a derived row keeps its places, as before).
    """
    return (cost + fixed) * (1 + percent / 100)


def amount_decimal(amount_e4: int) -> Decimal:
    """Ten-thousandths of a euro as a Decimal with four places."""
    return Decimal(amount_e4).scaleb(-4)


# --- Compiled tables -------------------------------------------------------------------------
@dataclass(frozen=True)
class RateSpec:
    """A rate row as the engine needs it (from the database, a file or a test)."""

    prefix: str
    destination: str
    zone: str
    event_type: str  # VOICE VOICE_MT SMS SMS_MT MMS DATA
    origin_zone: str
    price: Decimal
    unit: str
    first_increment: int
    next_increment: int
    connection_fee: Decimal = Decimal(0)


@dataclass(frozen=True)
class CostMarkup:
    """Prices derived from each event's wholesale cost: `(cost + fixed) × (1 + percent / 100)`."""

    fixed: Decimal
    percent: Decimal


class Row(NamedTuple):
    prefix: str
    destination: str
    zone: str
    kind: str
    origin: str
    unit: str
    first: int
    nxt: int
    fee_term: int  # fee · u · D' (scaled for the rounding)
    price_term: int  # price · D' per base unit charged
    half: int  # u · D (denominator), used by round-half-up
    den2: int  # 2 · u · D


class Rated(NamedTuple):
    status: str
    prefix: str
    destination: str
    zone: str
    origin_zone: str
    billed: int  # base units after increments: seconds, KB or events
    allowance_used: int  # base units taken from allowances
    charged: int  # base units charged (billed - allowance_used)
    amount_e4: int  # ten-thousandths of a euro
    unit: str


@dataclass
class CompiledTable:
    """Rows by (kind, origin zone): the prefix lengths present (longest first) and a dict each."""

    index: dict[tuple[str, str], tuple[tuple[int, ...], dict[str, Row]]]
    kinds: frozenset[str]
    denominator: int
    cost_markup: tuple[Fraction, Fraction] | None = None  # (fixed, percent), exact
    size: int = 0

    def lookup(self, kind: str, origin: str, number: str) -> Row | None:
        """The row whose prefix is the longest prefix of `number` (step 2 of the contract)."""
        entry = self.index.get((kind, origin))
        if entry is None:
            return None
        lengths, rows = entry
        for length in lengths:
            row = rows.get(number[:length])
            if row is not None:
                return row
        return None


def _fraction(value: Decimal | Fraction | int) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def compile_table(rates: Iterable[RateSpec], *, cost_markup: CostMarkup | None = None) -> CompiledTable:
    """Compile rows into the lookup structure; a later row of the same key replaces an earlier one."""
    specs = list(rates)
    fractions = [(_fraction(s.price), _fraction(s.connection_fee)) for s in specs]
    denominator = 1
    for price, fee in fractions:
        denominator = lcm(denominator, price.denominator, fee.denominator)
    by_key: dict[tuple[str, str], dict[str, Row]] = {}
    for spec, (price, fee) in zip(specs, fractions, strict=True):
        kind = spec.event_type
        unit = UNIT_OF_KIND.get(kind, spec.unit)
        divisor = UNIT_DIVISOR[unit]
        if kind in EVENT_KINDS:
            first, nxt = 1, 1
        else:
            first, nxt = max(1, spec.first_increment), max(1, spec.next_increment)
        den = divisor * denominator
        # amount_e4 = round((fee·u + price·charged) / (u·D) × 10⁴) = (2·10⁴·num + den) // (2·den)
        fee_term = 20000 * int(fee * denominator) * divisor
        price_term = 20000 * int(price * denominator)
        row = Row(
            spec.prefix,
            spec.destination,
            spec.zone,
            kind,
            spec.origin_zone,
            unit,
            first,
            nxt,
            fee_term,
            price_term,
            den,
            2 * den,
        )
        by_key.setdefault((kind, spec.origin_zone), {})[spec.prefix] = row
    index = {key: (tuple(sorted({len(p) for p in rows}, reverse=True)), rows) for key, rows in by_key.items()}
    markup = None
    if cost_markup is not None:
        markup = (_fraction(cost_markup.fixed), _fraction(cost_markup.percent))
    return CompiledTable(
        index=index,
        kinds=frozenset(kind for kind, _origin in by_key),
        denominator=denominator,
        cost_markup=markup,
        size=sum(len(rows) for rows in by_key.values()),
    )


# --- Allowances ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AllowanceSpec:
    """An allowance in base units (seconds, KB, events); `quantity=None` is unlimited.

    Empty `zones` / `origin_zones` mean every zone.
    """

    kind: str
    zones: frozenset[str] = frozenset()
    origin_zones: frozenset[str] = frozenset({HOME})
    quantity: int | None = None
    label: str = ""


@dataclass
class Allowances:
    """The allowances of an offer and its options, with a cache of which cover what."""

    specs: tuple[AllowanceSpec, ...] = ()
    _eligible: dict[tuple[str, str, str], tuple[int, ...]] = field(default_factory=dict)

    def eligible(self, kind: str, zone: str, origin: str) -> tuple[int, ...]:
        key = (kind, zone, origin)
        found = self._eligible.get(key)
        if found is None:
            found = tuple(
                i
                for i, a in enumerate(self.specs)
                if a.kind == kind
                and (not a.zones or zone in a.zones)
                and (not a.origin_zones or origin in a.origin_zones)
            )
            self._eligible[key] = found
        return found

    def new_usage(self) -> list[int | None]:
        """What remains of each allowance at the start of a period."""
        return [a.quantity for a in self.specs]


NO_ALLOWANCES = Allowances()


def allowance_quantity(*, kind: str, quantity: Decimal | None, unlimited: bool) -> int | None:
    """An allowance's quantity (minutes, MB, events) in base units (seconds, KB, events)."""
    if unlimited or quantity is None:
        return None
    unit = UNIT_OF_KIND[kind]
    return int(Fraction(quantity) * UNIT_DIVISOR[unit])


# --- Rating ----------------------------------------------------------------------------------
def _markup_e4(cost_markup: tuple[Fraction, Fraction], cost_e4: int, cost: Decimal | None = None) -> int:
    """`markup` of the wholesale cost in ten-thousandths, rounded once, half up.

    `cost` (the exact wholesale cost, any number of decimals) wins over `cost_e4`, so a cost of
    more than four decimals is not rounded before it is marked up.
    """
    fixed, percent = cost_markup
    exact = markup(
        Fraction(cost) if cost is not None else Fraction(cost_e4, 10000), fixed=fixed, percent=percent
    )
    exact *= 10000
    if exact < 0:  # half up is away from zero, as Decimal's ROUND_HALF_UP
        return -round_half_up_div(-exact.numerator, exact.denominator)
    return round_half_up_div(exact.numerator, exact.denominator)


class Event(NamedTuple):
    """A usage event for `rate_event` and `rate_batch` (the fields of a CDR the engine needs)."""

    line: str
    event_type: str
    called: str
    country: str
    duration_s: int
    volume_bytes: int
    wholesale_cost_e4: int = 0
    wholesale_cost: Decimal | None = None  # exact; replaces wholesale_cost_e4 when given


class EventRecord(NamedTuple):
    """An `Event` in the layout the rating loop reads (a `Cdr`'s: its second field is the cost)."""

    line: str
    wholesale_cost_e4: int
    event_type: str
    called: str
    country: str
    duration_s: int
    volume_bytes: int
    wholesale_cost: Decimal | None


def _event_record(event: Event) -> EventRecord:
    line, event_type, called, country, duration_s, volume_bytes, cost_e4, cost = event
    return EventRecord(line, cost_e4, event_type, called, country, duration_s, volume_bytes, cost)


def rate_event(
    table: CompiledTable,
    *,
    event_type: str,
    called: str = "",
    country: str = "",
    duration_s: int = 0,
    volume_bytes: int = 0,
    wholesale_cost_e4: int = 0,
    allowances: Allowances = NO_ALLOWANCES,
    usage: list[int | None] | None = None,
    roam_like_at_home: bool = True,
    country_zones: dict[str, str] | None = None,
    wholesale_cost: Decimal | None = None,
) -> Rated:
    """Rate one event of a line; `usage` (what remains of its allowances) is consumed in place.

    `wholesale_cost` (exact) replaces `wholesale_cost_e4` when given; the called number is used
    as given. The rating loop run on one event: without `usage`, no allowance applies.
    """
    out: list[Rated] = []
    _rate_records(
        table,
        (
            EventRecord(
                "", wholesale_cost_e4, event_type, called, country, duration_s, volume_bytes, wholesale_cost
            ),
        ),
        out,
        cdr_layout=False,
        allowances=allowances if usage is not None else NO_ALLOWANCES,
        usage_by_line={"": usage} if usage is not None else {},
        roam_like_at_home=roam_like_at_home,
        country_zones=country_zones,
    )
    return out[0]


def rate_batch(
    table: CompiledTable,
    events: Sequence[Event],
    *,
    allowances: Allowances = NO_ALLOWANCES,
    usage_by_line: dict[str, list[int | None]] | None = None,
    roam_like_at_home: bool = True,
    country_zones: dict[str, str] | None = None,
) -> list[Rated]:
    """Rate events given in chronological order; each line consumes its own allowances."""
    out: list[Rated] = []
    _rate_records(
        table,
        map(_event_record, events),
        out,
        cdr_layout=False,
        allowances=allowances,
        usage_by_line={} if usage_by_line is None else usage_by_line,
        roam_like_at_home=roam_like_at_home,
        country_zones=country_zones,
    )
    return out


class _Context(NamedTuple):
    """What depends only on an event's (event type, roaming country): computed once per pair."""

    kind: str
    origin: str
    lengths: tuple[int, ...]  # the prefix lengths of the rows of (kind, origin), longest first
    get: Callable[[str], Row | None]  # those rows by prefix
    eligibility: dict[str, tuple[int, ...]]  # the allowances covering each destination zone
    mode: int  # the quantity: 0 seconds, 1 one event (SMS, MMS), 2 started KB (data, no number)
    unit: str
    free: bool  # a received call or SMS with no row of its type from this zone


def _rate_records(
    table: CompiledTable,
    records: "Iterable[Cdr | EventRecord]",
    out: list[Rated],
    *,
    cdr_layout: bool,
    allowances: Allowances,
    usage_by_line: dict[str, list[int | None]],
    roam_like_at_home: bool,
    country_zones: dict[str, str] | None,
) -> None:
    """The rating loop, the one implementation of the contract's steps: rate records in order, append to `out`.

    Records are `Cdr`s (`cdr_layout`: the second field is the start, the cost in ten-thousandths
    is 0 and the called number is normalised) or `EventRecord`s (the second field is the cost in
    ten-thousandths, the number is used as given).
    """
    markup = table.cost_markup
    has_allowances = bool(allowances.specs)
    new_usage = allowances.new_usage
    normalise = called_number_normalise
    make = tuple.__new__  # builds a Rated without the Python-level __new__ of NamedTuple
    append = out.append
    contexts: dict[str, dict[str, _Context]] = {}
    for line, second, event_type, called, country, duration_s, volume_bytes, cost in records:
        try:
            kind, origin, lengths, get, eligibility, mode, unit, free = contexts[event_type][country]
        except KeyError:
            kind, origin, lengths, get, eligibility, mode, unit, free = contexts.setdefault(event_type, {})[
                country
            ] = _context(table, event_type, country, roam_like_at_home, country_zones)
        # Step 3, the quantity in base units: started KB (data), 1 (SMS, MMS), seconds (voice).
        if mode == 2:
            quantity = (volume_bytes + 1023) // 1024 if volume_bytes > 0 else 0
            number = ""
        else:
            quantity = 1 if mode == 1 else duration_s if duration_s > 0 else 0
            number = normalise(called) if cdr_layout and called[:1] in ("0", "+") else called
        # Step 2, the row: the longest prefix of the number among the rows of (kind, origin).
        row = None
        for length in lengths:
            row = get(number[:length])
            if row is not None:
                break
        if row is None:
            if free:
                append(make(Rated, (FREE, "", "", "", origin, quantity, 0, 0, 0, unit)))
            elif markup is not None:
                amount = _markup_e4(markup, 0 if cdr_layout else second, cost)  # type: ignore[arg-type]
                append(make(Rated, (COST_MARKUP, "", "", "", origin, quantity, 0, quantity, amount, unit)))
            else:
                append(make(Rated, (UNRATED, "", "", "", origin, quantity, 0, 0, 0, unit)))
            continue
        prefix, destination, zone, _kind, _origin, row_unit, first, nxt, fee_term, price_term, den, den2 = row
        billed = billed_quantity(quantity, first, nxt)
        # Step 4, allowances of the line covering the zones, in order; the fee is waived when
        # they cover the event whole.
        if has_allowances:
            try:
                covering = eligibility[zone]
            except KeyError:
                covering = eligibility[zone] = allowances.eligible(kind, zone, origin)
            if covering:
                charged = billed
                used = 0
                if billed:
                    try:
                        usage = usage_by_line[line]
                    except KeyError:
                        usage = usage_by_line[line] = new_usage()
                    for i in covering:
                        remaining = usage[i]
                        if remaining is None:
                            used += charged
                            charged = 0
                            break
                        if remaining > 0:
                            take = remaining if remaining < charged else charged
                            usage[i] = remaining - take
                            charged -= take
                            used += take
                            if charged == 0:
                                break
                amount = 0 if charged == 0 else (fee_term + price_term * charged + den) // den2
                append(
                    make(
                        Rated,
                        (RATED, prefix, destination, zone, origin, billed, used, charged, amount, row_unit),
                    )
                )
                continue
        # Step 5, the amount: (fee·u + price·charged) / (u·D), rounded once, half up.
        append(
            make(
                Rated,
                (
                    RATED,
                    prefix,
                    destination,
                    zone,
                    origin,
                    billed,
                    0,
                    billed,
                    (fee_term + price_term * billed + den) // den2,
                    row_unit,
                ),
            )
        )


def _context(
    table: CompiledTable,
    event_type: str,
    country: str,
    roam_like_at_home: bool,
    country_zones: dict[str, str] | None,
) -> _Context:
    kind = ROW_KIND[event_type]
    origin = origin_zone(country, roam_like_at_home=roam_like_at_home, country_zones=country_zones)
    lengths, rows = table.index.get((kind, origin), ((), {}))
    mode = 2 if kind == "DATA" else 1 if kind in EVENT_KINDS else 0
    # Received calls and SMS are free only where the table has no row of their type from this zone.
    free = kind in FREE_WITHOUT_ROW and (kind, origin) not in table.index
    return _Context(kind, origin, lengths, rows.get, {}, mode, UNIT_OF_KIND[kind], free)


# --- CDRs: what the product rates (files, imports, the bench) --------------------------------
class Cdr(NamedTuple):
    """A CDR as the product rates it: `start` is aware, in Europe/Paris (its date picks the rows)."""

    line: str
    start: dt.datetime
    event_type: str
    called: str
    country: str
    duration_s: int
    volume_bytes: int
    wholesale_cost: Decimal | None = None


_ONE_DAY = dt.timedelta(days=1)
_MIDNIGHT = dt.time()


def rate_cdrs(
    cdrs: Sequence[Cdr],
    *,
    table_on: Callable[[dt.date], CompiledTable],
    allowances: Allowances = NO_ALLOWANCES,
    usage_by_period: dict[str, dict[str, list[int | None]]] | None = None,
    roam_like_at_home: bool = True,
    country_zones: dict[str, str] | None = None,
) -> list[Rated]:
    """Rate CDRs in time order with the rows in force on each one's Paris date; results in input order.

    Allowances are consumed per line and calendar month: `usage_by_period["YYYY-MM"][line]`
    (each month starts whole); called numbers are normalised (`called_number_normalise`).
    CDRs already in time order (operator files are) are neither sorted nor reordered; others are
    sorted by start, stably (file order within a second).
    """
    usage_by_period = {} if usage_by_period is None else usage_by_period
    cdrs = cdrs if isinstance(cdrs, list) else list(cdrs)
    starts = list(map(_START, cdrs))
    # One pass: no start earlier than the one before means the stable sort would change nothing.
    in_order = not any(map(lt, islice(starts, 1, None), starts))
    if in_order:
        order = None
        ordered = cdrs
    else:
        order = sorted(range(len(cdrs)), key=starts.__getitem__)
        ordered = list(map(cdrs.__getitem__, order))
        starts = list(map(starts.__getitem__, order))
    out: list[Rated] = []
    for day, begin, end in _days(starts):
        _rate_records(
            table_on(day),
            ordered[begin:end] if begin or end < len(ordered) else ordered,
            out,
            cdr_layout=True,
            allowances=allowances,
            usage_by_line=usage_by_period.setdefault(f"{day.year}-{day.month:02d}", {}),
            roam_like_at_home=roam_like_at_home,
            country_zones=country_zones,
        )
    if order is None:
        return out
    in_input_order: list[Rated | None] = [None] * len(cdrs)
    for i, result in zip(order, out, strict=True):
        in_input_order[i] = result
    return in_input_order  # type: ignore[return-value]


_START = itemgetter(1)  # a Cdr's start (plain tuples in Cdr's field order work too)


def _days(starts: list[dt.datetime]) -> Iterator[tuple[dt.date, int, int]]:
    """`(date, begin, end)` for each run of consecutive starts (in time order) on one date.

    When every start has the same `tzinfo` (Europe/Paris), a date's run ends at the first start
    not before the next midnight of that zone, found by bisection: starts of one zone compare by
    their wall-clock time, so no `date()` per event. Mixed zones fall back to one `date()` each.
    """
    count = len(starts)
    if not count:
        return
    tz = starts[0].tzinfo
    if all(map(is_, map(_TZINFO, starts), repeat(tz))):
        begin = 0
        while begin < count:
            day = starts[begin].date()
            end = bisect_left(starts, dt.datetime.combine(day + _ONE_DAY, _MIDNIGHT, tzinfo=tz), begin + 1)
            yield day, begin, end
            begin = end
        return
    begin = 0
    day = starts[0].date()
    for i, date in enumerate(map(dt.datetime.date, starts)):
        if date != day:
            yield day, begin, i
            day, begin = date, i
    yield day, begin, count


_TZINFO = attrgetter("tzinfo")
