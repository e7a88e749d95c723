"""Reading profiles of the feed files and the names they come under (shared/FORMATS.md).

`origyne-v1` is the default profile; a tenant's own profiles (`ReadingProfile`, other layouts) are
based on it and chosen per feed type and flow (`import_profile`), or picked at the deposit.
"""

import re
from dataclasses import dataclass

from cdr_import.models import Family, FeedType, Import, ReadingProfile
from core.delimited import FeedProfile

PROFILES: dict[str, FeedProfile] = {
    "origyne-v1": FeedProfile(delimiter=";", encoding="utf-8", decimal_mark=",")
}
DEFAULT_PROFILE = "origyne-v1"


# The columns of RatedCDRs / BilledCDRs files a tenant profile may find under another name.
CDR_COLUMN_NAMES = (
    "CDR_ID",
    "EVENT_TYPE",
    "MSISDN",
    "LINE_NUMBER",
    "START_TIME",
    "DURATION_S",
    "VOLUME_BYTES",
    "CALLED_NUMBER",
    "ROAMING_COUNTRY",
    "DESTINATION_LABEL",
    "WHOLESALE_COST",
    "BILLING_PERIOD",
    "OPERATOR_INVOICE_REF",
)


def reading_profile_feed(profile: ReadingProfile) -> FeedProfile:
    """A tenant's saved profile as the reader uses it: its base with the profile's overrides."""
    base = PROFILES.get(profile.base) or PROFILES[DEFAULT_PROFILE]
    trailer = "" if profile.trailer == "none" else (profile.trailer_label.strip() or "TRAILER")
    return FeedProfile(
        delimiter=profile.delimiter or base.delimiter,
        encoding=profile.encoding or base.encoding,
        decimal_mark=profile.decimal_mark or base.decimal_mark,
        trailer=trailer,
        trailer_checked=profile.trailer != "ignored",
        column_names=tuple(
            (ours, str(theirs).strip())
            for ours, theirs in sorted((profile.column_names or {}).items())
            if ours in CDR_COLUMN_NAMES and str(theirs).strip() and str(theirs).strip().upper() != ours
        ),
    )


def profile_for(name: str) -> FeedProfile:
    """The reading profile of that name: a built-in one, a tenant's saved one, else the default."""
    if name in PROFILES:
        return PROFILES[name]
    saved = ReadingProfile.objects.filter(code=name).first()
    return reading_profile_feed(saved) if saved is not None else PROFILES[DEFAULT_PROFILE]


def reading_profile_choose(*, feed_type: str, flow: str) -> ReadingProfile | None:
    """The tenant's profile for files of this feed type and flow: the most specific one of
    (type and flow), (any type, flow), (type, any flow), (any type, any flow)."""
    if feed_type not in (FeedType.RATED, FeedType.BILLED):
        return None
    flow = (flow or "").strip().upper()
    found = {(p.feed_type, p.flow.upper()): p for p in ReadingProfile.objects.filter(flow__in=[flow, ""])}
    for key in ((feed_type, flow), ("", flow), (feed_type, ""), ("", "")):
        if key in found:
            return found[key]
    return None


def import_profile(feed_import: Import) -> FeedProfile:
    """The profile an import is read with, recorded on it: the tenant profile picked at the
    deposit, else the tenant's profile for its feed type and flow (chosen again at each reprocess,
    so a profile created after a rejection applies), else the built-in one it names."""
    code = feed_import.profile or DEFAULT_PROFILE
    if code not in PROFILES:
        saved = ReadingProfile.objects.filter(code=code).first()
        if saved is not None:
            return reading_profile_feed(saved)
        code = DEFAULT_PROFILE
    chosen = reading_profile_choose(feed_type=feed_import.feed_type, flow=feed_import.flow)
    if chosen is not None:
        code = chosen.code
    if code != feed_import.profile:
        feed_import.profile = code
        feed_import.save(update_fields=["profile"])
    return reading_profile_feed(chosen) if chosen is not None else PROFILES[code]


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
