"""The operator's snapshots (`AccountStatus` for SIMs and mobile lines, `Account_VGA` for fixed
numbers, shared/FORMATS.md): the operator's truth, read through the streaming reader.

A snapshot
- confirms the `sent` actions whose expected state it shows (an activation whose SIM is ACTIVE, a
  barring whose line is BARRED_OUT, a SIM swap whose new SIM carries the number…), through the same
  path as every backend's outcomes (`line_action_outcome_record` and its handlers), and applies the
  confirmed state to the line or number;
- sets each SIM's state to the operator's (keeping the platform's nuances: reserved, lost);
- lists every other difference between the platform and the operator as an `OperatorDisagreement`
  (a line the operator does not know, a state, a barring or an international profile that differs),
  and resolves the open ones this snapshot no longer shows;
- e-mails the new disagreements to the tenant's technical contact, once per snapshot.

Actions still unconfirmed after the tenant's `confirmation_timeout_hours` are flagged by
`line_actions_flag_unconfirmed` (a periodic task) as disagreements of their own ("unconfirmed").
"""

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from core.delimited import Column, FeedFileError, choice_reader, open_feed, text_reader
from core.errors import ApplicationError
from provisioning import checks
from provisioning.gateway import ActionOutcome
from provisioning.gateway.files import action_iccid, action_offer_code
from provisioning.models import (
    DisagreementSubject,
    FixedNumber,
    FixedNumberStatus,
    LineAction,
    LineActionKind,
    LineActionStatus,
    LineStatus,
    MobileLine,
    OperatorDisagreement,
    Sim,
    SimState,
)
from provisioning.selectors import provisioning_settings_get
from provisioning.services.alerts import operator_alert_send
from provisioning.services.lines import line_action_outcome_record

PARIS = ZoneInfo("Europe/Paris")
CHUNK = 1000


class SnapshotKind:
    MOBILE = "account_status"
    FIXED = "account_vga"
    ALL = (MOBILE, FIXED)


MOBILE_STATUSES = (
    "AVAILABLE",
    "ACTIVE",
    "SUSPENDED",
    "BARRED_IN",
    "BARRED_OUT",
    "BARRED_ALL",
    "TERMINATED",
    "PORT_IN_PENDING",
    "PORTED_OUT",
)
FIXED_STATUSES = ("ACTIVE", "SUSPENDED", "TERMINATED", "PORT_IN_PENDING")
INTERNATIONAL = ("NONE", "EUROPE", "WORLD")
# Operator states in which a line is in service (it carries traffic, possibly barred).
IN_SERVICE = ("ACTIVE", "BARRED_IN", "BARRED_OUT", "BARRED_ALL")
GONE = ("TERMINATED", "PORTED_OUT")


