"""A tenant's reading profiles of CDR files: saved (every rule checked at once, audited) and tried
on a sample file ("try on a file": the first rows read with the profile, or the exact faults).

The profile is used by the same pipeline as the built-in one (`profiles.import_profile`): an
import rejected under the default layout is read with the tenant's profile once it exists and the
import is reprocessed.
"""

from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_changes, audit_record
from cdr_import.models import (
    Family,
    FeedType,
    ProfileDecimalMark,
    ProfileDelimiter,
    ProfileEncoding,
    ProfileFeedType,
    ProfileTrailer,
    ReadingProfile,
)
from cdr_import.parsing import cdr_columns, row_rules
from cdr_import.profiles import CDR_COLUMN_NAMES, PROFILES, reading_profile_feed
from core.delimited import FeedFileError, FeedLimits, RowError, open_feed
from core.errors import ApplicationError, Problems

FIELDS = (
    "code",
    "label",
    "base",
    "feed_type",
    "flow",
    "encoding",
    "delimiter",
    "decimal_mark",
    "trailer",
    "trailer_label",
    "column_names",
)
TRY_ROWS = 20  # rows shown by "try on a file"
TRY_BYTES = 2 << 20  # at most this much of the sample is read
TRY_LIMITS = FeedLimits(max_rows=TRY_ROWS + 1, max_unpacked_bytes=20 << 20, max_zip_ratio=100)


def _clean(values: dict[str, Any], *, current: ReadingProfile | None) -> dict[str, Any]:
    """The profile's values, every broken rule reported at once (field by field)."""
    base = {name: getattr(current, name) for name in FIELDS} if current is not None else {}
    merged = {**base, **{k: v for k, v in values.items() if k in FIELDS}}
    clean: dict[str, Any] = {
        "code": str(merged.get("code") or "").strip(),
        "label": str(merged.get("label") or "").strip(),
        "base": str(merged.get("base") or "origyne-v1"),
        "feed_type": str(merged.get("feed_type") or ""),
        "flow": str(merged.get("flow") or "").strip().upper(),
        "encoding": str(merged.get("encoding") or ProfileEncoding.UTF8),
        "delimiter": str(merged.get("delimiter") or ProfileDelimiter.SEMICOLON),
        "decimal_mark": str(merged.get("decimal_mark") or ProfileDecimalMark.COMMA),
        "trailer": str(merged.get("trailer") or ProfileTrailer.CHECKED),
        "trailer_label": str(merged.get("trailer_label", "TRAILER") or "").strip(),
    }
    problems = Problems()
    others = (
        ReadingProfile.objects.all() if current is None else ReadingProfile.objects.exclude(pk=current.pk)
    )
    code = clean["code"]
    if not code:
        problems.add(_("Give the profile a code."), field="code")
    elif len(code) > 40 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
        problems.add(_("A code of at most 40 letters, digits, dashes or underscores."), field="code")
    elif code in PROFILES:
        problems.add(_("This code is the name of a built-in profile."), field="code")
    elif others.filter(code=code).exists():
        problems.add(_("Another profile has this code."), field="code")
    if not clean["label"]:
        problems.add(_("Give the profile a name."), field="label")
    elif len(clean["label"]) > 100:
        problems.add(_("A name of at most 100 characters."), field="label")
    if clean["base"] not in PROFILES:
        problems.add(_("Unknown built-in profile."), field="base")
    if clean["feed_type"] not in ProfileFeedType.values:
        problems.add(_("Choose rated CDRs, billed CDRs or both."), field="feed_type")
    if len(clean["flow"]) > 40:
        problems.add(_("A flow of at most 40 characters."), field="flow")
    elif (
        clean["feed_type"] in ProfileFeedType.values
        and others.filter(feed_type=clean["feed_type"], flow=clean["flow"]).exists()
    ):
        problems.add(
            _("Another profile is already used for these files (same feed type and flow)."), field="flow"
        )
    for name, choices in (
        ("encoding", ProfileEncoding),
        ("delimiter", ProfileDelimiter),
        ("decimal_mark", ProfileDecimalMark),
        ("trailer", ProfileTrailer),
    ):
        if clean[name] not in choices.values:
            problems.add(_("Choose one of the values offered."), field=name)
    if clean["trailer"] != ProfileTrailer.NONE:
        if not clean["trailer_label"]:
            problems.add(
                _("Give the first cell of the trailer line (for example TRAILER)."), field="trailer_label"
            )
        elif len(clean["trailer_label"]) > 20 or clean["delimiter"] in clean["trailer_label"]:
            problems.add(_("At most 20 characters, without the separator."), field="trailer_label")
    else:
        clean["trailer_label"] = clean["trailer_label"] or "TRAILER"
    clean["column_names"] = _clean_columns(merged.get("column_names"), clean["delimiter"], problems)
    problems.raise_if_any()
    return clean


