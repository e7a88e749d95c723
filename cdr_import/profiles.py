"""Reading profiles of the feed files and the names they come under (shared/FORMATS.md).

`origyne-v1` is the default profile; tenant profiles (other layouts) will be added beside it.
"""

import re
from dataclasses import dataclass

from cdr_import.models import Family, FeedType
from core.delimited import FeedProfile

PROFILES: dict[str, FeedProfile] = {
    "origyne-v1": FeedProfile(delimiter=";", encoding="utf-8", decimal_mark=",")
}
DEFAULT_PROFILE = "origyne-v1"


def profile_for(name: str) -> FeedProfile:
    """The reading profile of that name (the default one when unknown)."""
    return PROFILES.get(name) or PROFILES[DEFAULT_PROFILE]


@dataclass(frozen=True)
class NameMatch:
    feed_type: str
    family: str
    flow: str
    billing_period: str = ""


# Names of the folders' files; integrators' CDR files may omit the family (MOBILE then).
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^RatedCDRs_(?:(?P<family>MOBILE|VGA)_)?(?P<flow>[A-Z0-9-]+)_\d{8,14}\.csv$", re.I),
        FeedType.RATED,
    ),
    (
        re.compile(
            r"^BilledCDRs_(?:(?P<family>MOBILE|VGA)_)?(?P<flow>[A-Z0-9-]+)_(?P<period>\d{6})\.csv$", re.I
        ),
        FeedType.BILLED,
    ),
    (re.compile(r"^AccountStatus_(?P<flow>[A-Z0-9-]+)_\d{8,14}\.csv$", re.I), FeedType.ACCOUNT_STATUS),
    (re.compile(r"^Account_VGA_(?P<flow>[A-Z0-9-]+)_\d{8,14}\.csv$", re.I), FeedType.ACCOUNT_VGA),
    (re.compile(r"^SIM_(?P<flow>[A-Z0-9-]+)_[A-Z0-9-]+\.csv$", re.I), FeedType.SIM),
    (re.compile(r"^(?:grille|table|rates?)_.*\.(?:csv|xlsx)$", re.I), FeedType.RATE_TABLE),
    (re.compile(r"^(?:OUTPUT_.*\.csv|.*\.mdb)$", re.I), FeedType.OPERATOR_INVOICE),
    (re.compile(r"^.*\.pdf$", re.I), FeedType.OPERATOR_PDF),
]


def feed_name_match(name: str) -> NameMatch | None:
    """The feed type, family, flow (operator code) and billing period a file name announces."""
    for pattern, feed_type in _PATTERNS:
        found = pattern.match(name)
        if found is None:
            continue
        groups = found.groupdict()
        period = groups.get("period") or ""
        return NameMatch(
            feed_type=str(feed_type),
            family=(groups.get("family") or Family.MOBILE).upper()
            if feed_type in (FeedType.RATED, FeedType.BILLED)
            else "",
            flow=(groups.get("flow") or "").upper(),
            billing_period=f"{period[:4]}-{period[4:]}" if period else "",
        )
    return None
