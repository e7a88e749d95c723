"""Demo catalogue of each demo tenant: offers, options, services, phones, the sample rate table and
a markup table. Idempotent: natural keys (codes) with get_or_create; prices fixed per tenant."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from offers.models import Allowance, Offer, Option, Product, Rate, RateTable, Terminal

D = Decimal
RATES_FROM = dt.date(2026, 10, 1)
# The rows of shared/samples/grille_minutes_ACME_20261001.csv.
SAMPLE_RATES = [
    ("336", "Mobile France", "FR_MOBILE", "VOICE", "HOME", "0.15", "MIN", 60, 1, "0"),
    ("337", "Mobile France", "FR_MOBILE", "VOICE", "HOME", "0.15", "MIN", 60, 1, "0"),
    ("331", "Fixe France", "FR_FIXED", "VOICE", "HOME", "0.10", "MIN", 60, 1, "0"),
    ("332", "Fixe France", "FR_FIXED", "VOICE", "HOME", "0.10", "MIN", 60, 1, "0"),
    ("333", "Fixe France", "FR_FIXED", "VOICE", "HOME", "0.10", "MIN", 60, 1, "0"),
    ("334", "Fixe France", "FR_FIXED", "VOICE", "HOME", "0.10", "MIN", 60, 1, "0"),
    ("335", "Fixe France", "FR_FIXED", "VOICE", "HOME", "0.10", "MIN", 60, 1, "0"),
    ("339", "Fixe France (box)", "FR_FIXED", "VOICE", "HOME", "0.10", "MIN", 60, 1, "0"),
    ("3389", "Numéros spéciaux", "FR_SPECIAL", "VOICE", "HOME", "0.80", "MIN", 60, 60, "0.12"),
    ("3380", "Numéros verts", "FR_SPECIAL", "VOICE", "HOME", "0", "MIN", 60, 60, "0"),
    ("34", "Espagne", "INTL_1", "VOICE", "HOME", "0.30", "MIN", 60, 60, "0"),
    ("346", "Espagne mobile", "INTL_1", "VOICE", "HOME", "0.35", "MIN", 60, 60, "0"),
    ("212", "Maroc", "INTL_2", "VOICE", "HOME", "0.90", "MIN", 60, 60, "0"),
    ("2126", "Maroc mobile", "INTL_2", "VOICE", "HOME", "1.20", "MIN", 60, 60, "0"),
    ("1", "USA / Canada", "INTL_1", "VOICE", "HOME", "0.25", "MIN", 60, 60, "0"),
    ("1", "USA / Canada depuis monde", "WORLD1", "VOICE", "WORLD1", "1.50", "MIN", 60, 60, "0"),
    ("33", "France depuis monde", "WORLD1", "VOICE", "WORLD1", "1.50", "MIN", 60, 60, "0"),
    ("33", "SMS France", "FR_MOBILE", "SMS", "HOME", "0.05", "EVENT", 1, 1, "0"),
    ("", "SMS international", "INTL_1", "SMS", "HOME", "0.20", "EVENT", 1, 1, "0"),
    ("33", "MMS France", "FR_MOBILE", "MMS", "HOME", "0.25", "EVENT", 1, 1, "0"),
    ("", "Data France", "FR_DATA", "DATA", "HOME", "0.01", "MB", 1, 1, "0"),
    ("", "Data monde zone 1", "WORLD1", "DATA", "WORLD1", "5", "MB", 10, 10, "0"),
]
FRANCE = "FR_MOBILE,FR_FIXED"
HOME_EU = "HOME,EU"


def _table(code: str, label: str, **fields: Any) -> RateTable:
    table, _created = RateTable.objects.get_or_create(code=code, defaults={"label": label, **fields})
    return table


def _allowances(owner: Offer | Option, rows: list[tuple[str, str, str | None, str]]) -> None:
    if owner.allowances.exists():
        return
    key = "offer" if isinstance(owner, Offer) else "option"
    for event_type, zones, quantity, unit in rows:
        Allowance.objects.create(
            **{key: owner},
            event_type=event_type,
            zones=zones,
            origin_zones=HOME_EU,
            quantity=D(quantity) if quantity else None,
            unit=unit,
            unlimited=quantity is None,
        )


def seed_tenant(tenant: Any) -> None:
    rng = random.Random(tenant.schema_name)  # noqa: S311 (demo prices, not secrets)
    grid = _table("GRILLE-2026", "Grille minute 2026")
    for prefix, dest, zone, kind, origin, price, unit, first, nxt, fee in SAMPLE_RATES:
        Rate.objects.get_or_create(
            table=grid,
            prefix=prefix,
            event_type=kind,
            origin_zone=origin,
            valid_from=RATES_FROM,
            defaults={
                "destination": dest,
                "zone": zone,
                "price": D(price),
                "unit": unit,
                "first_increment": first,
                "next_increment": nxt,
                "connection_fee": D(fee),
            },
        )
    markup = _table(
        "REVENTE-PRO",
        "Revente pro (grille + 20 %)",
        kind="markup",
        base_table=grid,
        markup_fixed=D("0.01"),
        markup_percent=D("20"),
    )
    Rate.objects.get_or_create(
        table=markup,
        prefix="34",
        event_type="VOICE",
        origin_zone="HOME",
        valid_from=RATES_FROM,
        defaults={
            "destination": "Espagne (promo pro)",
            "zone": "INTL_1",
            "price": D("0.19"),
            "unit": "MIN",
            "first_increment": 60,
            "next_increment": 60,
        },
    )
    bump = D(rng.choice([0, 1, 2]))
    offers: list[tuple[str, str, str, list[tuple[str, str, str | None, str]]]] = [
        (
            "FORFAIT-2H",
            "Forfait 2h + 1 Go",
            "9.99",
            [("VOICE", FRANCE, "120", "MIN"), ("SMS", "", None, "EVENT"), ("DATA", "FR_DATA", "1024", "MB")],
        ),
        (
            "ILLIMITE-5GO",
            "Appels illimités 5 Go",
            "14.99",
            [
                ("VOICE", FRANCE, None, "MIN"),
                ("SMS", "", None, "EVENT"),
                ("MMS", "", None, "EVENT"),
                ("DATA", "FR_DATA", "5120", "MB"),
            ],
        ),
        (
            "ILLIMITE-100GO",
            "Appels illimités 100 Go",
            "24.99",
            [
                ("VOICE", FRANCE, None, "MIN"),
                ("SMS", "", None, "EVENT"),
                ("MMS", "", None, "EVENT"),
                ("DATA", "FR_DATA", "102400", "MB"),
            ],
        ),
        ("PRO-DATA-50", "Pro Data 50 Go", "29.00", [("DATA", "FR_DATA", "51200", "MB")]),
    ]
    for index, (code, label, price, allowances) in enumerate(offers):
        offer, _created = Offer.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "price": D(price) + bump,
                "commitment_none": index < 3,
                "commitment_12": True,
                "commitment_24": index > 0,
                "termination_rule": "fr_quarter" if index in (1, 2) else "remaining",
                "default_rate_table": markup if code == "PRO-DATA-50" else grid,
                "valid_from": dt.date(2026, 1, 1),
            },
        )
        _allowances(offer, allowances)
    options: list[tuple[str, str, str, str, list[tuple[str, str, str | None, str]]]] = [
        ("OPT-INTER", "Appels internationaux 2h", "5.00", "", [("VOICE", "INTL_1,INTL_2", "120", "MIN")]),
        (
            "OPT-BOOST-10",
            "Booster data 10 Go",
            "4.00",
            "4G+ 150 Mbit/s",
            [("DATA", "FR_DATA", "10240", "MB")],
        ),
    ]
    for code, label, price, speed, allowances in options:
        option, _created = Option.objects.get_or_create(
            code=code, defaults={"label": label, "price": D(price), "data_speed": speed}
        )
        _allowances(option, allowances)
    products = [
        ("FRAIS-ACTIVATION", "Frais d'activation", "service", False, "10.00"),
        ("FRAIS-PORTABILITE", "Frais de portabilité", "service", False, "0.00"),
        ("SIM-TRIPLE", "Carte SIM triple découpe", "hardware", False, "5.00"),
        ("SUPPORT-PREMIUM", "Support premium", "service", True, "3.00"),
    ]
    for code, label, kind, recurring, price in products:
        Product.objects.get_or_create(
            code=code, defaults={"label": label, "kind": kind, "recurring": recurring, "price": D(price)}
        )
    terminals = [
        ("IPHONE-16", "Apple", "iPhone 16 128 Go", "799.00", 24, "34.00", "29.00"),
        ("GALAXY-S25", "Samsung", "Galaxy S25 256 Go", "749.00", 24, "32.00", "27.00"),
        ("PIXEL-9A", "Google", "Pixel 9a", "399.00", 12, "34.00", None),
        ("NOKIA-105", "Nokia", "105 4G", "29.00", None, None, None),
    ]
    for code, brand, model, cash, months, instalment, rental in terminals:
        Terminal.objects.get_or_create(
            code=code,
            defaults={
                "brand": brand,
                "model": model,
                "label": f"{brand} {model}",
                "price": D(cash),
                "instalment_months": months,
                "instalment_price": D(instalment) if instalment else None,
                "rental_price": D(rental) if rental else None,
            },
        )
