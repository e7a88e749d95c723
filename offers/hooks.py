"""Extension points of the offers app for the apps above it, which offers must never import.

- usage checks: `fn(item) -> list[str]`, why an offer, option or terminal is in use (e.g. the lines
  that have it); an item in use cannot be deleted (`services.catalogue_item_delete`).
"""

from collections.abc import Callable
from typing import Any

UsageCheck = Callable[[Any], list[str]]
usage_checks: list[UsageCheck] = []


def register_usage_check(fn: UsageCheck) -> UsageCheck:
    if fn not in usage_checks:
        usage_checks.append(fn)
    return fn


def catalogue_item_usage(item: Any) -> list[str]:
    """Every registered reason why `item` is in use (empty when it is not)."""
    reasons: list[str] = []
    for check in usage_checks:
        reasons.extend(check(item))
    return reasons
