"""Polling the operator's feed: each folder on its rhythm, each file taken once, when it is complete.

- Rhythms are tenant settings (`FeedFolder`: every N hours, between two hours, on some days);
  `feed_folders_due` says which folders a tick of the beat should poll, `feed_folder_poll` polls one.
- A file is taken only once its size and modification time are the same in two listings some
  seconds apart (`FeedImportSettings.stable_seconds`): the first listing records it (`FeedFile`,
  unique per folder, name, size and time), a later one claims it with a conditional update, so two
  pollers at once take it once. A file still growing is a new version: recorded again, taken later.
- The claimed file is fetched whole into a temporary file first, then given to `import_file`; a
  connection that fails (at log-in, listing or mid-fetch) leaves the file unclaimed for the next
  poll and the folder is retried with a growing delay. The feed page shows the last success and the
  last error of each folder.
- With the tenant's setting, an import report (CSV) is written back to the feed's `Retours/`.
"""

import datetime as dt
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_changes, audit_record
from cdr_import.models import (
    FeedFile,
    FeedFileStatus,
    FeedFolder,
    FeedFolderKey,
    FeedImportSettings,
    FeedType,
    Import,
    ImportSource,
)
from cdr_import.selectors import feed_import_settings_get, feed_tenant, rejected_row_list
from cdr_import.services import import_file
from cdr_import.store import PARIS
from core.delimited import write_csv
from core.errors import ApplicationError, Problems
from tenants.models import FeedAccess, Tenant, TenantKind
from tenants.platform.feed_access import FeedAccessError, FeedClient, open_feed
from tenants.platform.services import feed_settings_for

RETOURS = "Retours"
STALE_CLAIM = dt.timedelta(minutes=30)  # a claim older than this was left by a worker that died
RECHECK = dt.timedelta(minutes=5)  # a folder with files still growing is listed again this soon
FIRST_RETRY = dt.timedelta(minutes=5)
LONGEST_RETRY = dt.timedelta(hours=4)


@dataclass(frozen=True)
class FolderRhythm:
    every_hours: int
    from_hour: int
    to_hour: int
    days: str


# The rhythms: AccountStatus hourly, RatedCDRs every 2 hours 8h–20h Monday to Saturday,
# the others daily (from 6h).
DEFAULT_RHYTHMS: dict[str, FolderRhythm] = {
    FeedFolderKey.ACCOUNT_STATUS: FolderRhythm(1, 0, 23, "0123456"),
    FeedFolderKey.ACCOUNT_VGA: FolderRhythm(24, 6, 23, "0123456"),
    FeedFolderKey.RATED: FolderRhythm(2, 8, 20, "012345"),
    FeedFolderKey.BILLED: FolderRhythm(24, 6, 23, "0123456"),
    FeedFolderKey.SIM: FolderRhythm(24, 6, 23, "0123456"),
    FeedFolderKey.RATE_TABLE: FolderRhythm(24, 6, 23, "0123456"),
    FeedFolderKey.OPERATOR_INVOICE: FolderRhythm(24, 6, 23, "0123456"),
}
VNO_ONLY = {FeedFolderKey.ACCOUNT_VGA, FeedFolderKey.RATE_TABLE}


def feed_folder_paths(key: str, *, kind: str) -> list[str]:
    """The feed's folders (paths) behind a folder key, for a tenant of this kind (FORMATS.md)."""
    vno = kind == TenantKind.VNO
    if key in VNO_ONLY and not vno:
        return []
    if key == FeedFolderKey.RATED:
        return ["RatedCDRs/MOBILE", "RatedCDRs/VGA"] if vno else ["RatedCDRs"]
    if key == FeedFolderKey.BILLED:
        return ["BilledCDRs/MOBILE", "BilledCDRs/VGA"] if vno else ["BilledCDRs"]
    paths: dict[str, list[str]] = {
        FeedFolderKey.ACCOUNT_STATUS: ["AccountStatus"],
        FeedFolderKey.ACCOUNT_VGA: ["Account_VGA"],
        FeedFolderKey.SIM: ["Cartes SIM"],
        FeedFolderKey.RATE_TABLE: ["Tables tarifaires"],
        FeedFolderKey.OPERATOR_INVOICE: ["Factures/Intégrateur"],
    }
    return paths[key]


def feed_folders_ensure(*, kind: str) -> list[FeedFolder]:
    """The folders this tenant's kind polls, created with the default rhythms (idempotent)."""
    folders = []
    for key in FeedFolderKey.values:
        if not feed_folder_paths(key, kind=kind):
            continue
        rhythm = DEFAULT_RHYTHMS[key]
        folder, _created = FeedFolder.objects.get_or_create(
            key=key,
            defaults={
                "every_hours": rhythm.every_hours,
                "from_hour": rhythm.from_hour,
                "to_hour": rhythm.to_hour,
                "days": rhythm.days,
            },
        )
        folders.append(folder)
    return folders


