"""Reads of the catalogue: lists, the rows of a table in force at a date, compiled tables."""

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from core.search import text_search_q
from offers.models import (
    Allowance,
    Offer,
    Option,
    Product,
    Rate,
    RateTable,
    RateTableKind,
    Terminal,
)
from offers.parsing import unpacked_size, write_csv, write_xlsx
from offers.rate_format import HEADER
from offers.rating import (
    DEFAULT_COUNTRY_ZONES,
    DEFAULT_WORLD_ZONE,
    EU,
    HOME,
    ROW_KIND,
    Allowances,
    AllowanceSpec,
    CompiledTable,
    CostMarkup,
    RateSpec,
    allowance_quantity,
    compile_table,
    markup,
)


def _search(qs: QuerySet, search: str, fields: Sequence[str]) -> QuerySet:
    if not search.strip():
        return qs
    return qs.filter(text_search_q(search, fields=fields))


def offer_list(*, search: str = "", archived: bool | None = False) -> QuerySet[Offer]:
    """Offers by code, with their default table and allowances fetched in the same few queries."""
    qs = Offer.objects.select_related("default_rate_table").prefetch_related("allowances")
    if archived is not None:
        qs = qs.filter(archived=archived)
    return _search(qs, search, ("code", "label"))


def option_list(*, search: str = "", archived: bool | None = False) -> QuerySet[Option]:
    qs = Option.objects.prefetch_related("allowances")
    if archived is not None:
        qs = qs.filter(archived=archived)
    return _search(qs, search, ("code", "label"))


def product_list(*, search: str = "", archived: bool | None = False) -> QuerySet[Product]:
    qs = Product.objects.all()
    if archived is not None:
        qs = qs.filter(archived=archived)
    return _search(qs, search, ("code", "label"))


def terminal_list(*, search: str = "", archived: bool | None = False) -> QuerySet[Terminal]:
    qs = Terminal.objects.all()
    if archived is not None:
        qs = qs.filter(archived=archived)
    return _search(qs, search, ("code", "label", "brand", "model"))


def rate_table_list(*, search: str = "", archived: bool | None = False) -> QuerySet[RateTable]:
    """Rate tables with their number of row versions."""
    qs = (
        RateTable.objects.select_related("base_table")
        .annotate(row_count=Count("rates"))
        .order_by("archived", "code")
    )
    if archived is not None:
        qs = qs.filter(archived=archived)
    return _search(qs, search, ("code", "label"))


def rate_list_in_force(
    *, table: RateTable, on: dt.date, prefix: str = "", destination: str = "", event_type: str = ""
) -> QuerySet[Rate]:
    """The rows of `table` in force on `on`: for each key, the latest version dated on or before it."""
    qs = Rate.objects.filter(table=table, valid_from__lte=on)
    if prefix:
        qs = qs.filter(prefix__startswith=prefix)
    if event_type:
        qs = qs.filter(event_type=event_type)
    qs = qs.order_by("event_type", "origin_zone", "prefix", "-valid_from").distinct(
        "event_type", "origin_zone", "prefix"
    )
    if destination:
        # Filter after choosing the version in force, so an old label never matches.
        return (
            Rate.objects.filter(pk__in=qs.values("pk"))
            .filter(text_search_q(destination, fields=("destination",)))
            .order_by("event_type", "origin_zone", "prefix")
        )
    return qs


def rate_list_all_versions(*, table: RateTable) -> QuerySet[Rate]:
    return Rate.objects.filter(table=table).order_by("event_type", "origin_zone", "prefix", "valid_from")


def _spec(rate: Rate, price: Decimal | Fraction | None = None) -> RateSpec:
    return RateSpec(
        prefix=rate.prefix,
        destination=rate.destination,
        zone=rate.zone,
        event_type=rate.event_type,
        origin_zone=rate.origin_zone,
        price=rate.price if price is None else price,  # type: ignore[arg-type]
        unit=rate.unit,
        first_increment=rate.first_increment,
        next_increment=rate.next_increment,
        connection_fee=rate.connection_fee,
    )


