"""A tenant's feed (the operator's drop box) on top of `core.transfer`: the folders it should hold
for the tenant's kind, and the check that they are there.

`open_feed(settings)` is `core.transfer.open_transfer`: a client that lists folders (`list`),
reads (`fetch`, `fetch_to`) and writes (`put`) files, whatever the protocol; the wholesale tables
and the CDR import reuse it. Every failure is a `FeedAccessError` (`core.transfer.TransferError`)
whose message says what went wrong, never the secret. The settings come from the tenant's
`FeedAccess` row through `tenants.platform.services.feed_settings_for`.
"""

from dataclasses import dataclass

from core.transfer import TransferClient as FeedClient
from core.transfer import TransferEntry as FeedEntry
from core.transfer import TransferError as FeedAccessError
from core.transfer import TransferSettings as FeedSettings
from core.transfer import open_transfer as open_feed
from tenants.models import TenantKind

__all__ = [
    "FeedAccessError",
    "FeedClient",
    "FeedEntry",
    "FeedSettings",
    "FolderCheck",
    "expected_folders",
    "feed_check_folders",
    "open_feed",
]


# --- What a feed should contain (shared/FORMATS.md) --------------------------------------------
def expected_folders(kind: str) -> list[str]:
    """The folders the operator's feed holds for a tenant of this kind."""
    vno = kind == TenantKind.VNO
    folders = ["AccountStatus"]
    if vno:
        folders += ["Account_VGA", "RatedCDRs/MOBILE", "RatedCDRs/VGA", "BilledCDRs/MOBILE", "BilledCDRs/VGA"]
    else:
        folders += ["RatedCDRs", "BilledCDRs"]
    folders += ["Cartes SIM"]
    if vno:
        folders += ["Tables tarifaires"]
    folders += ["Factures/Intégrateur", "Factures/Clients", "Documents", "Personnalisation", "Commandes"]
    return folders


@dataclass(frozen=True)
class FolderCheck:
    present: list[str]
    missing: list[str]
    host_key: str = ""


def feed_check_folders(client: FeedClient, *, kind: str) -> FolderCheck:
    """Which of the expected folders the feed has, listing each parent once."""
    listings: dict[str, set[str] | None] = {}

    def subfolders(parent: str) -> set[str] | None:
        if parent not in listings:
            try:
                listings[parent] = {entry.name for entry in client.list(parent) if entry.is_dir}
            except FeedAccessError:
                listings[parent] = None
        return listings[parent]

    present: list[str] = []
    missing: list[str] = []
    for folder in expected_folders(kind):
        parts = folder.split("/")
        ok = True
        for depth in range(len(parts)):
            names = subfolders("/".join(parts[:depth]))
            if names is None or parts[depth] not in names:
                ok = False
                break
        (present if ok else missing).append(folder + "/")
    return FolderCheck(present=present, missing=missing, host_key=client.host_key)