def _datetime(text: str) -> dt.datetime:
    """`YYYY-MM-DD HH:MM:SS` in Paris time, or ISO 8601 with an offset."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(_("a date and time like 2026-10-21 15:00:00 is expected")) from None
    return value if value.tzinfo else value.replace(tzinfo=PARIS)


def _checked(check: Any) -> Any:
    def parse(text: str) -> str:
        if reason := check(text):
            raise ValueError(reason)
        return text

    return parse


def _number(text: str) -> str:
    digits = text.replace(" ", "").lstrip("+")
    if not digits.isdigit():
        raise ValueError(_("a number has digits only"))
    # A French national number (`0612345678`, `0240323750`) in its international form.
    return "33" + digits[1:] if len(digits) == 10 and digits.startswith("0") else digits


MOBILE_COLUMNS = [
    Column("ICCID", _checked(checks.iccid_error), required=True, required_value=True),
    Column("IMSI", _checked(checks.imsi_error), required=True, required_value=True),
    Column("MSISDN", _number, default=""),
    Column("STATUS", choice_reader(MOBILE_STATUSES), required=True, required_value=True),
    Column("STATUS_DATE", _datetime, required=True, required_value=True),
    Column("OFFER_CODE", text_reader(max_length=60), default=""),
    Column("INTERNATIONAL", choice_reader(INTERNATIONAL), default=""),
]
FIXED_COLUMNS = [
    Column("LINE_NUMBER", _number, required=True, required_value=True),
    Column("STATUS", choice_reader(FIXED_STATUSES), required=True, required_value=True),
    Column("STATUS_DATE", _datetime, required=True, required_value=True),
    Column("OFFER_CODE", text_reader(max_length=60), default=""),
]


def snapshot_kind_of(filename: str) -> str:
    """The snapshot kind a feed file name announces (`AccountStatus_…`, `Account_VGA_…`)."""
    name = Path(filename).name
    if re.match(r"^Account_VGA_", name, re.IGNORECASE):
        return SnapshotKind.FIXED
    if re.match(r"^AccountStatus_", name, re.IGNORECASE):
        return SnapshotKind.MOBILE
    raise ApplicationError(
        _("%(name)s is neither an AccountStatus nor an Account_VGA file.") % {"name": name}, field="kind"
    )


@dataclass
class SnapshotResult:
    kind: str
    filename: str
    rows: int = 0
    rejected_rows: int = 0
    sims_updated: int = 0
    lines_updated: int = 0
    fixed_numbers_updated: int = 0
    actions_confirmed: int = 0
    disagreements_new: int = 0
    disagreements_open: int = 0
    disagreements_resolved: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Found:
    """A difference seen in this snapshot (the key is subject, identifier and attribute)."""

    subject: str
    identifier: str
    attribute: str
    platform_value: str
    operator_value: str
    sim: Sim | None = None
    line: MobileLine | None = None
    fixed_number: FixedNumber | None = None


# --- what the operator shows, and what each action expects --------------------------------------


def line_operator_status(line: MobileLine) -> str:
    """The platform's state of a line, in the operator's words."""
    if line.status == LineStatus.PENDING:
        return "PENDING"
    if line.status == LineStatus.TERMINATED:
        return "TERMINATED"
    if line.status == LineStatus.SUSPENDED:
        return "SUSPENDED"
    if line.barred_incoming and line.barred_outgoing:
        return "BARRED_ALL"
    if line.barred_incoming:
        return "BARRED_IN"
    if line.barred_outgoing:
        return "BARRED_OUT"
    return "ACTIVE"


def _line_agrees(platform: str, operator: str) -> bool:
    if platform == "PENDING":  # not yet activated: the operator may not have done it yet
        return operator in ("AVAILABLE", "PORT_IN_PENDING")
    if platform == "TERMINATED":
        return operator in (*GONE, "AVAILABLE")
    return platform == operator or (platform in GONE and operator in GONE)


def _shows_expected(action: LineAction, row: dict[str, Any]) -> bool:
    """Whether a snapshot row shows the state `action` asked for."""
    status = row["STATUS"]
    kind = action.kind
    params = action.parameters or {}
    if kind in (LineActionKind.ACTIVATE, LineActionKind.PORT_IN):
        return status in IN_SERVICE and row.get("ICCID", action_iccid(action)) == action_iccid(action)
    if kind == LineActionKind.SUSPEND:
        return status == "SUSPENDED"
    if kind == LineActionKind.BAR_INCOMING:
        return status in ("BARRED_IN", "BARRED_ALL")
    if kind == LineActionKind.BAR_OUTGOING:
        return status in ("BARRED_OUT", "BARRED_ALL")
    if kind == LineActionKind.BAR_ALL:
        return status == "BARRED_ALL"
    if kind == LineActionKind.REACTIVATE:
        barring = params.get("barring")
        if barring == "IN":
            return status in ("ACTIVE", "BARRED_OUT")
        if barring == "OUT":
            return status in ("ACTIVE", "BARRED_IN")
        return status == "ACTIVE"
    if kind == LineActionKind.TERMINATE:
        return status in GONE
    if kind == LineActionKind.SIM_SWAP:
        return row.get("ICCID") == str(params.get("new_iccid") or "") and status in IN_SERVICE
    if kind == LineActionKind.SET_INTERNATIONAL:
        return bool(row.get("INTERNATIONAL")) and row.get("INTERNATIONAL") == params.get("international")
    if kind == LineActionKind.CHANGE_OFFER:
        code = action_offer_code(action)
        return bool(code) and row.get("OFFER_CODE") == code
    return False


def _sim_state(sim: Sim, operator: str) -> str:
    """The SIM state the operator's status means, keeping the platform's own nuances."""
    if operator == "AVAILABLE":
        return sim.state if sim.state == SimState.RESERVED else SimState.AVAILABLE
    if operator in IN_SERVICE:
        return SimState.ACTIVE
    if operator == "SUSPENDED":
        return SimState.SUSPENDED
    if operator in GONE:
        return sim.state if sim.state == SimState.LOST else SimState.TERMINATED
    return sim.state if sim.state != SimState.AVAILABLE else SimState.RESERVED  # PORT_IN_PENDING


def _line_apply(line: MobileLine, row: dict[str, Any], *, today: dt.date) -> list[str]:
    """Give the line the operator's state (after an action of it was confirmed); the fields changed."""
    status = row["STATUS"]
    changes: dict[str, Any] = {}
    if status in IN_SERVICE:
        changes |= {
            "status": LineStatus.ACTIVE,
            "barred_incoming": status in ("BARRED_IN", "BARRED_ALL"),
            "barred_outgoing": status in ("BARRED_OUT", "BARRED_ALL"),
        }
        if line.activated_on is None:
            changes["activated_on"] = row["STATUS_DATE"].astimezone(PARIS).date()
    elif status == "SUSPENDED":
        changes["status"] = LineStatus.SUSPENDED
    elif status in GONE:
        changes["status"] = LineStatus.TERMINATED
        if line.terminated_on is None:
            changes["terminated_on"] = min(row["STATUS_DATE"].astimezone(PARIS).date(), today)
    if row.get("INTERNATIONAL"):
        changes["international"] = row["INTERNATIONAL"]
    changed = [name for name, value in changes.items() if getattr(line, name) != value]
    for name in changed:
        setattr(line, name, changes[name])
    if changed:
        line.save(update_fields=[*changed, "updated_at"])
    return changed


