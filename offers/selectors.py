"""Reads of the catalogue: lists, the rows of a table in force at a date, compiled tables."""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet

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
from offers.parsing import write_csv, write_xlsx
from offers.rate_format import HEADER
from offers.rating import (
    AllowanceSpec,
    Allowances,
    CompiledTable,
    CostMarkup,
    RateSpec,
    allowance_quantity,
    compile_table,
)


def _search(qs: QuerySet, search: str, fields: Sequence[str]) -> QuerySet:
    if not search:
        return qs
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": search})
    return qs.filter(condition)


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
    qs = RateTable.objects.select_related("base_table").annotate(row_count=Count("rates"))
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
        return Rate.objects.filter(pk__in=qs.values("pk"), destination__icontains=destination).order_by(
            "event_type", "origin_zone", "prefix"
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
    """The rows the engine uses: a markup table's base rows marked up, its own rows overriding them."""
    own = [_spec(r) for r in rate_list_in_force(table=table, on=on)]
    if table.kind != RateTableKind.MARKUP or table.base_table is None or _depth > 5:
        return own
    fixed = Fraction(table.markup_fixed)
    factor = 1 + Fraction(table.markup_percent) / 100
    derived = {
        (s.prefix, s.event_type, s.origin_zone): RateSpec(
            **{**s.__dict__, "price": (Fraction(s.price) + fixed) * factor}  # type: ignore[arg-type]
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
    """The allowances of an offer and its options, in the order they are consumed."""
    owners_q = Q(pk__in=[])
    if offer is not None:
        owners_q |= Q(offer=offer)
    option_ids = [o.pk for o in options]
    if option_ids:
        owners_q |= Q(option_id__in=option_ids)
    specs = []
    for a in Allowance.objects.filter(owners_q).order_by("option_id", "id"):
        specs.append(_allowance_spec(a))
    return Allowances(tuple(specs))


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