# --- Rhythm ------------------------------------------------------------------------------------
def _slot_start(folder: FeedFolder, local: dt.datetime) -> dt.datetime:
    """The start of the rhythm's slot `local` falls in (daily: the day's first hour)."""
    every = max(1, folder.every_hours)
    hour = (
        folder.from_hour
        if every >= 24
        else folder.from_hour + (local.hour - folder.from_hour) // every * every
    )
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def feed_folder_is_due(folder: FeedFolder, *, now: dt.datetime) -> bool:
    """Whether a tick at `now` polls the folder: a retry or a recheck whose time has come, or a
    slot of its rhythm not polled yet."""
    if not folder.enabled:
        return False
    if folder.retry_at is not None:
        return now >= folder.retry_at
    if folder.recheck_at is not None and now >= folder.recheck_at:
        return True
    local = now.astimezone(PARIS)
    if str(local.weekday()) not in folder.days or not folder.from_hour <= local.hour <= folder.to_hour:
        return False
    return folder.last_run_at is None or folder.last_run_at < _slot_start(folder, local)


def feed_folders_due(*, now: dt.datetime) -> list[FeedFolder]:
    return [f for f in FeedFolder.objects.order_by("id") if feed_folder_is_due(f, now=now)]


# --- One poll ----------------------------------------------------------------------------------
@dataclass
class PollResult:
    folder: str
    ok: bool = True
    error: str = ""
    imports: list[Import] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # files whose size is not stable yet