def rate_specs_in_force(*, table: RateTable, on: dt.date, _depth: int = 0) -> list[RateSpec]:
    """The rows the engine uses: a markup table's base rows marked up, its own rows overriding them.

    Prices `(price + fixed) × (1 + percent / 100)`, connection fees `fee × (1 + percent / 100)`.
    """
    own = [_spec(r) for r in rate_list_in_force(table=table, on=on)]
    if table.kind != RateTableKind.MARKUP or table.base_table is None or _depth > 5:
        return own
    # Derived prices stay exact (never rounded): a unit price becomes (price + fixed) × factor and
    # a connection fee, a price per event, is marked up by the percentage (the fixed part is per unit).
    fixed, percent = Fraction(table.markup_fixed), Fraction(table.markup_percent)
    derived = {
        (s.prefix, s.event_type, s.origin_zone): RateSpec(
            **{
                **s.__dict__,
                "price": markup(Fraction(s.price), fixed=fixed, percent=percent),
                "connection_fee": markup(s.connection_fee, fixed=Decimal(0), percent=table.markup_percent),
            }  # type: ignore[arg-type]
        )
        for s in rate_specs_in_force(table=table.base_table, on=on, _depth=_depth + 1)
    }
    for spec in own:
        derived[(spec.prefix, spec.event_type, spec.origin_zone)] = spec
    return list(derived.values())


def compiled_table_for(*, table: RateTable, on: dt.date) -> CompiledTable:
    """The table as compiled for the engine on a date (compile once, rate many events)."""
    cost_markup = None
    if table.kind == RateTableKind.MARKUP and table.base_table is None:
        cost_markup = CostMarkup(fixed=table.markup_fixed, percent=table.markup_percent)
    return compile_table(rate_specs_in_force(table=table, on=on), cost_markup=cost_markup)


def allowances_for(*, offer: Offer | None, options: Iterable[Option] = ()) -> Allowances:
    """The allowances of an offer and its options, in the order they are consumed: the offer's first."""
    return Allowances(tuple(spec for _a, spec in allowance_rows_for(offer=offer, options=options)))


def allowance_rows_for(
    *, offer: Offer | None, options: Iterable[Option] = ()
) -> list[tuple[Allowance, AllowanceSpec]]:
    """Each allowance of an offer and its options with its spec, in consumption order (the offer's first)."""
    owners_q = Q(pk__in=[])
    if offer is not None:
        owners_q |= Q(offer=offer)
    option_ids = [o.pk for o in options]
    if option_ids:
        owners_q |= Q(option_id__in=option_ids)
    rows = Allowance.objects.filter(owners_q).order_by(F("option_id").asc(nulls_first=True), "id")
    return [(a, _allowance_spec(a)) for a in rows]


def _allowance_spec(a: Allowance) -> AllowanceSpec:
    return AllowanceSpec(
        kind=a.event_type,
        zones=frozenset(a.zone_list),
        origin_zones=frozenset(a.origin_zone_list),
        quantity=allowance_quantity(kind=a.event_type, quantity=a.quantity, unlimited=a.unlimited),
        label=str(a),
    )