def _clean_columns(raw: Any, delimiter: str, problems: Problems) -> dict[str, str]:
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        problems.add(_("Expected an object of COLUMN: name in the file."), field="column_names")
        return {}
    columns: dict[str, str] = {}
    for ours, theirs in raw.items():
        key = str(ours).strip().upper()
        text = str(theirs or "").strip()
        where = f"column_names.{key}" if key in CDR_COLUMN_NAMES else "column_names"
        if key not in CDR_COLUMN_NAMES:
            problems.add(_("Unknown column “%(name)s”.") % {"name": ours}, field="column_names")
        elif len(text) > 60 or (delimiter and delimiter in text) or '"' in text:
            problems.add(_("At most 60 characters, without the separator or a quote."), field=where)
        elif text and text.upper() != key:
            columns[key] = text
    # Each column must have one name in the file, and no two columns the same.
    seen: dict[str, str] = {}
    for key in CDR_COLUMN_NAMES:
        name = columns.get(key, key).upper()
        if name in seen:
            problems.add(
                _("“%(name)s” is already the name of the column %(other)s.")
                % {"name": columns.get(key, key), "other": seen[name]},
                field=f"column_names.{key}",
            )
        else:
            seen[name] = key
    return columns


def _snapshot(profile: ReadingProfile) -> dict[str, Any]:
    return {name: getattr(profile, name) for name in FIELDS}


def reading_profile_create(
    *, values: dict[str, Any], by: User | None, context: AuditContext | None = None
) -> ReadingProfile:
    """A new reading profile (every rule checked at once)."""
    clean = _clean(values, current=None)
    with transaction.atomic():
        profile = ReadingProfile.objects.create(**clean)
        audit_record(
            actor=by,
            action="reading_profile.created",
            obj=profile,
            changes=_snapshot(profile),
            context=context,
        )
    return profile


def reading_profile_update(
    *, profile: ReadingProfile, values: dict[str, Any], by: User | None, context: AuditContext | None = None
) -> ReadingProfile:
    """Change a reading profile (every rule checked at once); imports read after use the change."""
    before = _snapshot(profile)
    clean = _clean(values, current=profile)
    with transaction.atomic():
        for name, value in clean.items():
            setattr(profile, name, value)
        profile.save()
        audit_record(
            actor=by,
            action="reading_profile.updated",
            obj=profile,
            changes=audit_changes(before, _snapshot(profile)),
            context=context,
        )
    return profile


# --- Trying a profile on a sample ----------------------------------------------------------------
@dataclass
class ProfileTrial:
    """What "try on a file" found: the columns, the first rows read, their faults and notes."""

    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    family: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "columns": self.columns,
            "rows": [{k: "" if v is None else str(v) for k, v in row.items()} for row in self.rows],
            "errors": [e.as_dict() for e in self.errors],
            "file_errors": [e.as_dict() for e in self.file_errors],
            "notes": self.notes,
        }


def _sample_head(data: IO[bytes] | bytes) -> bytes:
    """The first bytes of the sample (a whole number of lines when it is longer)."""
    head = data[: TRY_BYTES + 1] if isinstance(data, bytes) else data.read(TRY_BYTES + 1)
    if len(head) > TRY_BYTES:
        cut = head.rfind(b"\n", 0, TRY_BYTES)
        head = head[: cut + 1] if cut > 0 else head[:TRY_BYTES]
    return head


def reading_profile_try(
    *, profile: ReadingProfile, data: IO[bytes] | bytes, filename: str, feed_type: str = ""
) -> ProfileTrial:
    """Read the first rows of a sample file with the profile, as an import would: the values of
    each row read, or the exact faults (line, column, reason). Nothing is stored."""
    feed_type = feed_type or profile.feed_type or FeedType.RATED
    if feed_type not in (FeedType.RATED, FeedType.BILLED):
        raise ApplicationError(_("Choose rated or billed CDRs."), field="feed_type")
    head = _sample_head(data)
    if not head:
        raise ApplicationError(_("The file is empty."), field="file")
    reading = reading_profile_feed(profile)
    billed = feed_type == FeedType.BILLED
    trial = ProfileTrial()
    try:
        with open_feed(head, columns=[], filename=filename, profile=reading, limits=TRY_LIMITS) as probe:
            family = (
                Family.VGA
                if probe.position("LINE_NUMBER") is not None and probe.position("MSISDN") is None
                else Family.MOBILE
            )
        trial.family = family
        columns = cdr_columns(family=family, billed=billed)
        trial.columns = [reading.file_name(c.name) for c in columns]
        with open_feed(
            head,
            columns=columns,
            filename=filename,
            profile=reading,
            validate_row=row_rules,
            limits=TRY_LIMITS,
        ) as reader:
            trial.notes = list(reader.notes)
            for parsed, errors in reader:
                if len(trial.rows) + len({e.line for e in trial.errors}) >= TRY_ROWS:
                    break
                if errors:
                    trial.errors.extend(errors)
                else:
                    trial.rows.append({reading.file_name(c.name): parsed.values.get(c.name) for c in columns})
    except FeedFileError as exc:
        trial.file_errors = list(exc.errors)
    return trial
