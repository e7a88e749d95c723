"""Bounce reports: a delivery-status notification (RFC 3464, `multipart/report;
report-type=delivery-status`) that the recipient's server sends back, read from an uploaded `.eml`
file or from a Maildir folder (`manage.py billing_bounces`), matched to the invoice e-mail by the
Message-ID we gave it (`services_mail.message_id_make`), which the report quotes: that e-mail
becomes "bounced" with the server's reason. Only "failed" recipients count (a "delayed" or
"delivered" report changes nothing); a report of an e-mail of another tenant, or of none, matches
nothing (the ids are looked up in the current schema, and carry a random part)."""

import email
import email.policy
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from billing.models import EmailStatus, InvoiceEmail
from billing.services_mail import email_mark_bounced
from core.errors import ApplicationError

MAX_REPORT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Bounce:
    message_id: str
    recipient: str
    status: str
    diagnostic: str

    @property
    def reason(self) -> str:
        return " ".join(part for part in (self.status, self.diagnostic) if part)[:500]


@dataclass
class BounceResult:
    bounced: list[str] = field(default_factory=list)  # addresses now marked bounced
    already: list[str] = field(default_factory=list)  # bounced before (the same report twice)
    unknown: list[str] = field(default_factory=list)  # reports of no e-mail of ours
    not_reports: list[str] = field(default_factory=list)  # files that are no delivery report

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in ("bounced", "already", "unknown", "not_reports")}


def _header(message: Message, name: str) -> str:
    value = message.get(name, "")
    return " ".join(str(value).split())


def _original_message_id(report: Message) -> str:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return _header(inner[0], "Message-ID")
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True) or b""
            headers = email.message_from_bytes(bytes(text), policy=email.policy.compat32)
            return _header(headers, "Message-ID")
    return ""


def bounce_parse(data: bytes) -> list[Bounce]:
    """The failed recipients of a delivery report; ApplicationError when `data` is none."""
    if len(data) > MAX_REPORT_BYTES:
        raise ApplicationError(_("This file is too large for a bounce report (at most 5 MB)."), field="files")
    try:
        report = email.message_from_bytes(data, policy=email.policy.compat32)
        if report.get_content_type() != "multipart/report":
            raise ValueError("not a report")
        message_id = _original_message_id(report)
        bounces = []
        for part in report.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message) or _header(block, "Action").lower() != "failed":
                    continue
                recipient = _header(block, "Final-Recipient") or _header(block, "Original-Recipient")
                bounces.append(
                    Bounce(
                        message_id=message_id,
                        recipient=recipient.split(";", 1)[-1].strip()[:254],
                        status=_header(block, "Status")[:20],
                        diagnostic=(_header(block, "Diagnostic-Code").split(";", 1)[-1].strip())[:400],
                    )
                )
    except (ValueError, TypeError, LookupError, AttributeError, UnicodeError):
        bounces = None  # type: ignore[assignment]
    if bounces is None or not bounces and not message_id:
        raise ApplicationError(_("This file is not a bounce report (delivery status)."), field="files")
    return bounces


def bounces_record(
    *,
    files: list[tuple[str, bytes]],
    by: User | None,
    context: AuditContext | None = None,
) -> BounceResult:
    """Read each report and mark the e-mail it names as bounced (audited per e-mail)."""
    result = BounceResult()
    for name, data in files:
        try:
            bounces = bounce_parse(data)
        except ApplicationError:
            result.not_reports.append(name)
            continue
        for bounce in bounces:
            sent = (
                InvoiceEmail.objects.filter(message_id=bounce.message_id).first()
                if bounce.message_id
                else None
            )
            if sent is None:
                result.unknown.append(bounce.recipient or name)
            elif sent.status == EmailStatus.BOUNCED:
                result.already.append(sent.to)
            elif sent.status == EmailStatus.SENT:
                email_mark_bounced(
                    email=sent, by=by, reason=bounce.reason or _("Returned by the recipient's server."),
                    context=context,
                )  # fmt: skip
                result.bounced.append(sent.to)
            else:
                result.unknown.append(bounce.recipient or name)
    return result


def maildir_bounces_read(*, folder: Path, by: User | None = None) -> BounceResult:
    """Read the reports waiting in a Maildir folder (`new/`), then move each to `cur/` (read
    once). Files that are no report are moved too, and counted."""
    new, cur = folder / "new", folder / "cur"
    cur.mkdir(parents=True, exist_ok=True)
    total = BounceResult()
    for path in sorted(new.iterdir()) if new.is_dir() else []:
        if not path.is_file():
            continue
        one = bounces_record(files=[(path.name, path.read_bytes()[: MAX_REPORT_BYTES + 1])], by=by)
        for name in ("bounced", "already", "unknown", "not_reports"):
            getattr(total, name).extend(getattr(one, name))
        path.rename(cur / f"{path.name}:2,S")
    return total
