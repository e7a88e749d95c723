"""The rate-table file format (shared/FORMATS.md, "Rate tables"), read with the feed parser."""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from offers.models import RateEventType, RateUnit
from offers.parsing import (
    Column,
    FeedLimits,
    FeedProfile,
    ParseResult,
    RowError,
    Source,
    choice_reader,
    date_reader,
    decimal_reader,
    digits_reader,
    int_reader,
    read_feed,
    text_reader,
)
from offers.rating import UNIT_OF_KIND

HEADER = [
    "PREFIX",
    "DESTINATION",
    "ZONE",
    "EVENT_TYPE",
    "ORIGIN_ZONE",
    "PRICE",
    "UNIT",
    "FIRST_INCREMENT",
    "NEXT_INCREMENT",
    "CONNECTION_FEE",
    "VALID_FROM",
]


def _zone(text: str) -> str:
    value = text.upper()
    if not value.replace("_", "").isalnum() or len(value) > 20:
        raise ValueError(_("“%(value)s” is not a zone code (letters, digits, _)") % {"value": text})
    return value


def rate_columns() -> list[Column]:
    return [
        Column("PREFIX", digits_reader(max_length=20), required=True, default=""),
        Column("DESTINATION", text_reader(max_length=120), required=True, required_value=True),
        Column("ZONE", _zone, required=True, required_value=True),
        Column("EVENT_TYPE", choice_reader(RateEventType.values), required=True, required_value=True),
        Column("ORIGIN_ZONE", _zone, default="HOME"),
        Column("PRICE", decimal_reader(places=6), required=True, required_value=True),
        Column("UNIT", choice_reader(RateUnit.values), required=True, required_value=True),
        Column("FIRST_INCREMENT", int_reader(minimum=1)),
        Column("NEXT_INCREMENT", int_reader(minimum=1)),
        Column("CONNECTION_FEE", decimal_reader(places=6)),
        Column("VALID_FROM", date_reader),
    ]


def _validate(values: dict[str, Any]) -> Iterable[tuple[str, str]]:
    kind, unit = values["EVENT_TYPE"], values["UNIT"]
    if UNIT_OF_KIND[kind] != unit:
        yield (
            "UNIT",
            _("%(kind)s is priced per %(expected)s, not %(unit)s")
            % {
                "kind": kind,
                "expected": UNIT_OF_KIND[kind],
                "unit": unit,
            },
        )
    if kind == "DATA" and values["PREFIX"]:
        yield "PREFIX", _("data rows have an empty prefix")


def rate_limits() -> FeedLimits:
    """What one rate file may hold (settings RATE_TABLE_MAX_ROWS, FEED_MAX_UNPACKED_BYTES, FEED_MAX_ZIP_RATIO)."""
    return FeedLimits(
        max_rows=settings.RATE_TABLE_MAX_ROWS,
        max_unpacked_bytes=settings.FEED_MAX_UNPACKED_BYTES,
        max_zip_ratio=settings.FEED_MAX_ZIP_RATIO,
    )


def absent_columns_note(names: list[str]) -> str:
    """Which optional columns the file did not have, and the default each row got instead."""
    if not names:
        return ""
    defaults = {
        "ORIGIN_ZONE": "HOME",
        "FIRST_INCREMENT": _("60 for voice and data, else 1"),
        "NEXT_INCREMENT": _("60 for voice and data, else 1"),
        "CONNECTION_FEE": "0",
        "VALID_FROM": _("the upload date"),
    }
    shown = ", ".join(f"{name} ({defaults.get(name, '-')})" for name in names)
    return _("Columns absent from the file, their default given to every row: %(columns)s.") % {
        "columns": shown
    }


def read_rate_file(
    data: Source,
    *,
    filename: str,
    today: dt.date,
    profile: FeedProfile | None = None,
    progress: Callable[[int], None] | None = None,
) -> ParseResult:
    """Read a rate table file (bytes or an open file, streamed); defaults applied, duplicate keys
    reported on each repeated line. `progress(rows_read)` is called as the reading goes."""
    result = read_feed(
        data,
        columns=rate_columns(),
        filename=filename,
        validate_row=_validate,
        limits=rate_limits(),
        progress=progress,
        **({"profile": profile} if profile else {}),
    )
    seen: dict[tuple[Any, ...], int] = {}
    kept = []
    for row in result.rows:
        values = row.values
        voice_or_data = values["EVENT_TYPE"] in ("VOICE", "VOICE_MT", "DATA")
        default_increment = 1 if values["EVENT_TYPE"] == "DATA" else 60 if voice_or_data else 1
        values["FIRST_INCREMENT"] = values["FIRST_INCREMENT"] or default_increment
        values["NEXT_INCREMENT"] = values["NEXT_INCREMENT"] or default_increment
        values["CONNECTION_FEE"] = values["CONNECTION_FEE"] if values["CONNECTION_FEE"] is not None else 0
        values["VALID_FROM"] = values["VALID_FROM"] or today
        key = (values["PREFIX"], values["EVENT_TYPE"], values["ORIGIN_ZONE"], values["VALID_FROM"])
        if key in seen:
            result.errors.append(
                RowError(
                    row.line,
                    "PREFIX",
                    _("duplicate of line %(line)s (same PREFIX, EVENT_TYPE, ORIGIN_ZONE and VALID_FROM)")
                    % {"line": seen[key]},
                )
            )
            continue
        seen[key] = row.line
        kept.append(row)
    result.rows = kept
    result.errors.sort(key=lambda e: e.line)
    return result