# --- reading ----------------------------------------------------------------------------------


def _chunks(reader: Iterable[Any], result: SnapshotResult) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row, errors in reader:
        if errors:
            result.rejected_rows += 1
            result.errors.extend(e.as_dict() for e in errors)
            continue
        result.rows += 1
        chunk.append(row.values)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sent_actions(query: Q) -> list[LineAction]:
    return list(
        LineAction.objects.filter(query, status=LineActionStatus.SENT)
        .select_related(
            "sim", "line__sim", "line__offer", "order_line__sim", "order_line__offer", "fixed_number"
        )
        .order_by("sent_at", "pk")
    )


def _confirm(action: LineAction, *, now: dt.datetime, result: SnapshotResult) -> bool:
    recorded = line_action_outcome_record(
        outcome=ActionOutcome(action_id=action.pk, confirmed=True, at=now), now=now
    )
    if recorded is not None:
        result.actions_confirmed += 1
    return recorded is not None


class _MobileSnapshot:
    def __init__(self, *, now: dt.datetime, result: SnapshotResult):
        self.now = now
        self.today = now.astimezone(PARIS).date()
        self.result = result
        self.found: list[Found] = []
        self.seen_iccids: set[str] = set()
        self.seen_msisdns: set[str] = set()

    def chunk(self, rows: list[dict[str, Any]]) -> None:
        iccids = [r["ICCID"] for r in rows]
        msisdns = [r["MSISDN"] for r in rows if r["MSISDN"]]
        self.seen_iccids.update(iccids)
        self.seen_msisdns.update(msisdns)
        sims = {s.iccid: s for s in Sim.objects.filter(iccid__in=iccids)}
        lines = list(
            MobileLine.objects.filter(Q(sim__in=list(sims.values())) | Q(msisdn__in=msisdns))
            .select_related("sim", "offer")
            .order_by("status", "-created_at")
        )
        by_sim: dict[int, MobileLine] = {}
        by_msisdn: dict[str, MobileLine] = {}
        for line in sorted(lines, key=lambda ln: ln.status == LineStatus.TERMINATED):  # live ones first
            if line.sim_id is not None:
                by_sim.setdefault(line.sim_id, line)
            by_msisdn.setdefault(line.msisdn, line)
        sim_ids = [s.pk for s in sims.values()]
        actions = _sent_actions(
            Q(sim_id__in=sim_ids)
            | Q(order_line__sim_id__in=sim_ids)
            | Q(line_id__in=[line.pk for line in lines])
        )
        for row in rows:
            sim = sims.get(row["ICCID"])
            found = (by_sim.get(sim.pk) if sim else None) or (
                by_msisdn.get(row["MSISDN"]) if row["MSISDN"] else None
            )
            self.row(row, sim=sim, line=found, actions=actions)

    def row(
        self, row: dict[str, Any], *, sim: Sim | None, line: MobileLine | None, actions: list[LineAction]
    ) -> None:
        status = row["STATUS"]
        mine = [
            a
            for a in actions
            if a.status == LineActionStatus.SENT
            and (
                (sim is not None and (a.sim_id == sim.pk or (a.order_line and a.order_line.sim_id == sim.pk)))
                or (line is not None and a.line_id == line.pk)
            )
        ]
        confirmed = False
        for action in mine:
            if _shows_expected(action, row) and _confirm(action, now=self.now, result=self.result):
                action.status = LineActionStatus.CONFIRMED
                confirmed = True
        if sim is not None:
            if confirmed:  # an outcome handler may have changed it
                sim.refresh_from_db(fields=["state"])
            state = _sim_state(sim, status)
            if state != sim.state:
                sim.state, sim.state_changed_at = state, row["STATUS_DATE"]
                sim.save(update_fields=["state", "state_changed_at", "updated_at"])
                self.result.sims_updated += 1
        if line is not None:
            if confirmed:
                line.refresh_from_db()
            # A confirmed action's line, or a pending line the operator shows in service, takes
            # the operator's state (an order whose line appears ACTIVE completes).
            applies = confirmed or (line.status == LineStatus.PENDING and status in IN_SERVICE)
            if applies and _line_apply(line, row, today=self.today):
                self.result.lines_updated += 1
            self.compare_line(row, line)
        elif status in IN_SERVICE or status == "SUSPENDED":
            self.found.append(
                Found(
                    DisagreementSubject.LINE,
                    row["MSISDN"] or row["ICCID"],
                    "presence",
                    "absent",
                    status,
                    sim=sim,
                )
            )
        if sim is None and status not in GONE:
            self.found.append(Found(DisagreementSubject.SIM, row["ICCID"], "presence", "absent", status))

    def compare_line(self, row: dict[str, Any], line: MobileLine) -> None:
        status = row["STATUS"]
        platform = line_operator_status(line)
        if not _line_agrees(platform, status):
            self.found.append(
                Found(DisagreementSubject.LINE, line.msisdn, "status", platform, status, line=line)
            )
        live = line.status in (LineStatus.ACTIVE, LineStatus.SUSPENDED)
        if live and row["INTERNATIONAL"] and row["INTERNATIONAL"] != line.international:
            self.found.append(
                Found(
                    DisagreementSubject.LINE,
                    line.msisdn,
                    "international",
                    line.international,
                    row["INTERNATIONAL"],
                    line=line,
                )
            )

    def finish(self) -> None:
        """Lines in service on the platform that the (complete) snapshot does not show."""
        live = MobileLine.objects.filter(status__in=(LineStatus.ACTIVE, LineStatus.SUSPENDED)).values_list(
            "pk", "msisdn", "sim__iccid"
        )
        missing = [
            pk
            for pk, msisdn, iccid in live.iterator(chunk_size=5000)
            if msisdn not in self.seen_msisdns and (not iccid or iccid not in self.seen_iccids)
        ]
        for line in MobileLine.objects.filter(pk__in=missing):
            self.found.append(
                Found(
                    DisagreementSubject.LINE,
                    line.msisdn,
                    "presence",
                    line_operator_status(line),
                    "absent",
                    line=line,
                )
            )