def rate_table_export(*, table: RateTable, file_format: str) -> tuple[bytes, str, str]:
    """Every row version of a table in the upload format: (content, file name, content type)."""
    rows = [
        [
            r.prefix,
            r.destination,
            r.zone,
            r.event_type,
            r.origin_zone,
            r.price.normalize() if r.price else Decimal(0),
            r.unit,
            r.first_increment,
            r.next_increment,
            r.connection_fee.normalize() if r.connection_fee else Decimal(0),
            r.valid_from,
        ]
        for r in rate_list_all_versions(table=table)
    ]
    rows = [[_plain(v) for v in row] for row in rows]
    if file_format == "xlsx":
        return (
            write_xlsx(HEADER, rows, title=table.code),
            f"{table.code}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return write_csv(HEADER, rows), f"{table.code}.csv", "text/csv; charset=utf-8"


def _plain(value: Any) -> Any:
    # Decimal.normalize() may give an exponent (1E+1); write it as a plain number.
    if isinstance(value, Decimal):
        return Decimal(format(value, "f"))
    return value


def rating_simulate(
    *,
    table: RateTable | None,
    offer: Offer | None,
    event_type: str,
    called: str = "",
    duration_s: int = 0,
    volume_bytes: int = 0,
    country: str = "",
    on: dt.date,
    roam_like_at_home: bool = True,
    country_zones: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Price one event as the engine would, for a fresh line of `offer` (its allowances unused)."""
    from offers.rating import amount_decimal, called_number_normalise, rate_event

    called = called_number_normalise(called)
    table = table or (offer.default_rate_table if offer is not None else None)
    if table is None:
        raise ValueError("a table or an offer with a default table is needed")
    compiled = compiled_table_for(table=table, on=on)
    allowances = allowances_for(offer=offer)
    rated = rate_event(
        compiled,
        event_type=event_type,
        called=called,
        country=country,
        duration_s=duration_s,
        volume_bytes=volume_bytes,
        allowances=allowances,
        usage=allowances.new_usage(),
        roam_like_at_home=roam_like_at_home,
        country_zones=country_zones,
    )
    kind = ROW_KIND[event_type]
    row = compiled.lookup(kind, rated.origin_zone, "" if kind == "DATA" else called)
    price = None
    if row is not None:
        exact = Fraction(row.price_term, 20000 * compiled.denominator)
        price = Decimal(exact.numerator) / Decimal(exact.denominator)
    return {
        "table": table,
        "rated": rated,
        "amount": amount_decimal(rated.amount_e4),
        "row": row,
        "price": price,
        "allowances": allowances.specs,
    }


def _cdr_columns() -> list[Any]:
    from offers.parsing import Column, choice_reader, decimal_reader, digits_reader, int_reader, text_reader
    from offers.rating import ROW_KIND as kinds

    return [
        Column("CDR_ID", text_reader(max_length=64), required=True, required_value=True),
        Column("EVENT_TYPE", choice_reader(list(kinds)), required=True, required_value=True),
        Column("MSISDN", digits_reader(), default=""),
        Column("LINE_NUMBER", digits_reader(), default=""),
        Column("START_TIME", text_reader(max_length=40), required=True, required_value=True),
        Column("DURATION_S", int_reader(), default=0),
        Column("VOLUME_BYTES", int_reader(), default=0),
        Column("CALLED_NUMBER", digits_reader(max_length=32), default=""),
        Column("ROAMING_COUNTRY", text_reader(max_length=2), default=""),
        Column("WHOLESALE_COST", decimal_reader(places=6), default=Decimal(0)),
    ]


PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def event_start_time(text: str) -> dt.datetime | None:
    """A CDR's START_TIME as an aware Europe/Paris datetime (local time, or ISO 8601 with an offset)."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(PARIS)


@dataclass
class RateFileTotals:
    """The summary of a rated file, counted as its results stream out."""

    events: int = 0
    rejected: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    amount: Decimal = Decimal("0.0000")

    def add(self, result: dict[str, Any]) -> None:
        if "status" not in result:
            self.rejected += 1
            return
        self.events += 1
        self.by_status[result["status"]] = self.by_status.get(result["status"], 0) + 1
        self.amount += Decimal(result["amount"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "rejected": self.rejected,
            "by_status": {s: self.by_status[s] for s in sorted(self.by_status)},
            "amount": str(self.amount),
        }


# How many events are rated together when a file streams (in time order, or without allowances).
RATE_FILE_CHUNK = 2048
_UNIT_LABEL = {"MIN": "s", "MB": "KB", "EVENT": "event"}


def _rate_file_rows(source: bytes | str | Path, filename: str) -> Iterator[tuple[int, Any, Any]]:
    """Each row of a RatedCDRs file in file order: `(line, errors, None)` or `(line, CDR_ID, Cdr)`."""
    from offers.parsing import open_feed
    from offers.rating import Cdr

    with open_feed(source, columns=_cdr_columns(), filename=filename) as reader:
        for row, errors in reader:
            if errors:
                yield row.line, [e.as_dict() for e in errors], None
                continue
            v = row.values
            start = event_start_time(v["START_TIME"])
            if start is None:
                yield (
                    row.line,
                    [{"line": row.line, "column": "START_TIME", "reason": "not a date and time"}],
                    None,
                )
                continue
            cdr = Cdr(
                v["MSISDN"] or v["LINE_NUMBER"],
                start,
                v["EVENT_TYPE"],
                v["CALLED_NUMBER"],
                v["ROAMING_COUNTRY"],
                v["DURATION_S"],
                v["VOLUME_BYTES"],
                v["WHOLESALE_COST"],
            )
            yield row.line, v["CDR_ID"], cdr


def _rate_file_in_time_order(source: bytes | str | Path, filename: str) -> bool:
    """Read the whole file once (so a fault of the file is raised before any result) and tell
    whether its start times never go back."""
    from offers.parsing import open_feed

    with open_feed(source, columns=_cdr_columns(), filename=filename) as reader:
        position = reader.position("START_TIME")
        previous = None
        in_order = True
        for _line, cells in reader.rows():
            if not in_order or position is None or position >= len(cells):
                continue
            start = event_start_time(cells[position])
            if start is None:
                continue
            if previous is not None and start < previous:
                in_order = False
            previous = start
    return in_order


def _rate_file_result(line: int, what: Any, rated: Any) -> dict[str, Any]:
    from offers.rating import amount_decimal

    if rated is None:
        return {"line": line, "errors": what}
    return {
        "CDR_ID": what,
        "status": rated.status,
        "prefix": rated.prefix,
        "destination": rated.destination,
        "origin_zone": rated.origin_zone,
        "billed_units": rated.billed,
        "unit": _UNIT_LABEL[rated.unit],
        "allowance_used": rated.allowance_used,
        "amount": str(amount_decimal(rated.amount_e4)),
    }


def rating_rate_events(
    *,
    source: bytes | str | Path,
    filename: str = "",
    table: RateTable,
    offer: Offer | None = None,
    roam_like_at_home: bool = True,
    country_zones: dict[str, str] | None = None,
    totals: RateFileTotals | None = None,
) -> Iterator[dict[str, Any]]:
    """Rate a RatedCDRs-format file (a path or its bytes), streaming one result per row in file order.

    Each event is rated with the rows in force on its Europe/Paris date; allowances (an offer's,
    per line, in time order) start again each calendar month (Europe/Paris). `roam_like_at_home`
    and `country_zones` (the tenant's country → zone map) decide the origin zone. A row with
    faults gives `{"line", "errors"}`. `totals` (if given) counts the summary as results go.
    Nothing is stored.

    The file is read twice: once to check it whole and see whether it is in time order, then to
    rate it. In time order (operator files are) or without allowances, events are rated in chunks
    as they are read: memory does not grow with the file. An unordered file with allowances is
    sorted first, which holds its events (compactly) in memory.
    """
    from offers.rating import rate_cdrs

    totals = RateFileTotals() if totals is None else totals
    allowances = allowances_for(offer=offer)
    in_order = _rate_file_in_time_order(source, filename)
    compiled: dict[dt.date, CompiledTable] = {}

    def table_on(day: dt.date) -> CompiledTable:
        if day not in compiled:
            compiled[day] = compiled_table_for(table=table, on=day)
        return compiled[day]

    usage_by_period: dict[str, dict[str, list[int | None]]] = {}

    def rate(cdrs: list[Any]) -> list[Any]:
        return rate_cdrs(
            cdrs,
            table_on=table_on,
            allowances=allowances,
            usage_by_period=usage_by_period,
            roam_like_at_home=roam_like_at_home,
            country_zones=country_zones,
        )

    def emit(rows: list[tuple[int, Any, Any]], rated: Iterator[Any]) -> Iterator[dict[str, Any]]:
        for line, what, cdr in rows:
            result = _rate_file_result(line, what, None if cdr is None else next(rated))
            totals.add(result)
            yield result

    if in_order or not allowances.specs:
        chunk: list[tuple[int, Any, Any]] = []
        cdrs: list[Any] = []
        for item in _rate_file_rows(source, filename):
            chunk.append(item)
            if item[2] is not None:
                cdrs.append(item[2])
                if len(cdrs) >= RATE_FILE_CHUNK:
                    yield from emit(chunk, iter(rate(cdrs)))
                    chunk, cdrs = [], []
        yield from emit(chunk, iter(rate(cdrs)))
        return
    everything = iter(
        rate([cdr for _line, _what, cdr in _rate_file_rows(source, filename) if cdr is not None])
    )
    for item in _rate_file_rows(source, filename):
        yield from emit([item], everything)


def rating_rate_file(
    *,
    data: bytes,
    filename: str,
    table: RateTable,
    offer: Offer | None = None,
    roam_like_at_home: bool = True,
    country_zones: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`rating_rate_events` collected: one result per row in file order (or its errors), and a summary."""
    totals = RateFileTotals()
    results = list(
        rating_rate_events(
            source=data,
            filename=filename,
            table=table,
            offer=offer,
            roam_like_at_home=roam_like_at_home,
            country_zones=country_zones,
            totals=totals,
        )
    )
    return results, totals.as_dict()


def rate_effective_list(
    *, table: RateTable, on: dt.date, prefix: str = "", destination: str = "", event_type: str = ""
) -> list[dict[str, Any]]:
    """The prices a markup table really applies on `on`: its base rows marked up, its own rows overriding."""
    own_keys = {(r.prefix, r.event_type, r.origin_zone) for r in rate_list_in_force(table=table, on=on)}
    rows: list[dict[str, Any]] = []
    for spec in rate_specs_in_force(table=table, on=on):
        if prefix and not spec.prefix.startswith(prefix):
            continue
        if destination and destination.lower() not in spec.destination.lower():
            continue
        if event_type and spec.event_type != event_type:
            continue
        rows.append(
            {
                "spec": spec,
                # The exact price the engine applies (a markup of decimals is a finite decimal).
                "price": _exact_decimal(Fraction(spec.price)),
                "own": (spec.prefix, spec.event_type, spec.origin_zone) in own_keys,
            }
        )
    rows.sort(key=lambda r: (r["spec"].event_type, r["spec"].origin_zone, r["spec"].prefix))
    return rows


def _exact_decimal(value: Fraction) -> Decimal:
    """A fraction whose denominator is 2ᵃ·5ᵇ (every derived price) as the exact Decimal, normalised."""
    with localcontext(prec=80):
        return _plain((Decimal(value.numerator) / Decimal(value.denominator)).normalize())


def allowance_zones_known() -> tuple[frozenset[str], frozenset[str]]:
    """The zones an allowance may name: (destination zones, origin zones).

    Destination zones are those of the tenant's rate rows (empty while it has none: nothing to
    check against yet); origin zones are HOME, EU, the zones of the country map and the origin
    zones of the rate rows."""
    rates = Rate.objects.order_by()
    destinations = frozenset(z.upper() for z in rates.values_list("zone", flat=True).distinct() if z)
    origins = frozenset(
        {HOME, EU, DEFAULT_WORLD_ZONE, *DEFAULT_COUNTRY_ZONES.values()}
        | {z.upper() for z in rates.values_list("origin_zone", flat=True).distinct() if z}
    )
    return destinations, origins


def rate_errors_csv_get(*, token: str) -> bytes | None:
    """The CSV list of a refused upload's faults kept under `token` (None when unknown)."""
    from django.core.files.storage import default_storage

    if not (len(token) == 32 and all(c in "0123456789abcdef" for c in token)):
        return None
    path = f"rate_tables/refusals/{token}.csv"
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return bytes(handle.read())


def rate_file_goes_to_worker(*, upload: Any) -> bool:
    """Whether an uploaded rate file is large enough to be read by a worker: once unpacked (an
    XLSX is a zip) it passes `RATE_FILE_WORKER_FROM_BYTES`. Only the zip directory is read."""
    return unpacked_size(upload, upload.name or "") > settings.RATE_FILE_WORKER_FROM_BYTES
