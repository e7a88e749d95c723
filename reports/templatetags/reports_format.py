from decimal import Decimal
from typing import Any

from django import template

from core.money import format_amount
from reports.charts import french_number

register = template.Library()


@register.filter
def fr_number(value: Any, places: int = 0) -> str:
    """1 234 or 1 234,5: French grouping and decimal comma."""
    if value is None or value == "":
        return ""
    return french_number(Decimal(str(value)), places=int(places))


@register.filter
def megabytes(value: Any) -> str:
    return french_number(Decimal(int(value or 0)) / 1_000_000, places=1)


@register.filter
def minutes(value: Any) -> str:
    return french_number(Decimal(int(value or 0)) / 60, places=1)


@register.filter
def euros(value: Any) -> str:
    """A sum of rated amounts shown to the cent: “1 234,57 €” (rounded by core.money)."""
    if value is None or value == "":
        return ""
    return format_amount(Decimal(str(value)), places=2)