_FIXED_OPERATOR_STATUS: dict[str, str] = {
    FixedNumberStatus.ACTIVE: "ACTIVE",
    FixedNumberStatus.SUSPENDED: "SUSPENDED",
    FixedNumberStatus.TERMINATED: "TERMINATED",
}


def _fixed_operator_status(number: FixedNumber) -> str:
    return _FIXED_OPERATOR_STATUS.get(number.status, "AVAILABLE")


def _fixed_shows_expected(action: LineAction, row: dict[str, Any]) -> bool:
    status = row["STATUS"]
    if action.kind in (LineActionKind.ACTIVATE, LineActionKind.PORT_IN, LineActionKind.REACTIVATE):
        return status == "ACTIVE"
    if action.kind == LineActionKind.SUSPEND:
        return status == "SUSPENDED"
    if action.kind == LineActionKind.TERMINATE:
        return status == "TERMINATED"
    if action.kind == LineActionKind.CHANGE_OFFER:
        code = action_offer_code(action)
        return bool(code) and row.get("OFFER_CODE") == code
    return False


class _FixedSnapshot:
    def __init__(self, *, now: dt.datetime, result: SnapshotResult):
        self.now = now
        self.result = result
        self.found: list[Found] = []
        self.seen: set[str] = set()

    def chunk(self, rows: list[dict[str, Any]]) -> None:
        numbers = [r["LINE_NUMBER"] for r in rows]
        self.seen.update(numbers)
        fixed = {f.number: f for f in FixedNumber.objects.filter(number__in=numbers)}
        actions = _sent_actions(Q(fixed_number_id__in=[f.pk for f in fixed.values()]))
        for row in rows:
            number = fixed.get(row["LINE_NUMBER"])
            status = row["STATUS"]
            if number is None:
                if status != "TERMINATED":
                    self.found.append(
                        Found(DisagreementSubject.FIXED, row["LINE_NUMBER"], "presence", "absent", status)
                    )
                continue
            confirmed = False
            for action in actions:
                if action.fixed_number_id == number.pk and _fixed_shows_expected(action, row):
                    confirmed = _confirm(action, now=self.now, result=self.result) or confirmed
            number.refresh_from_db()
            target = {
                "ACTIVE": FixedNumberStatus.ACTIVE,
                "SUSPENDED": FixedNumberStatus.SUSPENDED,
                "TERMINATED": FixedNumberStatus.TERMINATED,
            }.get(status)
            if confirmed and target and number.status != target:
                number.status = target
                number.save(update_fields=["status", "updated_at"])
                self.result.fixed_numbers_updated += 1
            platform = _fixed_operator_status(number)
            agrees = platform == status or (platform == "AVAILABLE" and status == "TERMINATED")
            if not agrees:
                self.found.append(
                    Found(
                        DisagreementSubject.FIXED,
                        number.number,
                        "status",
                        platform,
                        status,
                        fixed_number=number,
                    )
                )

    def finish(self) -> None:
        live = FixedNumber.objects.filter(status__in=(FixedNumberStatus.ACTIVE, FixedNumberStatus.SUSPENDED))
        for number in live.exclude(number__in=self.seen).iterator(chunk_size=2000):
            self.found.append(
                Found(
                    DisagreementSubject.FIXED,
                    number.number,
                    "presence",
                    _fixed_operator_status(number),
                    "absent",
                    fixed_number=number,
                )
            )