def _modified(value: dt.datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _claim(row: FeedFile, *, now: dt.datetime, token: str) -> bool:
    """Take the file for this poller: one conditional update, so only one poller gets it."""
    taken = (
        FeedFile.objects.filter(pk=row.pk)
        .filter(
            Q(status=FeedFileStatus.SEEN) | Q(status=FeedFileStatus.CLAIMED, claimed_at__lt=now - STALE_CLAIM)
        )
        .update(status=FeedFileStatus.CLAIMED, claimed_at=now, claim_token=token)
    )
    return taken == 1


def _release(row: FeedFile, *, token: str, error: str) -> None:
    """Give a claimed file back (the fetch failed): the next poll takes it again."""
    FeedFile.objects.filter(pk=row.pk, claim_token=token, status=FeedFileStatus.CLAIMED).update(
        status=FeedFileStatus.SEEN, attempts=row.attempts + 1, last_error=error[:2000], claim_token=""
    )


# Folders whose files are all of one type whatever their names (the operator names its wholesale
# tables freely: `ORIGYNE_20261001.csv`); the other folders' files are typed by their names.
FOLDER_FEED_TYPES = {"Tables tarifaires": FeedType.RATE_TABLE}


def _folder_feed_type(path: str, name: str) -> str | None:
    feed_type = FOLDER_FEED_TYPES.get(path)
    return feed_type if feed_type and name.lower().endswith((".csv", ".xlsx")) else None


def _take_file(
    client: FeedClient,
    *,
    path: str,
    name: str,
    row: FeedFile,
    token: str,
    by: User | None,
    now: dt.datetime,
    flow: str,
) -> Import:
    """Fetch a claimed file whole, then import it; a failed fetch gives the claim back."""
    with tempfile.TemporaryDirectory(prefix="ism-feed-") as scratch:
        local = Path(scratch) / name
        try:
            with open(local, "wb") as handle:
                client.fetch_to(f"{path}/{name}", handle)
        except FeedAccessError as exc:
            _release(row, token=token, error=exc.message)
            raise
        feed_import = import_file(
            path=local,
            source=ImportSource.FEED,
            by=by,
            now=now,
            original_name=name,
            flow=flow,
            feed_type=_folder_feed_type(path, name),
        )
    Import.objects.filter(pk=feed_import.pk, path=str(local)).update(path=f"{path}/{name}")
    feed_import.path = f"{path}/{name}"
    FeedFile.objects.filter(pk=row.pk, claim_token=token).update(
        status=FeedFileStatus.IMPORTED, feed_import=feed_import, last_error=""
    )
    return feed_import


def _poll_path(
    client: FeedClient,
    path: str,
    *,
    stable_after: dt.datetime,
    now: dt.datetime,
    by: User | None,
    flow: str,
    result: PollResult,
    after_listing: Callable[[], None] | None,
    on_import: Callable[[Import, FeedClient], None],
) -> None:
    entries = [e for e in client.list(path) if not e.is_dir and not e.name.startswith(".")]
    if after_listing is not None:
        after_listing()
    token = uuid.uuid4().hex
    for entry in entries:
        modified = _modified(entry.modified)
        size = entry.size or 0
        row, created = _record(path, entry.name, size=size, modified=modified, now=now)
        if row.status == FeedFileStatus.IMPORTED:
            continue
        if created or row.seen_at > stable_after:
            result.waiting.append(entry.name)  # first seen now (or too recently): taken later
            continue
        if not _claim(row, now=now, token=token):
            continue  # another poller has it
        result.imports.append(
            feed_import := _take_file(
                client, path=path, name=entry.name, row=row, token=token, by=by, now=now, flow=flow
            )
        )
        on_import(feed_import, client)


def _record(path: str, name: str, *, size: int, modified: str, now: dt.datetime) -> tuple[FeedFile, bool]:
    """This listing's version of a file, recorded once (two pollers at once: one row)."""
    lookup = {"folder": path, "name": name, "size": size, "modified": modified}
    found = FeedFile.objects.filter(**lookup).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return FeedFile.objects.create(**lookup, seen_at=now), True
    except IntegrityError:  # the other poller recorded it at this very moment
        return FeedFile.objects.get(**lookup), True


def _retry_delay(failures: int) -> dt.timedelta:
    return min(FIRST_RETRY * (2 ** max(0, failures - 1)), LONGEST_RETRY)


def feed_folder_poll(
    *,
    folder: FeedFolder,
    tenant: Tenant,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
    after_listing: Callable[[], None] | None = None,
) -> PollResult:
    """Poll one folder now: take its complete new files, import each once, report each import to
    `Retours/` when the tenant asks; a connection failure is recorded and retried later.

    `after_listing` (tests) runs between the listing and the claims of each path.
    """
    access = FeedAccess.objects.filter(tenant=tenant).first()
    result = PollResult(folder=folder.key)
    settings = feed_import_settings_get()
    stable_after = now - dt.timedelta(seconds=settings.stable_seconds)
    if access is None:
        result.ok, result.error = False, _("This tenant has no feed access yet.")
    else:
        try:
            with open_feed(feed_settings_for(access)) as client:
                for path in feed_folder_paths(folder.key, kind=tenant.kind):
                    _poll_path(
                        client,
                        path,
                        stable_after=stable_after,
                        now=now,
                        by=by,
                        flow=tenant.operator_code,
                        result=result,
                        after_listing=after_listing,
                        on_import=lambda done, c: _report_if_asked(
                            done, client=c, settings=settings, now=now
                        ),
                    )
        except FeedAccessError as exc:
            result.ok, result.error = False, exc.message
    _record_outcome(folder, result=result, now=now)
    if result.imports or not result.ok:
        audit_record(
            actor=by,
            action="feed_folder.polled",
            obj=folder,
            changes={
                "files": [i.original_name for i in result.imports],
                "waiting": result.waiting,
                "error": result.error,
            },
            context=context,
        )
    return result


def _record_outcome(folder: FeedFolder, *, result: PollResult, now: dt.datetime) -> None:
    fields: dict[str, Any] = {"last_run_at": now}
    if result.ok:
        fields |= {"last_success_at": now, "failures": 0, "retry_at": None}
    else:
        failures = folder.failures + 1
        fields |= {
            "last_error_at": now,
            "last_error": result.error[:2000],
            "failures": failures,
            "retry_at": now + _retry_delay(failures),
        }
    fields["recheck_at"] = now + RECHECK if result.waiting else None
    fields["files_taken"] = folder.files_taken + len(result.imports)
    FeedFolder.objects.filter(pk=folder.pk).update(**fields)
    for name, value in fields.items():
        setattr(folder, name, value)


# --- Settings ----------------------------------------------------------------------------------
RHYTHM_FIELDS = ("enabled", "every_hours", "from_hour", "to_hour", "days")


def feed_folder_rhythm_update(
    *, folder: FeedFolder, data: dict[str, Any], by: User | None, context: AuditContext | None = None
) -> FeedFolder:
    """Change a folder's rhythm: every 1 to 24 hours, hours 0–23 in order, at least one day."""
    before = {name: getattr(folder, name) for name in RHYTHM_FIELDS}
    values = {**before, **{k: v for k, v in data.items() if k in RHYTHM_FIELDS}}
    problems = Problems()
    if not 1 <= int(values["every_hours"]) <= 24:
        problems.add(_("Poll every 1 to 24 hours."), field="every_hours")
    if not 0 <= int(values["from_hour"]) <= 23:
        problems.add(_("An hour from 0 to 23."), field="from_hour")
    if not 0 <= int(values["to_hour"]) <= 23:
        problems.add(_("An hour from 0 to 23."), field="to_hour")
    elif int(values["from_hour"]) > int(values["to_hour"]):
        problems.add(_("The first hour must come before the last one."), field="to_hour")
    days = "".join(sorted({d for d in str(values["days"]) if d in "0123456"}))
    if not days:
        problems.add(_("Choose at least one day."), field="days")
    problems.raise_if_any()
    values["days"] = days
    for name in RHYTHM_FIELDS:
        setattr(folder, name, values[name])
    folder.save(update_fields=list(RHYTHM_FIELDS))
    audit_record(
        actor=by,
        action="feed_folder.rhythm_updated",
        obj=folder,
        changes=audit_changes(before, {name: getattr(folder, name) for name in RHYTHM_FIELDS}),
        context=context,
    )
    return folder


def feed_import_settings_update(
    *, data: dict[str, Any], by: User | None, context: AuditContext | None = None
) -> FeedImportSettings:
    """Change the tenant's feed import settings (report to `Retours/`, stability delay)."""
    settings = feed_import_settings_get()
    names = ("report_to_retours", "stable_seconds")
    before = {name: getattr(settings, name) for name in names}
    for name in names:
        if name in data:
            setattr(settings, name, data[name])
    if int(settings.stable_seconds) > 3600:
        raise ApplicationError(_("At most one hour (3600 seconds)."), field="stable_seconds")
    settings.save()
    audit_record(
        actor=by,
        action="feed_import_settings.updated",
        obj=settings,
        changes=audit_changes(before, {name: getattr(settings, name) for name in names}),
        context=context,
    )
    return settings


# --- The import report in Retours/ -------------------------------------------------------------
REPORT_HEADER = (
    "TYPE", "FILE", "IMPORT_ID", "STATUS", "ROWS", "IMPORTED", "KNOWN", "CORRECTED", "REJECTED",
    "UNRATED", "UNKNOWN_LINE", "LINE", "FIELD", "REASON",
)  # fmt: skip


def import_report_csv(feed_import: Import) -> bytes:
    """The report of an import: a SUMMARY row (counts, status, reason), then one row per fault."""
    imp = feed_import
    rows: list[Sequence[Any]] = [
        [
            "SUMMARY",
            imp.original_name,
            imp.pk,
            imp.status,
            imp.rows,
            imp.imported,
            imp.known,
            imp.corrected,
            imp.rejected,
            imp.unrated,
            imp.unknown_line,
            "",
            "",
            imp.reason,
        ]  # fmt: skip
    ]
    rows += [
        ["REJECTED", imp.original_name, imp.pk, "", "", "", "", "", "", "", "", r.line, r.field, r.reason]
        for r in rejected_row_list(feed_import=imp).iterator()
    ]
    return write_csv(REPORT_HEADER, rows, numeric=REPORT_HEADER[2:11] + ("LINE",))


def report_name(feed_import: Import) -> str:
    stem = feed_import.original_name.rsplit(".", 1)[0]
    return f"RAPPORT_{stem}_{feed_import.pk}.csv"


def _report_if_asked(
    feed_import: Import, *, client: FeedClient | None, settings: FeedImportSettings, now: dt.datetime
) -> None:
    if settings.report_to_retours:
        import_report_put(feed_import=feed_import, client=client, by=None, now=now)


def import_report_put(
    *,
    feed_import: Import,
    by: User | None,
    now: dt.datetime,
    client: FeedClient | None = None,
    context: AuditContext | None = None,
) -> str:
    """Write the import's report to the feed's `Retours/` folder (on `client`, else a new
    connection); returns the path written. A failure is recorded, never raised: the import stands."""
    target = f"{RETOURS}/{report_name(feed_import)}"
    data = import_report_csv(feed_import)
    error = ""
    try:
        if client is not None:
            client.put(target, data)
        else:
            access = FeedAccess.objects.filter(tenant=feed_tenant()).first()
            if access is None:
                raise FeedAccessError(_("This tenant has no feed access yet."))
            with open_feed(feed_settings_for(access)) as fresh:
                fresh.put(target, data)
    except FeedAccessError as exc:
        error = exc.message
    audit_record(
        actor=by,
        action="feed_import.report_written" if not error else "feed_import.report_failed",
        obj=feed_import,
        changes={"path": target, "error": error, "at": now.isoformat()},
        context=context,
    )
    return "" if error else target


def import_report_if_asked(*, feed_import: Import, now: dt.datetime) -> None:
    """After an import run: its report to the feed's `Retours/` when the tenant asks for it."""
    from cdr_import.selectors import feed_import_settings_get

    if feed_import.is_finished and feed_import_settings_get().report_to_retours:
        import_report_put(feed_import=feed_import, by=None, now=now)
