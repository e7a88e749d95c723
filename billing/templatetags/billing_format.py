"""Amounts and quantities written the French way on invoices: 1 234,56 €."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from core import labels
from core.money import format_amount, quantize_price

register = template.Library()
NBSP = "\u00a0"


def _french(amount: Decimal, places: int) -> str:
    """`places` decimals, the French way, rounded by the one money helper (`core.money`)."""
    return format_amount(amount, places=places, currency="")


@register.filter
def euros(amount: Decimal | None) -> str:
    """`Decimal("1234.5")` → `1 234,50 €`."""
    if amount is None:
        return ""
    return f"{_french(quantize_price(amount), 2)}{NBSP}€"


@register.filter
def number_fr(value: Decimal | int | None, places: int = 2) -> str:
    """A quantity or a rate with a decimal comma; whole numbers without decimals."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return _french(value, 0)
    return _french(value, int(places))


@register.filter
def unit_price(value: Decimal | None) -> str:
    """A unit price: cents when it has no more, else its four rated decimals (0,0850 €)."""
    if value is None:
        return ""
    value = Decimal(value)
    places = 2 if value == quantize_price(value) else 4
    return f"{_french(quantize_price(value, places=Decimal(1).scaleb(-places)), places)}{NBSP}€"


def _cut(text: str, length: int) -> str:
    """Django's `truncatechars` (the template filter the call detail used to apply)."""
    return text if len(text) <= length else Truncator(text).chars(length)


@register.filter
def call_lines(events: list[dict[str, Any]]) -> str:
    """The call detail of one phone line as preformatted text, one line per event in fixed-width
    columns: date and time (local), type, number called, duration or volume, amount, destination.
    Written here rather than with six template filters per event: the template engine's filters
    cost more than the rest of the invoice's HTML (issue 13, docs/benchmarks.md)."""
    rows = []
    for e in events:
        when = e["time"]
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        rows.append(
            f"{when:%d/%m/%Y %H:%M:%S}  {_cut(labels.event_type_label(e['event'] or ''), 17):<17}  "
            f"{e['called'] or '':<15}  {e['quantity'] or '':>14}  {unit_price(e['amount']):>10}  "
            f"{_cut(e['destination'] or '', 30)}\n"
        )
    return mark_safe(escape("".join(rows)))  # noqa: S308 - escaped just above
