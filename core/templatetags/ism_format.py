"""Formatting filters shared by every app's templates."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import get_format

from core.identifiers import format_iban, mask_iban
from core.money import format_amount

register = template.Library()


@register.filter
def iban(value: Any) -> str:
    """FR76 3000 4000 … in groups of four, as banks print it."""
    return format_iban(value)


@register.filter
def iban_masked(value: Any) -> str:
    return mask_iban(value)


@register.filter
def money(value: Any, currency: str = "€") -> str:
    """An amount with its decimals as given, thousands grouped the French way: “12 345,6789 €”."""
    return format_amount(value, currency=currency, decimal_separator=get_format("DECIMAL_SEPARATOR")).strip()


@register.filter
def quantity(value: Any) -> str:
    """A quantity (megabytes, minutes, units) grouped the French way, without trailing zeros:
    `1 024`, `2,5`."""
    if value is None or value == "":
        return ""
    return format_amount(
        Decimal(str(value)).normalize(), currency="", decimal_separator=get_format("DECIMAL_SEPARATOR")
    )
