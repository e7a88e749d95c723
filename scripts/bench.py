"""Benchmark of the rating engine: 1,000,000 generated events against a 5,000-prefix table.

    make bench            # or: .venv/bin/python scripts/bench.py [--events N] [--prefixes N]

Prints the events per second of the product's rating path, `offers.rating.rate_cdrs` (the
function `rate_events` and the imports call: chronological sort, rows in force per Paris date,
allowances per line and calendar month, called numbers normalised, then the rating loop),
allowances included, in one process: first on CDRs in time order (as operator files are: no sort
needed), then on the same CDRs shuffled (sorted first), checking both give the same results. Not timed: generating the table and events, and compiling
the table (the product compiles once per day of events). Nothing reads files or the database.
The table and the events are generated deterministically (seeded), so runs compare.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from offers.rating import (  # noqa: E402
    Allowances,
    AllowanceSpec,
    Cdr,
    RateSpec,
    compile_table,
    rate_cdrs,
    rate_event,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

COUNTRIES = ["", "", "", "", "", "", "FR", "ES", "DE", "IT", "US", "MA", "CH"]


def generate_table(prefix_count: int, rng: random.Random) -> list[RateSpec]:
    rates: list[RateSpec] = []
    prefixes: set[str] = {"33", "336", "337", "331", "1", "34", "212", "44", "49"}
    while len(prefixes) < prefix_count:
        country = rng.choice(["33", "34", "44", "49", "212", "1", "39", "41", "351", "32", "216", "86"])
        prefixes.add(country + str(rng.randrange(10 ** rng.randint(1, 5))))
    for prefix in sorted(prefixes):
        price = Decimal(rng.randint(50, 15000)).scaleb(-4)
        first, nxt = rng.choice([(60, 60), (60, 1), (1, 1), (30, 30)])
        rates.append(
            RateSpec(
                prefix,
                f"Dest {prefix}",
                "FR_MOBILE" if prefix.startswith("33") else "INTL_1",
                "VOICE",
                "HOME",
                price,
                "MIN",
                first,
                nxt,
                Decimal("0.0100") if rng.random() < 0.1 else Decimal(0),
            )
        )
    for prefix in ("1", "33", "34", "212"):
        rates.append(
            RateSpec(prefix, f"World {prefix}", "WORLD1", "VOICE", "WORLD1", Decimal("1.5"), "MIN", 60, 60)
        )
        rates.append(
            RateSpec(prefix, f"SMS {prefix}", "FR_MOBILE", "SMS", "HOME", Decimal("0.05"), "EVENT", 1, 1)
        )
    rates.append(RateSpec("", "SMS international", "INTL_1", "SMS", "HOME", Decimal("0.2"), "EVENT", 1, 1))
    rates.append(RateSpec("", "Data France", "FR_DATA", "DATA", "HOME", Decimal("0.01"), "MB", 1, 1))
    rates.append(RateSpec("", "Data monde", "WORLD1", "DATA", "WORLD1", Decimal("5"), "MB", 10, 10))
    return rates


def generate_events(count: int, prefixes: list[str], rng: random.Random) -> list[Cdr]:
    """`count` CDRs in chronological order, as operator files are, each start a distinct second."""
    lines = [f"3375{n:07d}" for n in range(2000)]
    types = ["VOICE_MO"] * 6 + ["VOICE_MT"] * 2 + ["SMS_MO", "DATA", "DATA", "MMS_MO"]
    month_start = dt.datetime(2026, 10, 1, tzinfo=PARIS)
    seconds_in_month = 31 * 86400
    # Distinct seconds, so that any order of the same CDRs has one time order (no ties to break).
    offsets = sorted(rng.sample(range(seconds_in_month), count))
    events = []
    for offset in offsets:
        event_type = rng.choice(types)
        prefix = rng.choice(prefixes)
        called = (prefix + str(rng.randrange(10**9)))[:11]
        start = month_start + dt.timedelta(seconds=offset)
        events.append(
            Cdr(
                rng.choice(lines),
                start.astimezone(PARIS),
                event_type,
                called,
                rng.choice(COUNTRIES),
                rng.randint(0, 1800),
                rng.randint(0, 80_000_000) if event_type == "DATA" else 0,
                Decimal(rng.randint(0, 3000)).scaleb(-4),
            )
        )
    return events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--prefixes", type=int, default=5_000)
    parser.add_argument("--single", action="store_true", help="also time rate_event called once per event")
    args = parser.parse_args()
    rng = random.Random(20261001)
    rates = generate_table(args.prefixes, rng)
    started = time.perf_counter()
    table = compile_table(rates)
    compiled = time.perf_counter() - started
    events = generate_events(args.events, [r.prefix for r in rates if r.prefix], rng)
    allowances = Allowances(
        (
            AllowanceSpec("VOICE", frozenset({"FR_MOBILE", "FR_FIXED"}), frozenset({"HOME"}), 2 * 3600),
            AllowanceSpec("SMS", frozenset(), frozenset({"HOME"}), None),
            AllowanceSpec("DATA", frozenset({"FR_DATA"}), frozenset({"HOME"}), 5 * 1024 * 1024),
        )
    )
    load = os.getloadavg()
    started = time.perf_counter()
    rated = rate_cdrs(events, table_on=lambda _day: table, allowances=allowances)
    elapsed = time.perf_counter() - started
    total_e4 = sum(r.amount_e4 for r in rated)
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)")
    print(f"table: {table.size} rows ({args.prefixes} prefixes), compiled in {compiled * 1000:.1f} ms")
    print(f"chronological CDRs (as operator files): {len(rated):,} rated in {elapsed:.3f} s, ", end="")
    print(f"total {total_e4 / 10000:,.4f} EUR")
    print(f"{len(rated) / elapsed:,.0f} events per second")
    # The same CDRs in random order: rate_cdrs sorts them first. Same results, event by event.
    order = list(range(len(events)))
    random.Random(7).shuffle(order)
    shuffled = [events[i] for i in order]
    load = os.getloadavg()
    started = time.perf_counter()
    rated_shuffled = rate_cdrs(shuffled, table_on=lambda _day: table, allowances=allowances)
    elapsed = time.perf_counter() - started
    if rated_shuffled != [rated[i] for i in order]:
        print("shuffled CDRs were NOT rated as the chronological ones")
        return 1
    print(
        f"shuffled CDRs (load {load[0]:.2f}): {len(rated_shuffled):,} rated in {elapsed:.3f} s, same results"
    )
    print(f"{len(rated_shuffled) / elapsed:,.0f} events per second (shuffled)")
    if args.single:
        usage: dict[str, list[int | None]] = {}
        started = time.perf_counter()
        for e in sorted(events, key=lambda cdr: cdr.start):
            key = f"{e.line} {e.start:%Y-%m}"
            line_usage = usage.get(key)
            if line_usage is None:
                line_usage = usage[key] = allowances.new_usage()
            rate_event(
                table,
                event_type=e.event_type,
                called=e.called,
                country=e.country,
                duration_s=e.duration_s,
                volume_bytes=e.volume_bytes,
                wholesale_cost=e.wholesale_cost,
                allowances=allowances,
                usage=line_usage,
            )
        single = time.perf_counter() - started
        print(f"single-event path (rate_event): {len(events) / single:,.0f} events per second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
