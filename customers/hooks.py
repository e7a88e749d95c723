"""Extension points of the customers app for the apps above it (provisioning, billing), which
customers must never import: they register here from their `AppConfig.ready()`.

- archive blockers: `fn(customer) -> list[str]`, the reasons the customer cannot be archived yet
  (active lines, assigned numbers, unpaid invoices…);
- balance policy handlers: `fn(customer, action)` with action "suspend" or "reactivate", called
  once, after commit, each time a strict customer's balance crosses zero;
- search filters: `fn(query) -> Q | None` on `Customer`, e.g. lines matching an MSISDN.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Q

ArchiveBlocker = Callable[[Any], list[str]]
BalancePolicyHandler = Callable[[Any, str], None]
SearchFilter = Callable[[str], Q | None]

archive_blockers: list[ArchiveBlocker] = []
balance_policy_handlers: list[BalancePolicyHandler] = []
search_filters: list[SearchFilter] = []


def register_archive_blocker(fn: ArchiveBlocker) -> ArchiveBlocker:
    if fn not in archive_blockers:
        archive_blockers.append(fn)
    return fn


def unregister_archive_blocker(fn: ArchiveBlocker) -> None:
    if fn in archive_blockers:
        archive_blockers.remove(fn)


def register_balance_policy_handler(fn: BalancePolicyHandler) -> BalancePolicyHandler:
    if fn not in balance_policy_handlers:
        balance_policy_handlers.append(fn)
    return fn


def unregister_balance_policy_handler(fn: BalancePolicyHandler) -> None:
    if fn in balance_policy_handlers:
        balance_policy_handlers.remove(fn)


def register_customer_search(fn: SearchFilter) -> SearchFilter:
    if fn not in search_filters:
        search_filters.append(fn)
    return fn


# Tabs of the customer page that higher apps fill in ("lines", "orders"): `fn(request, customer) -> str`
# returns the tab's HTML (already safe).
TabContent = Callable[[Any, Any], str]
tab_contents: dict[str, TabContent] = {}


def register_customer_tab(tab: str, fn: TabContent) -> TabContent:
    tab_contents[tab] = fn
    return fn
