"""The deposit console's writes (dépôt de fichiers) and the reprocessing of an import.

A deposited file becomes an `Import` at once (archived, `received`), so the page can follow it;
the worker then runs it through the same pipeline as a fetched file (`import_file` takes the
received import up). A file with the same content as a finished import is a duplicate at once.

Reprocessing runs an import's archived file again through the same pipeline, on the same `Import`,
once the cause of its faults is fixed (a profile, a line that now exists…): stored CDRs are not
doubled (the CDR identity table), CDRs of lines that now exist are rated.
"""

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from cdr_import.models import (
    FINISHED_STATUSES,
    FeedType,
    Import,
    ImportSource,
    ImportStatus,
    ReadingProfile,
    RejectedRow,
)
from cdr_import.profiles import DEFAULT_PROFILE, PROFILES, feed_name_match
from cdr_import.services import _digest, _process, cdr_rate_unknown_lines, import_process, import_receive
from core.errors import ApplicationError, Problems
from customers.models import Customer

MAX_DEPOSIT_BYTES = 512 * 1024 * 1024


def feed_type_detect(name: str) -> str:
    """The feed type a file name announces ("" when none)."""
    match = feed_name_match(name)
    return match.feed_type if match else ""


def _live_same_content(sha: str) -> Import | None:
    return (
        Import.objects.filter(sha256=sha)
        .exclude(status__in=[ImportStatus.DUPLICATE, ImportStatus.REJECTED])
        .order_by("id")
        .first()
    )


def import_deposit(
    *,
    data: IO[bytes],
    filename: str,
    by: User | None,
    now: dt.datetime,
    feed_type: str = "",
    flow: str = "",
    customer: Customer | None = None,
    profile: str = DEFAULT_PROFILE,
    source: str = ImportSource.UPLOAD,
    context: AuditContext | None = None,
) -> tuple[Import, bool]:
    """Receive a deposited file: archived as a `received` import to run on the worker.

    Returns the import and whether it is to be run (False: a duplicate of a finished import, or
    the same content already being imported).
    """
    name = Path(filename.replace("\\", "/")).name.strip()
    problems = Problems()
    if not name:
        problems.add(_("The file has no name."), field="file")
    if feed_type and feed_type not in FeedType.values:
        problems.add(_("Unknown feed type “%(type)s”.") % {"type": feed_type}, field="feed_type")
    if profile not in PROFILES and not ReadingProfile.objects.filter(code=profile).exists():
        problems.add(_("Unknown reading profile “%(profile)s”.") % {"profile": profile}, field="profile")
    problems.raise_if_any()
    with tempfile.TemporaryDirectory(prefix="ism-deposit-") as scratch:
        local = Path(scratch) / name
        with open(local, "wb") as handle:
            shutil.copyfileobj(data, handle, 1 << 20)
        sha, size = _digest(local)
        if not size:
            raise ApplicationError(_("The file %(name)s is empty.") % {"name": name}, field="file")
        if size > MAX_DEPOSIT_BYTES:
            raise ApplicationError(_("The file %(name)s is too large.") % {"name": name}, field="file")
        previous = _live_same_content(sha)
        # Recorded and archived like a fetched file (a duplicate of a finished import is recorded
        # as such at once; the same content being imported right now is that import).
        feed_import = import_receive(
            path=local,
            source=source,
            by=by,
            now=now,
            feed_type=feed_type or feed_type_detect(name) or None,
            customer=customer,
            flow=(flow or "").strip().upper()[:40],
            original_name=name,
            profile=profile,
        )
        if feed_import.status == ImportStatus.DUPLICATE or (
            previous is not None and previous.pk == feed_import.pk
        ):
            return feed_import, False
    audit_record(
        actor=by,
        action="feed_import.deposited",
        obj=feed_import,
        changes={"file": name, "size": size, "feed_type": feed_import.feed_type, "flow": feed_import.flow},
        context=context,
    )
    return feed_import, True


def import_run(*, feed_import: Import, by: User | None, now: dt.datetime) -> Import:
    """Run a received import (a deposit) through the pipeline; a finished one is left as it is."""
    if feed_import.status != ImportStatus.RECEIVED or not feed_import.archived_file:
        return feed_import
    return import_process(feed_import=feed_import, by=by, now=now)


def import_reprocess_refusal(feed_import: Import) -> str:
    """Why this import cannot be reprocessed now ("" when it can)."""
    if feed_import.status == ImportStatus.DUPLICATE:
        return _("A duplicate has nothing of its own to reprocess: reprocess the original import.")
    if feed_import.status not in FINISHED_STATUSES:
        return _("The import is still running.")
    if not feed_import.archived_file:
        return _("The archived file is missing.")
    if feed_import.status == ImportStatus.REJECTED:
        live = _live_same_content(feed_import.sha256)
        if live is not None and live.pk != feed_import.pk:
            return _("The same content was imported since, as import #%(id)s.") % {"id": live.pk}
    return ""


def import_reprocess(
    *,
    feed_import: Import,
    by: User | None,
    now: dt.datetime,
    feed_type: str = "",
    context: AuditContext | None = None,
) -> Import:
    """Run the import's archived file again through the pipeline, on the same import (its feed
    type changed first when given); CDRs already stored stay as they are, never doubled, and CDRs
    of lines created since are rated."""
    if feed_type and feed_type not in FeedType.values:
        raise ApplicationError(_("Unknown feed type “%(type)s”.") % {"type": feed_type}, field="feed_type")
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=feed_import.pk)
        if refusal := import_reprocess_refusal(locked):
            raise ApplicationError(refusal)
        before = {"status": locked.status, "rows": locked.rows, "rejected": locked.rejected}
        RejectedRow.objects.filter(feed_import=locked).delete()
        locked.feed_type = feed_type or locked.feed_type
        locked.status = ImportStatus.RECEIVED
        locked.reason = ""
        locked.started_at = locked.finished_at = None
        for name in ("rows", "imported", "known", "corrected", "rejected", "unrated", "unknown_line"):
            setattr(locked, name, 0)
        locked.save()
    done = _process(locked, feed_type=None, by=by, now=now)
    rated = 0
    if done.feed_type in (FeedType.RATED, FeedType.BILLED) and done.status != ImportStatus.REJECTED:
        rated = cdr_rate_unknown_lines(by=by, now=now, context=context)
    audit_record(
        actor=by,
        action="feed_import.reprocessed",
        obj=done,
        changes={
            "before": before,
            "after": {"status": done.status, "rows": done.rows, "rejected": done.rejected},
            "unknown_lines_rated": rated,
        },
        context=context,
    )
    feed_import.refresh_from_db()
    return done
