"""Reading the rows of RatedCDRs / BilledCDRs files (shared/FORMATS.md) in the `origyne-v1` layout.

A lean reader takes each sound row (the common case, fast); when it objects, the row is read again
with the columns' parsers of `core.delimited`, which say exactly what is wrong (line, field, reason).
"""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from cdr_import.models import Family
from cdr_import.store import PARIS
from core.delimited import Column, choice_reader, decimal_reader, digits_reader, int_reader, text_reader

MOBILE_EVENTS = ("VOICE_MO", "VOICE_MT", "VOICE_FWD", "SMS_MO", "SMS_MT", "MMS_MO", "DATA")
VGA_EVENTS = ("VOICE_OUT", "VOICE_IN")
VOICE_EVENTS = frozenset({"VOICE_MO", "VOICE_MT", "VOICE_FWD", "VOICE_OUT", "VOICE_IN"})
NUMBER_EVENTS = VOICE_EVENTS | {"SMS_MO", "SMS_MT", "MMS_MO"}
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


# --- Reading one row ---------------------------------------------------------------------------
def start_time_reader(text: str) -> dt.datetime:
    """A START_TIME: `YYYY-MM-DD HH:MM:SS` in Europe/Paris, or ISO 8601 with an offset."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date and time (YYYY-MM-DD HH:MM:SS)") % {"value": text}
        ) from None
    if value.tzinfo is None:
        return value.replace(tzinfo=PARIS)
    return value.astimezone(PARIS)


def country_reader(text: str) -> str:
    if len(text) != 2 or not text.isascii() or not text.isalpha():
        raise ValueError(_("“%(value)s” is not a country code (ISO 3166, two letters)") % {"value": text})
    return text.upper()


def period_reader(text: str) -> str:
    if not _PERIOD.match(text):
        raise ValueError(_("“%(value)s” is not a billing period (YYYY-MM)") % {"value": text})
    return text


def line_number_normalise(number: str) -> str:
    """A national French number (`0612345678`) in international form (`33612345678`)."""
    if len(number) == 10 and number[0] == "0":
        return "33" + number[1:]
    return number


def cdr_columns(*, family: str, billed: bool) -> list[Column]:
    """The columns of a RatedCDRs / BilledCDRs file of the family (shared/FORMATS.md)."""
    mobile = family == Family.MOBILE
    columns = [
        Column("CDR_ID", text_reader(max_length=64), required=True, required_value=True),
        Column(
            "EVENT_TYPE",
            choice_reader(MOBILE_EVENTS if mobile else VGA_EVENTS),
            required=True,
            required_value=True,
        ),
        Column("MSISDN" if mobile else "LINE_NUMBER", digits_reader(), required=True, required_value=True),
        Column("START_TIME", start_time_reader, required=True, required_value=True),
        Column("DURATION_S", int_reader(), default=None),
        Column("VOLUME_BYTES", int_reader(), default=None),
        Column("CALLED_NUMBER", digits_reader(max_length=32), default=""),
        Column("ROAMING_COUNTRY", country_reader, default=""),
        Column("DESTINATION_LABEL", text_reader(max_length=100), default=""),
        Column("WHOLESALE_COST", decimal_reader(minimum=None, places=6), required=True, required_value=True),
    ]
    if billed:
        columns += [
            Column("BILLING_PERIOD", period_reader, required=True, required_value=True),
            Column("OPERATOR_INVOICE_REF", text_reader(max_length=60), default=""),
        ]
    return columns


def row_rules(values: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """What one cell cannot say alone: voice needs a duration, data a volume, calls a number."""
    event = values["EVENT_TYPE"]
    if event in VOICE_EVENTS and values["DURATION_S"] is None:
        yield "DURATION_S", _("a duration is required for a call")
    if event == "DATA" and values["VOLUME_BYTES"] is None:
        yield "VOLUME_BYTES", _("a volume is required for data")
    if event in NUMBER_EVENTS and not values["CALLED_NUMBER"]:
        yield "CALLED_NUMBER", _("a called number is required for calls, SMS and MMS")


# A row as staged, a plain tuple (fast to build):
# (cdr_id, start, line_ref, event_type, start as COPY text, duration_s, volume_bytes, called,
#  country, label (COPY text), cost (COPY text), cost (Decimal), period, invoice ref (COPY text))
CdrRow = tuple[str, dt.datetime, str, str, str, int, int, str, str, str, str, Decimal, str, str]
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    return value.translate(_ESCAPES)


def day_offset(day: str) -> str:
    """The Europe/Paris offset (`+02:00`) of a whole day `YYYY-MM-DD`, or "" when it changes that day."""
    date = dt.date.fromisoformat(day)
    first = dt.datetime.combine(date, dt.time(0), tzinfo=PARIS).isoformat()[-6:]
    last = dt.datetime.combine(date, dt.time(23, 59), tzinfo=PARIS).isoformat()[-6:]
    return first if first == last else ""


def row_from_values(values: dict[str, Any], mobile: bool) -> CdrRow:
    """A row read by the columns' parsers (the general path), as staged.

    Starts are rated as naive Europe/Paris wall-clock times (what aware times of one zone compare
    by): the rows of both readers then sort together.
    """
    start = values["START_TIME"]
    cost = values["WHOLESALE_COST"]
    return (
        values["CDR_ID"],
        start.replace(tzinfo=None),
        line_number_normalise(values["MSISDN" if mobile else "LINE_NUMBER"]),
        values["EVENT_TYPE"],
        start.isoformat(),
        values["DURATION_S"] or 0,
        values["VOLUME_BYTES"] or 0,
        values["CALLED_NUMBER"],
        values["ROAMING_COUNTRY"],
        _copy_text(values["DESTINATION_LABEL"]),
        str(cost),
        cost,
        values.get("BILLING_PERIOD") or "",
        _copy_text(values.get("OPERATOR_INVOICE_REF") or ""),
    )


_COST = re.compile(r"-?\d{1,8}(?:[.,]\d{1,6})?")


def lean_row_reader(reader: Any, *, family: str, billed: bool) -> Callable[[list[str]], CdrRow]:
    """A lean reader of a sound row (the common case); it raises on anything unusual, and the
    caller then reads the row with the columns' parsers, which say exactly what is wrong.

    The cells must not hold a backslash or a tab (the caller checks the line): texts go to COPY
    as they are.
    """
    mobile = family == Family.MOBILE
    names = (
        "CDR_ID",
        "EVENT_TYPE",
        "MSISDN" if mobile else "LINE_NUMBER",
        "START_TIME",
        "DURATION_S",
        "VOLUME_BYTES",
        "CALLED_NUMBER",
        "ROAMING_COUNTRY",
        "DESTINATION_LABEL",
        "WHOLESALE_COST",
        "BILLING_PERIOD",
        "OPERATOR_INVOICE_REF",
    )
    pos = [reader.position(name) for name in names]
    width = reader.width
    # An absent optional column reads as an empty cell: a spare empty cell at the end stands for it.
    spare = width
    i_id, i_type, i_line, i_start, i_dur, i_vol, i_called, i_country, i_label, i_cost, i_period, i_ref = (
        spare if p is None else p for p in pos
    )
    allowed = frozenset(MOBILE_EVENTS if mobile else VGA_EVENTS)
    voice, numbered = VOICE_EVENTS, NUMBER_EVENTS
    fromiso = dt.datetime.fromisoformat
    paris = PARIS
    make_decimal = Decimal
    cost_ok = _COST.fullmatch
    period_ok = _PERIOD.match
    countries: dict[str, str] = {"": ""}
    offsets: dict[str, str] = {}

    def read(cells: list[str]) -> CdrRow:
        if len(cells) != width:
            raise ValueError
        cells.append("")
        cdr_id = cells[i_id].strip()
        event = cells[i_type]
        ref = cells[i_line]
        # Spaces around a number, a type or a date fail these checks: the general path reads them.
        if not cdr_id or len(cdr_id) > 64 or event not in allowed:
            raise ValueError
        if not ref.isdigit() or not ref.isascii() or len(ref) > 20:
            raise ValueError
        if len(ref) == 10 and ref[0] == "0":
            ref = "33" + ref[1:]
        text = cells[i_start]
        start = fromiso(text)
        # COPY gets the file's text with the day's offset (no time zone work per row), or the
        # exact offset on the two days a year the offset changes, or for another writing.
        offset = offsets.get(text[:10]) if len(text) == 19 and text[10] == " " else ""
        if offset is None:
            offset = offsets[text[:10]] = day_offset(text[:10])
        if offset and start.tzinfo is None:
            start_text = text + offset
        else:
            aware = start.replace(tzinfo=paris) if start.tzinfo is None else start.astimezone(paris)
            start_text = aware.isoformat()
            start = aware.replace(tzinfo=None)
        text = cells[i_dur]
        if text:
            if not text.isdigit() or not text.isascii():
                raise ValueError
            duration = int(text)
        elif event in voice:
            raise ValueError
        else:
            duration = 0
        text = cells[i_vol]
        if text:
            if not text.isdigit() or not text.isascii():
                raise ValueError
            volume = int(text)
        elif event == "DATA":
            raise ValueError
        else:
            volume = 0
        called = cells[i_called]
        if called:
            if not called.isdigit() or not called.isascii() or len(called) > 32:
                raise ValueError
        elif event in numbered:
            raise ValueError
        text = cells[i_country]
        country = countries.get(text)
        if country is None:
            country = countries[text] = country_reader(text)
        label = cells[i_label].strip()
        if len(label) > 100:
            raise ValueError
        text = cells[i_cost]
        if not cost_ok(text):
            raise ValueError
        text = text.replace(",", ".")
        cost = make_decimal(text)
        if billed:
            period = cells[i_period]
            if not period_ok(period):
                raise ValueError
            ref_text = cells[i_ref].strip()
            if len(ref_text) > 60:
                raise ValueError
        else:
            period = ref_text = ""
        return (
            cdr_id, start, ref, event, start_text, duration, volume, called, country, label, text, cost, period,
            ref_text,
        )  # fmt: skip

    return read
