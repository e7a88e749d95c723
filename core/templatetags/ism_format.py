"""Formatting filters shared by every app's templates."""

from typing import Any

from django import template

from core.identifiers import format_iban, mask_iban

register = template.Library()


@register.filter
def iban(value: Any) -> str:
    """FR76 3000 4000 … in groups of four, as banks print it."""
    return format_iban(value)


@register.filter
def iban_masked(value: Any) -> str:
    return mask_iban(value)