def _record_disagreements(
    found: list[Found], *, subjects: Iterable[str], snapshot: str, now: dt.datetime, result: SnapshotResult
) -> list[OperatorDisagreement]:
    """Create the new differences, refresh the open ones still seen, resolve the others."""
    open_rows = {
        (d.subject, d.identifier, d.attribute): d
        for d in OperatorDisagreement.objects.filter(
            resolved_at__isnull=True, subject__in=list(subjects)
        ).exclude(attribute="unconfirmed")
    }
    new: list[OperatorDisagreement] = []
    still: set[int] = set()
    for item in {(f.subject, f.identifier, f.attribute): f for f in found}.values():
        key = (item.subject, item.identifier, item.attribute)
        existing = open_rows.get(key)
        if existing is not None:
            still.add(existing.pk)
            if (existing.platform_value, existing.operator_value) != (
                item.platform_value,
                item.operator_value,
            ):
                existing.platform_value, existing.operator_value = item.platform_value, item.operator_value
                existing.snapshot = snapshot
                existing.save(update_fields=["platform_value", "operator_value", "snapshot"])
            continue
        new.append(
            OperatorDisagreement(
                subject=item.subject,
                identifier=item.identifier[:20],
                sim=item.sim,
                line=item.line,
                fixed_number=item.fixed_number,
                attribute=item.attribute,
                platform_value=item.platform_value[:100],
                operator_value=item.operator_value[:100],
                snapshot=snapshot[:255],
                seen_at=now,
            )
        )
    OperatorDisagreement.objects.bulk_create(new, batch_size=1000)
    gone = [d.pk for d in open_rows.values() if d.pk not in still]
    result.disagreements_resolved += OperatorDisagreement.objects.filter(pk__in=gone).update(resolved_at=now)
    result.disagreements_new = len(new)
    result.disagreements_open = OperatorDisagreement.objects.filter(
        resolved_at__isnull=True, subject__in=list(subjects)
    ).count()
    return new


def _unconfirmed_resolve(*, now: dt.datetime) -> int:
    """Resolve the "unconfirmed" flags whose action has had its answer since."""
    flags = OperatorDisagreement.objects.filter(resolved_at__isnull=True, attribute="unconfirmed")
    answered = []
    for pk, value in flags.values_list("pk", "platform_value"):
        action_id = value.rsplit("#", 1)[-1]
        if (
            not action_id.isdigit()
            or not LineAction.objects.filter(pk=int(action_id), status=LineActionStatus.SENT).exists()
        ):
            answered.append(pk)
    return OperatorDisagreement.objects.filter(pk__in=answered).update(resolved_at=now)


