"""Formatting filters shared by every app's templates."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils import numberformat
from django.utils.formats import get_format

from core.identifiers import format_iban, mask_iban

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
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    if amount.as_tuple().exponent > 0:  # type: ignore[operator]  # 1E+1 from normalize()
        amount = amount.quantize(Decimal(1))
    decimals = max(0, -int(amount.as_tuple().exponent))
    text = numberformat.format(
        amount,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimals,
        grouping=3,
        thousand_sep="\u00a0" if get_format("DECIMAL_SEPARATOR") == "," else ",",
        force_grouping=True,
    )
    return f"{text} {currency}".strip()
