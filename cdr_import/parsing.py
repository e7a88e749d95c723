"""Reading the rows of RatedCDRs / BilledCDRs files (shared/FORMATS.md) in the `origyne-v1` layout.

A lean reader takes each sound row (the common case, fast); when it objects, the row is read again
with the columns' parsers of `core.delimited`, which say exactly what is wrong (line, field, reason).
"""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


# A row as staged: the fields of the store's columns, before rating.
@dataclass(slots=True)
class CdrRow:
    cdr_id: str
    event_type: str
    line_ref: str
    start: dt.datetime
    duration_s: int
    volume_bytes: int
    called: str
    country: str
    label: str
    cost: Decimal
    period: str = ""
    invoice_ref: str = ""


def row_from_values(values: dict[str, Any], mobile: bool) -> CdrRow:
    return CdrRow(
        values["CDR_ID"],
        values["EVENT_TYPE"],
        line_number_normalise(values["MSISDN" if mobile else "LINE_NUMBER"]),
        values["START_TIME"],
        values["DURATION_S"] or 0,
        values["VOLUME_BYTES"] or 0,
        values["CALLED_NUMBER"],
        values["ROAMING_COUNTRY"],
        values["DESTINATION_LABEL"],
        values["WHOLESALE_COST"],
        values.get("BILLING_PERIOD") or "",
        values.get("OPERATOR_INVOICE_REF") or "",
    )


def fast_row_reader(reader: Any, *, family: str, billed: bool) -> Callable[[list[str]], CdrRow]:
    """A lean reader of a sound row (the common case); it raises on anything unusual, and the
    caller then reads the row with the columns' parsers, which say exactly what is wrong."""
    mobile = family == Family.MOBILE
    pos = {
        name: reader.position(name)
        for name in (
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
    }
    i_id, i_type, i_line, i_start = (
        pos["CDR_ID"],
        pos["EVENT_TYPE"],
        pos["MSISDN" if mobile else "LINE_NUMBER"],
        pos["START_TIME"],
    )
    i_dur, i_vol, i_called, i_country, i_label, i_cost = (
        pos["DURATION_S"],
        pos["VOLUME_BYTES"],
        pos["CALLED_NUMBER"],
        pos["ROAMING_COUNTRY"],
        pos["DESTINATION_LABEL"],
        pos["WHOLESALE_COST"],
    )
    i_period, i_ref = pos["BILLING_PERIOD"], pos["OPERATOR_INVOICE_REF"]
    allowed = frozenset(MOBILE_EVENTS if mobile else VGA_EVENTS)
    voice, numbered = VOICE_EVENTS, NUMBER_EVENTS
    width = 1 + max(p for p in pos.values() if p is not None)
    fromiso = dt.datetime.fromisoformat
    paris = PARIS
    cost_of = decimal_reader(minimum=None, places=6)
    row_new = CdrRow

    def cell(cells: list[str], index: int | None) -> str:
        return cells[index].strip() if index is not None else ""

    def read(cells: list[str]) -> CdrRow:
        if len(cells) < width:
            raise ValueError
        cdr_id = cells[i_id].strip()  # type: ignore[index]
        event = cells[i_type].strip()  # type: ignore[index]
        ref = cells[i_line].strip()  # type: ignore[index]
        if not cdr_id or len(cdr_id) > 64 or event not in allowed:
            raise ValueError
        if not (ref.isascii() and ref.isdigit()) or len(ref) > 20:
            raise ValueError
        if len(ref) == 10 and ref[0] == "0":
            ref = "33" + ref[1:]
        start = fromiso(cells[i_start])  # type: ignore[index]
        start = start.replace(tzinfo=paris) if start.tzinfo is None else start.astimezone(paris)
        text = cell(cells, i_dur)
        if text:
            if not (text.isascii() and text.isdigit()):
                raise ValueError
            duration = int(text)
        elif event in voice:
            raise ValueError
        else:
            duration = 0
        text = cell(cells, i_vol)
        if text:
            if not (text.isascii() and text.isdigit()):
                raise ValueError
            volume = int(text)
        elif event == "DATA":
            raise ValueError
        else:
            volume = 0
        called = cell(cells, i_called)
        if called:
            if not (called.isascii() and called.isdigit()) or len(called) > 32:
                raise ValueError
        elif event in numbered:
            raise ValueError
        country = cell(cells, i_country)
        if country:
            country = country_reader(country)
        label = cell(cells, i_label)
        if len(label) > 100:
            raise ValueError
        text = cells[i_cost].strip()  # type: ignore[index]
        if not text:
            raise ValueError
        cost = cost_of(text)
        if billed:
            period = cells[i_period].strip()  # type: ignore[index]
            if not _PERIOD.match(period):
                raise ValueError
            ref_text = cell(cells, i_ref)
            if len(ref_text) > 60:
                raise ValueError
            return row_new(
                cdr_id, event, ref, start, duration, volume, called, country, label, cost, period, ref_text
            )
        return row_new(cdr_id, event, ref, start, duration, volume, called, country, label, cost)

    return read