def snapshot_import(
    *,
    source: bytes | str | Path | IO[bytes],
    filename: str = "",
    kind: str = "",
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> SnapshotResult:
    """Import an operator snapshot (`kind` from the file name when not given): confirm the sent
    actions it shows done, update SIM, line and number states, list the disagreements.

    A faulty row is kept with its line and reason (the others are imported); a faulty file (header,
    trailer) is refused whole. New disagreements are e-mailed once to the technical contact.
    """
    if isinstance(source, str | Path):
        filename = filename or Path(source).name
    kind = kind or snapshot_kind_of(filename)
    if kind not in SnapshotKind.ALL:
        raise ApplicationError(_("Unknown snapshot kind %(kind)s.") % {"kind": kind}, field="kind")
    result = SnapshotResult(kind=kind, filename=filename)
    mobile = kind == SnapshotKind.MOBILE
    subjects = (DisagreementSubject.SIM, DisagreementSubject.LINE) if mobile else (DisagreementSubject.FIXED,)
    handler: _MobileSnapshot | _FixedSnapshot = (
        _MobileSnapshot(now=now, result=result) if mobile else _FixedSnapshot(now=now, result=result)
    )
    try:
        with transaction.atomic():
            with open_feed(
                source, columns=MOBILE_COLUMNS if mobile else FIXED_COLUMNS, filename=filename
            ) as reader:
                for chunk in _chunks(reader, result):
                    handler.chunk(chunk)
            handler.finish()
            new = _record_disagreements(
                handler.found, subjects=subjects, snapshot=filename, now=now, result=result
            )
            result.disagreements_resolved += _unconfirmed_resolve(now=now)
            audit_record(
                actor=by,
                action="operator_snapshot.imported",
                object_type="provisioning.operatordisagreement",
                object_repr=filename or kind,
                changes={k: v for k, v in result.as_dict().items() if k != "errors"}
                | {"errors": result.errors[:50]},
                context=context,
            )
            operator_alert_send(disagreements=new)
    except FeedFileError as exc:
        raise ApplicationError(
            _("The snapshot %(name)s was refused, nothing was imported: %(reason)s")
            % {"name": filename or kind, "reason": exc},
            extra={"errors": [e.as_dict() for e in exc.errors]},
        ) from exc
    return result


def line_actions_flag_unconfirmed(*, now: dt.datetime, by: User | None = None) -> list[OperatorDisagreement]:
    """Flag (as "unconfirmed" disagreements) the actions sent longer ago than the tenant's
    confirmation timeout and still unanswered; each is flagged once, and its flag resolved when
    the answer comes. The new flags are e-mailed once to the technical contact."""
    hours = provisioning_settings_get().confirmation_timeout_hours
    with transaction.atomic():
        _unconfirmed_resolve(now=now)
        flagged = set(
            OperatorDisagreement.objects.filter(
                resolved_at__isnull=True, attribute="unconfirmed"
            ).values_list("platform_value", flat=True)
        )
        late = (
            LineAction.objects.filter(
                status=LineActionStatus.SENT, sent_at__lte=now - dt.timedelta(hours=hours)
            )
            .select_related("sim", "line", "fixed_number", "order_line__sim")
            .order_by("sent_at", "pk")
        )
        new = []
        for action in late.iterator(chunk_size=2000):
            value = f"{action.kind} #{action.pk}"
            if value in flagged:
                continue
            if action.fixed_number is not None:
                subject, identifier = DisagreementSubject.FIXED, action.fixed_number.number
            elif action.line is not None:
                subject, identifier = DisagreementSubject.LINE, action.line.msisdn
            else:
                subject, identifier = DisagreementSubject.SIM, action_iccid(action) or f"#{action.pk}"
            new.append(
                OperatorDisagreement(
                    subject=subject,
                    identifier=identifier[:20],
                    sim=action.sim,
                    line=action.line,
                    fixed_number=action.fixed_number,
                    attribute="unconfirmed",
                    platform_value=value,
                    operator_value="",
                    snapshot=action.batch_reference,
                    seen_at=now,
                )
            )
        OperatorDisagreement.objects.bulk_create(new, batch_size=1000)
        if new:
            audit_record(
                actor=by,
                action="line_action.unconfirmed",
                object_type="provisioning.lineaction",
                object_repr=str(len(new)),
                changes={
                    "count": len(new),
                    "timeout_hours": hours,
                    "ids": [d.platform_value for d in new][:100],
                },
            )
            operator_alert_send(disagreements=new)
    return new
