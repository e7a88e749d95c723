"""Feed types other apps handle: a snapshot or listing file is given to its app's service.

The apps below this one (offers: rate tables; provisioning: AccountStatus, Account_VGA, SIM
listings) are registered by `register_lower_handlers` (from this app's `ready()`), each as soon as
its service exists; an app above (billing: operator invoices) registers its own from its
`ready()`. A type with no handler is rejected with "not handled yet". A handler receives the
archived file's path and the import and returns its counts (`rows`, `imported`, `rejected`);
it raises `ApplicationError` to reject the file.
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

FeedHandler = Callable[..., dict[str, int]]
# handler(*, path: Path, feed_import: Import, by: User | None, now: datetime) -> counts
_HANDLERS: dict[str, FeedHandler] = {}


def feed_handler_register(feed_type: str, handler: FeedHandler) -> None:
    _HANDLERS[feed_type] = handler


def feed_handler_for(feed_type: str) -> FeedHandler | None:
    return _HANDLERS.get(feed_type)


def _rate_table_handler(*, path: Path, feed_import: Any, by: Any, now: dt.datetime) -> dict[str, int]:
    from offers.services import wholesale_table_import

    upload = wholesale_table_import(
        data=path.read_bytes(), filename=feed_import.original_name, by=by, today=now.date()
    )
    count = int(getattr(upload, "row_count", 0) or 0)
    return {"rows": count, "imported": count}


def register_lower_handlers() -> None:
    """Hand the feed types of the apps below to their services (those that exist on this branch)."""
    feed_handler_register("rate_table", _rate_table_handler)
    try:
        from provisioning import services as provisioning_services  # type: ignore[attr-defined]
    except ImportError:  # the provisioning services are not built yet
        return
    for feed_type, name in (
        ("account_status", "account_status_import"),
        ("account_vga", "account_vga_import"),
        ("sim", "sim_listing_import"),
    ):
        handler = getattr(provisioning_services, name, None)
        if handler is not None:
            feed_handler_register(feed_type, handler)


# --- Settling a period: the CDRs a higher app has frozen ---------------------------------------
# guard(*, period: "YYYY-MM") -> customer ids whose usage of the period is on a finalized invoice
SettleGuard = Callable[..., set[int]]
_SETTLE_GUARDS: list[SettleGuard] = []


def settle_guard_register(guard: SettleGuard) -> None:
    """Billing registers who is already invoiced for a period: settling never re-rates them."""
    if guard not in _SETTLE_GUARDS:
        _SETTLE_GUARDS.append(guard)


def settle_frozen_customers(*, period: str) -> set[int]:
    frozen: set[int] = set()
    for guard in _SETTLE_GUARDS:
        frozen |= guard(period=period)
    return frozen
