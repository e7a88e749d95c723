"""Amounts and quantities written the French way on invoices: 1 234,56 €."""

from decimal import Decimal

from django import template

from core.money import quantize_price

register = template.Library()
NBSP = "\u00a0"


def _french(amount: Decimal, places: int) -> str:
    text = f"{amount:,.{places}f}"  # Decimal formatting: exact, no float
    return text.replace(",", NBSP).replace(".", ",")


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
