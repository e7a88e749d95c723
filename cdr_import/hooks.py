"""Feed types other apps handle: a snapshot or listing file is given to its app's service.

The apps below this one (offers: rate tables; provisioning: AccountStatus, Account_VGA, SIM
listings) are registered by `register_lower_handlers` (from this app's `ready()`), each as soon as
its service exists; an app above (billing: operator invoices) registers its own from its
`ready()`. A type with no handler is rejected with "not handled yet". A handler receives the
archived file's path and the import and returns its counts (`rows`, `imported`, `rejected`);
it raises `ApplicationError` to reject the file (the faults in its `extra["errors"]` are kept as
the import's rejected rows); faulty rows of a file otherwise imported it keeps itself.

Apps above also register what must follow each CDR import (`after_cdrs_stored_register`).
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

FeedHandler = Callable[..., dict[str, int]]
# hook(*, feed_import: Import, now: datetime): run where an import's CDRs are stored (same transaction)
AfterStoredHook = Callable[..., object]
_AFTER_STORED: list[AfterStoredHook] = []
# handler(*, path: Path, feed_import: Import, by: User | None, now: datetime) -> counts
_HANDLERS: dict[str, FeedHandler] = {}


def feed_handler_register(feed_type: str, handler: FeedHandler) -> None:
    _HANDLERS[feed_type] = handler


def feed_handler_for(feed_type: str) -> FeedHandler | None:
    return _HANDLERS.get(feed_type)


def after_cdrs_stored_register(hook: AfterStoredHook) -> None:
    """An app above (reports: the daily usage per line) keeps what it derives from the CDRs up to
    date: `hook(feed_import=…, now=…)` runs in the import's transaction once its CDRs are stored."""
    if hook not in _AFTER_STORED:
        _AFTER_STORED.append(hook)


def after_cdrs_stored_hooks() -> tuple[AfterStoredHook, ...]:
    return tuple(_AFTER_STORED)


# hook(*, first: datetime, following: datetime, now: datetime): stored CDRs of [first, following)
# were rated again in place (settling a month, rating the CDRs of lines unknown at import)
AfterReratedHook = Callable[..., object]
_AFTER_RERATED: list[AfterReratedHook] = []


def after_cdrs_rerated_register(hook: AfterReratedHook) -> None:
    """An app above (reports: the daily and monthly usage) sums again what it derives from the CDRs
    whose rating, line or customer changed in place: `hook(first=…, following=…, now=…)` runs in
    the same transaction, after the store is written."""
    if hook not in _AFTER_RERATED:
        _AFTER_RERATED.append(hook)


def after_cdrs_rerated(*, first: dt.datetime, following: dt.datetime, now: dt.datetime) -> None:
    for hook in tuple(_AFTER_RERATED):
        hook(first=first, following=following, now=now)


def _rate_table_handler(*, path: Path, feed_import: Any, by: Any, now: dt.datetime) -> dict[str, int]:
    from offers.services import wholesale_table_import

    upload = wholesale_table_import(
        data=path.read_bytes(), filename=feed_import.original_name, by=by, today=now.date()
    )
    count = int(getattr(upload, "row_count", 0) or 0)
    return {"rows": count, "imported": count}


def _keep_faults(feed_import: Any, errors: list[dict[str, Any]]) -> None:
    """The faulty rows a lower service reported, kept as the import's rejected rows."""
    from cdr_import.models import RejectedRow

    RejectedRow.objects.bulk_create(
        [
            RejectedRow(
                feed_import=feed_import,
                line=int(e.get("line") or 0),
                field=str(e.get("column") or "")[:40],
                reason=str(e.get("reason") or ""),
            )
            for e in errors
        ],
        batch_size=2000,
    )


def _snapshot_handler(*, path: Path, feed_import: Any, by: Any, now: dt.datetime) -> dict[str, int]:
    """AccountStatus and Account_VGA: the operator's snapshot, through provisioning's import."""
    from provisioning.services.snapshots import snapshot_import

    result = snapshot_import(
        source=path, filename=feed_import.original_name, kind=feed_import.feed_type, by=by, now=now
    )
    _keep_faults(feed_import, result.errors)
    return {
        "rows": result.rows + result.rejected_rows,
        "imported": result.rows,
        "rejected": result.rejected_rows,
    }


def _sim_listing_handler(*, path: Path, feed_import: Any, by: Any, now: dt.datetime) -> dict[str, int]:
    """Cartes SIM: the SIM order listing into the stock (all or nothing), through provisioning."""
    from provisioning.services import sim_import

    result = sim_import(data=path.read_bytes(), filename=feed_import.original_name, by=by, now=now)
    return {"rows": result.count, "imported": result.count}


def register_lower_handlers() -> None:
    """Hand the feed types of the apps below to their services: rate tables to the catalogue,
    snapshots and SIM listings to provisioning."""
    feed_handler_register("rate_table", _rate_table_handler)
    feed_handler_register("account_status", _snapshot_handler)
    feed_handler_register("account_vga", _snapshot_handler)
    feed_handler_register("sim", _sim_listing_handler)


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
