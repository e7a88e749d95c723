"""Actions on mobile lines (one or in bulk) and their course at the operator.

Each action is a `LineAction`, requested → sent → confirmed | failed (reason). This module is the
one path every action takes, whoever asked for it (a page, the API, a line order, the strict
balance policy, a bulk job):

- `line_actions_submit` hands the still-requested actions to the tenant's operator gateway
  (`provisioning.gateway.operator_gateway`: the simulator or the order files) and marks them sent;
- `line_action_outcome_record` records the operator's answer on a sent action, once, and runs the
  outcome handlers registered with `provisioning.gateway.outcome_handler_register` (the line
  changes here, in `line_action_apply`; an order's line is activated by the orders' handler);
- `line_actions_poll` asks the gateway for its answers (the simulator's verdicts, the platform-only
  actions of the files backend) and e-mails the refusals to the tenant's technical contact; the
  files backend's confirmations come from the operator's snapshots (`services.snapshots`), through
  the same `line_action_outcome_record`.
"""

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record, audit_record_many
from core.errors import ApplicationError
from core.text import name_check
from customers.models import Customer
from jobs.services import job_create
from offers.models import Offer
from offers.termination import early_termination_fee
from provisioning.checks import msisdn_international
from provisioning.gateway import ActionOutcome, OperatorGateway, operator_gateway, outcome_handlers
from provisioning.models import (
    InternationalProfile,
    LineAction,
    LineActionKind,
    LineActionStatus,
    LineStatus,
    MobileLine,
    Sim,
    SimState,
)
from provisioning.selectors import provisioning_settings_get
from provisioning.services.alerts import operator_alert_send

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# At most this many actions go in one hand-over to the operator (one order file).
SUBMIT_SIZE = 10_000
BULK_KINDS = (
    LineActionKind.BAR_INCOMING,
    LineActionKind.BAR_OUTGOING,
    LineActionKind.BAR_ALL,
    LineActionKind.REACTIVATE,
    LineActionKind.TERMINATE,
)
LIVE = (LineStatus.ACTIVE, LineStatus.SUSPENDED)
OPEN = (LineActionStatus.REQUESTED, LineActionStatus.SENT)
# The audit code of each kind of action on one line (labelled in provisioning/labels.py).
AUDIT_ACTIONS: dict[str, str] = {kind: "line." + kind for kind in LineActionKind.values}


def tenant_gateway() -> OperatorGateway:
    """The operator gateway the tenant's provisioning settings choose."""
    return operator_gateway(provisioning_settings_get())


# --- the course of an action at the operator ----------------------------------------------------


def line_actions_submit(
    *,
    actions: Sequence[LineAction],
    now: dt.datetime,
    by: User | None = None,
    gateway: OperatorGateway | None = None,
    context: AuditContext | None = None,
) -> list[LineAction]:
    """Hand the still-requested ones of `actions` to the operator and mark them sent.

    The actions are taken with a lock (skipping those another worker holds), so an action is sent
    once; when the gateway fails, the transaction rolls back and they stay requested (the next
    `line_actions_poll` hands them over again). Returns the actions taken.
    """
    ids = [a.pk for a in actions]
    if not ids:
        return []
    gateway = gateway or tenant_gateway()
    with transaction.atomic():
        taken = list(
            LineAction.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=LineActionStatus.REQUESTED)
            .order_by("pk")
        )
        if not taken:
            return []
        gateway.submit(taken, now=now)
        LineAction.objects.filter(pk__in=[a.pk for a in taken]).update(
            status=LineActionStatus.SENT, sent_at=now
        )
        for action in taken:
            action.status, action.sent_at = LineActionStatus.SENT, now
        audit_record(
            actor=by,
            action="line_action.sent",
            object_type="provisioning.lineaction",
            object_repr=taken[0].batch_reference or str(taken[0]),
            changes={"gateway": gateway.name, "count": len(taken), "ids": [a.pk for a in taken][:1000]},
            context=context,
        )
    # The caller's objects follow (a page shows the action it just requested as sent).
    sent = {a.pk: a for a in taken}
    for action in actions:
        if action.pk in sent:
            action.status, action.sent_at = LineActionStatus.SENT, now
            action.batch_reference = sent[action.pk].batch_reference
    return taken


def line_action_outcome_record(*, outcome: ActionOutcome, now: dt.datetime) -> LineAction | None:
    """Record the operator's answer on a sent action (confirmed, or failed with its reason) and run
    the outcome handlers (which apply it). Only a sent action takes an outcome: a second answer for
    the same action changes nothing and returns None."""
    with transaction.atomic():
        action = (
            LineAction.objects.select_for_update(of=("self",))
            .select_related("line", "fixed_number")
            .filter(pk=outcome.action_id, status=LineActionStatus.SENT)
            .first()
        )
        if action is None:
            return None
        if outcome.confirmed:
            action.status, action.confirmed_at = LineActionStatus.CONFIRMED, outcome.at
        else:
            action.status, action.failed_at = LineActionStatus.FAILED, outcome.at
            action.failure_reason = outcome.reason
        action.save(update_fields=["status", "confirmed_at", "failed_at", "failure_reason"])
        changes: dict[str, Any] = {"kind": action.kind}
        if action.line is not None:
            changes["line"] = action.line.msisdn
        elif action.fixed_number is not None:
            changes["number"] = action.fixed_number.number
        if outcome.reason:
            changes["reason"] = outcome.reason
        audit_record(
            actor=None,
            action="line_action.confirmed" if outcome.confirmed else "line_action.failed",
            obj=action,
            changes=changes,
        )
        for handler in outcome_handlers():
            handler(action, now)
    return action


def line_actions_poll(*, now: dt.datetime, gateway: OperatorGateway | None = None) -> list[LineAction]:
    """Hand over again the actions a failing gateway left requested, then ask the operator for the
    outcomes of the sent ones and record them; the refusals go in one e-mail to the technical
    contact. Returns the actions whose outcome was recorded."""
    gateway = gateway or tenant_gateway()
    left = list(
        LineAction.objects.filter(status=LineActionStatus.REQUESTED, requested_at__lte=now).order_by("pk")[
            :BATCH_SIZE
        ]
    )
    if left:
        try:
            line_actions_submit(actions=left, now=now, gateway=gateway)
        except ApplicationError as exc:  # the link is still down: they stay requested, retried next time
            logger.warning(
                "operator link: %s requested action(s) not handed over: %s", len(left), exc.message
            )
    recorded = []
    for outcome in gateway.poll(now=now):
        action = line_action_outcome_record(outcome=outcome, now=now)
        if action is not None:
            recorded.append(action)
    operator_alert_send(failed=[a for a in recorded if a.status == LineActionStatus.FAILED])
    return recorded


# --- helpers ------------------------------------------------------------------------------------


def _check_live(line: MobileLine) -> None:
    if line.status not in LIVE:
        raise ApplicationError(
            _("The line %(msisdn)s is %(status)s: no action is possible on it.")
            % {"msisdn": line.msisdn, "status": line.get_status_display()}
        )
    if line.actions.filter(kind=LineActionKind.TERMINATE, status__in=OPEN).exists():
        raise ApplicationError(
            _("The line %(msisdn)s is being terminated: no other action is possible.")
            % {"msisdn": line.msisdn}
        )


def line_action_request(
    *,
    line: MobileLine,
    kind: str,
    by: User | None,
    now: dt.datetime,
    parameters: dict[str, Any] | None = None,
    effective_date: dt.date | None = None,
    context: AuditContext | None = None,
) -> LineAction:
    """Record an action on a live line, audit it and hand it to the operator."""
    _check_live(line)
    action = LineAction.objects.create(
        line=line,
        sim=line.sim,
        kind=kind,
        parameters=parameters or {},
        requested_by=by,
        requested_at=now,
        effective_date=effective_date,
    )
    audit_record(
        actor=by,
        action=AUDIT_ACTIONS[kind],
        obj=line,
        changes={"action": action.pk, **(parameters or {})},
        context=context,
    )
    line_actions_submit(actions=[action], now=now)
    return action


# --- one line -----------------------------------------------------------------------------------


def line_rename(
    *,
    line: MobileLine,
    user_name: str,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> LineAction:
    """Change the line user's name (the operator's character rule applies)."""
    name = name_check(user_name, field="user_name")
    return line_action_request(
        line=line, kind=LineActionKind.RENAME, parameters={"user_name": name}, by=by, now=now, context=context
    )


def line_international_set(
    *, line: MobileLine, profile: str, by: User | None, now: dt.datetime, context: AuditContext | None = None
) -> LineAction:
    """Change the line's international profile."""
    if profile not in InternationalProfile.values:
        raise ApplicationError(_("Unknown international profile."), field="profile")
    if profile == line.international:
        raise ApplicationError(_("The line already has this international profile."), field="profile")
    return line_action_request(
        line=line,
        kind=LineActionKind.SET_INTERNATIONAL,
        parameters={"international": profile},
        by=by,
        now=now,
        context=context,
    )


def line_bar(
    *,
    line: MobileLine,
    kind: str,
    by: User | None,
    now: dt.datetime,
    reason: str = "",
    context: AuditContext | None = None,
) -> LineAction:
    """Bar the line's incoming calls, outgoing calls or both."""
    if kind not in (LineActionKind.BAR_INCOMING, LineActionKind.BAR_OUTGOING, LineActionKind.BAR_ALL):
        raise ApplicationError(_("Unknown barring."), field="kind")
    return line_action_request(
        line=line, kind=kind, parameters={"reason": reason} if reason else {}, by=by, now=now, context=context
    )


def line_reactivate(
    *,
    line: MobileLine,
    by: User | None,
    now: dt.datetime,
    reason: str = "",
    context: AuditContext | None = None,
) -> LineAction:
    """Lift every barring of the line and put it back in service."""
    if line.status == LineStatus.ACTIVE and not (line.barred_incoming or line.barred_outgoing):
        raise ApplicationError(_("The line %(msisdn)s is not barred.") % {"msisdn": line.msisdn})
    return line_action_request(
        line=line,
        kind=LineActionKind.REACTIVATE,
        parameters={"reason": reason} if reason else {},
        by=by,
        now=now,
        context=context,
    )


def _months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def line_termination_fee(*, line: MobileLine, today: dt.date) -> Decimal:
    """The early-termination fee (excl. VAT) due if the line ended today, by its offer's rule."""
    if not line.commitment_months or line.activated_on is None:
        return Decimal("0.00")
    if line.commitment_end is not None and today >= line.commitment_end:
        return Decimal("0.00")
    return early_termination_fee(
        monthly_price=line.offer.price,
        commitment_months=line.commitment_months,
        months_elapsed=_months_between(line.activated_on, today),
        rule=line.offer.termination_rule,
    )


def line_terminate(
    *,
    line: MobileLine,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    fee_shown: Decimal | None = None,
    context: AuditContext | None = None,
) -> LineAction:
    """End the line for good. `fee_shown` is the fee the user confirmed: it must still be the fee."""
    fee = line_termination_fee(line=line, today=today)
    if fee_shown is not None and fee_shown != fee:
        raise ApplicationError(
            _("The early-termination fee changed to %(fee)s €: confirm again.") % {"fee": fee}
        )
    return line_action_request(
        line=line,
        kind=LineActionKind.TERMINATE,
        parameters={"fee": str(fee)},
        effective_date=today,
        by=by,
        now=now,
        context=context,
    )


def line_offer_change(
    *,
    line: MobileLine,
    offer: Offer,
    effective_date: dt.date,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    context: AuditContext | None = None,
) -> LineAction:
    """Move the line to another offer from `effective_date` (today or later, like an activation)."""
    if offer.archived:
        raise ApplicationError(_("This offer is archived."), field="offer")
    if offer.pk == line.offer_id:
        raise ApplicationError(_("The line already has this offer."), field="offer")
    if effective_date < today:
        raise ApplicationError(_("The effective date cannot be in the past."), field="effective_date")
    return line_action_request(
        line=line,
        kind=LineActionKind.CHANGE_OFFER,
        parameters={"offer_id": offer.pk, "offer": offer.code},
        effective_date=effective_date,
        by=by,
        now=now,
        context=context,
    )


def line_sim_swap(
    *,
    line: MobileLine,
    msisdn: str,
    new_iccid: str,
    old_sim_state: str,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> LineAction:
    """Put a new SIM of the stock in the line; the old one becomes terminated or lost."""
    if not (msisdn or "").strip().startswith("+"):
        raise ApplicationError(_("Give the MSISDN in international form (+33…)."), field="msisdn")
    if msisdn_international(msisdn) != msisdn_international(line.msisdn):
        raise ApplicationError(_("This MSISDN is not the line's number."), field="msisdn")
    if old_sim_state not in (SimState.TERMINATED, SimState.LOST):
        raise ApplicationError(_("The old SIM becomes terminated or lost."), field="old_sim_state")
    with transaction.atomic():
        taken = Sim.objects.filter(iccid=(new_iccid or "").strip(), state=SimState.AVAILABLE).update(
            state=SimState.RESERVED, state_changed_at=now
        )
        if not taken:
            raise ApplicationError(
                _("The SIM %(iccid)s is not available in the stock.") % {"iccid": new_iccid},
                field="new_iccid",
            )
        return line_action_request(
            line=line,
            kind=LineActionKind.SIM_SWAP,
            parameters={
                "new_iccid": new_iccid.strip(),
                "old_iccid": line.sim.iccid if line.sim else "",
                "old_sim_state": old_sim_state,
            },
            by=by,
            now=now,
            context=context,
        )


def line_move(
    *,
    line: MobileLine,
    customer: Customer,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> LineAction:
    """Move the line to another customer of the tenant."""
    if customer.pk == line.customer_id:
        raise ApplicationError(_("The line already belongs to this customer."), field="customer")
    if customer.is_archived:
        raise ApplicationError(_("This customer is archived."), field="customer")
    return line_action_request(
        line=line,
        kind=LineActionKind.MOVE,
        parameters={"customer_id": customer.pk, "customer": customer.number},
        by=by,
        now=now,
        context=context,
    )


# --- the operator's answer ----------------------------------------------------------------------


def line_action_apply(action: LineAction, now: dt.datetime) -> None:
    """Apply a confirmed action to its line (and SIMs). Other outcomes change nothing here, except
    that a refused SIM swap gives its new SIM back to the stock."""
    line = action.line
    if line is None:
        return
    params = action.parameters or {}
    if action.status == LineActionStatus.FAILED:
        if action.kind == LineActionKind.SIM_SWAP:
            Sim.objects.filter(iccid=params.get("new_iccid", ""), state=SimState.RESERVED).update(
                state=SimState.AVAILABLE, state_changed_at=now
            )
        return
    if action.status != LineActionStatus.CONFIRMED:
        return
    line = MobileLine.objects.select_for_update().get(pk=line.pk)
    sim_state = ""
    kind = action.kind
    if kind == LineActionKind.RENAME:
        line.user_name = params["user_name"]
    elif kind == LineActionKind.SET_INTERNATIONAL:
        line.international = params["international"]
    elif kind == LineActionKind.BAR_INCOMING:
        line.barred_incoming = True
    elif kind == LineActionKind.BAR_OUTGOING:
        line.barred_outgoing = True
    elif kind in (LineActionKind.BAR_ALL, LineActionKind.SUSPEND):
        line.barred_incoming = line.barred_outgoing = True
        line.status, sim_state = LineStatus.SUSPENDED, SimState.SUSPENDED
    elif kind == LineActionKind.REACTIVATE:
        line.barred_incoming = line.barred_outgoing = False
        line.status, sim_state = LineStatus.ACTIVE, SimState.ACTIVE
    elif kind == LineActionKind.TERMINATE:
        line.status, sim_state = LineStatus.TERMINATED, SimState.TERMINATED
        line.terminated_on = action.effective_date or timezone.localdate(now)
    elif kind == LineActionKind.CHANGE_OFFER:
        offer = Offer.objects.get(pk=params["offer_id"])
        line.offer, line.rate_table = offer, offer.default_rate_table
    elif kind == LineActionKind.MOVE:
        line.customer_id = params["customer_id"]
    elif kind == LineActionKind.SIM_SWAP:
        new_sim = Sim.objects.get(iccid=params["new_iccid"])
        if line.sim_id:
            Sim.objects.filter(pk=line.sim_id).update(state=params["old_sim_state"], state_changed_at=now)
        line.sim = new_sim
        Sim.objects.filter(pk=new_sim.pk).update(state=SimState.ACTIVE, state_changed_at=now)
    line.save()
    if sim_state and line.sim_id:
        Sim.objects.filter(pk=line.sim_id).update(state=sim_state, state_changed_at=now)


# --- many lines ---------------------------------------------------------------------------------


def _bulk_lines(line_ids: Iterable[int], kind: str) -> Any:
    lines = MobileLine.objects.filter(pk__in=list(line_ids), status__in=LIVE)
    if kind == LineActionKind.REACTIVATE:
        return lines.exclude(status=LineStatus.ACTIVE, barred_incoming=False, barred_outgoing=False)
    if kind == LineActionKind.BAR_OUTGOING:
        return lines.filter(barred_outgoing=False)
    if kind == LineActionKind.BAR_INCOMING:
        return lines.filter(barred_incoming=False)
    return lines


def line_actions_bulk(
    *,
    line_ids: Sequence[int],
    kind: str,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    parameters: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    submit_size: int = SUBMIT_SIZE,
) -> tuple[str, int]:
    """Request `kind` on every live line among `line_ids`: the actions are recorded `batch_size`
    at a time (one insert and one audit event per batch, each committed, the progress told), then
    handed to the operator `submit_size` at a time (one order file, one "sent" audit event each:
    10,000 lines make one file). Actions a failure left requested are handed over again by
    `line_actions_poll`. Returns the batch reference and the number of actions."""
    if kind not in BULK_KINDS:
        raise ApplicationError(_("This action cannot be applied to several lines at once."), field="kind")
    reference = f"BULK-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    ids = sorted(set(line_ids))
    gateway = tenant_gateway()
    pending: list[LineAction] = []
    count = 0

    def submit(actions: list[LineAction]) -> None:
        for start in range(0, len(actions), submit_size):
            line_actions_submit(actions=actions[start : start + submit_size], now=now, by=by, gateway=gateway)

    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        recorded = _bulk_batch_record(
            line_ids=chunk, kind=kind, by=by, now=now, today=today, parameters=parameters, reference=reference
        )
        pending += recorded
        count += len(recorded)
        done = start + len(chunk)
        if done == len(ids):
            break  # the last step is told once the actions are handed over
        while len(pending) >= submit_size:  # a full hand-over: one order file of submit_size
            submit(pending[:submit_size])
            pending = pending[submit_size:]
        if progress is not None:
            progress(done, len(ids))
    submit(pending)
    if progress is not None:
        progress(len(ids), len(ids))
    return reference, count


def _bulk_batch_record(
    *,
    line_ids: Sequence[int],
    kind: str,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    parameters: dict[str, Any] | None,
    reference: str,
    audit_each: bool = False,
    context: AuditContext | None = None,
) -> list[LineAction]:
    """Record (requested, committed) the actions of one batch of a bulk action and audit them.

    One `INSERT … SELECT` from the batch's live lines (the same filter the ORM query states), the
    ids coming back with RETURNING: no row goes through Python on its way in. The audit is one
    event for the batch, or (`audit_each`) the one-line action's event for each line, in one insert."""
    lines = (
        _bulk_lines(line_ids, kind)
        .exclude(
            Exists(
                LineAction.objects.filter(
                    line_id=OuterRef("pk"), kind=LineActionKind.TERMINATE, status__in=OPEN
                )
            )
        )
        .order_by("pk")
        .values("pk", "sim_id")
    )
    select, select_params = lines.query.sql_with_params()
    values = {
        "kind": kind,
        "parameters": json.dumps(parameters or {}),
        "status": LineActionStatus.REQUESTED.value,
        "failure_reason": "",
        "requested_by_id": by.pk if by is not None else None,
        "requested_at": now,
        "batch_reference": reference,
        "effective_date": today if kind == LineActionKind.TERMINATE else None,
    }
    columns = ", ".join(f'"{name}"' for name in ["line_id", "sim_id", *values])
    constants = ", ".join(["%s::jsonb" if name == "parameters" else "%s" for name in values])
    table = LineAction._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            insert = f'INSERT INTO "{table}" ({columns}) SELECT chosen.pk, chosen.sim_id, {constants} '
            insert += f"FROM ({select}) AS chosen RETURNING id, line_id, sim_id"  # noqa: S608 (our SQL)
            cursor.execute(insert, [*values.values(), *select_params])
            created = sorted(cursor.fetchall())
        actions = [
            LineAction(
                pk=pk,
                line_id=line_id,
                sim_id=sim_id,
                **{name: value for name, value in values.items() if name != "parameters"},
                parameters=parameters or {},
            )
            for pk, line_id, sim_id in created
        ]
        if kind == LineActionKind.TERMINATE:
            by_line = MobileLine.objects.select_related("offer").in_bulk([a.line_id for a in actions])
            for action in actions:
                fee = line_termination_fee(line=by_line[action.line_id], today=today)
                action.parameters = {**(parameters or {}), "fee": str(fee)}
            LineAction.objects.bulk_update(actions, ["parameters"], batch_size=len(actions) or 1)
        if audit_each:
            lines_by_id = MobileLine.objects.only("pk", "msisdn").in_bulk([a.line_id for a in actions])
            audit_record_many(
                actor=by,
                action=AUDIT_ACTIONS[kind],
                objects=[
                    (lines_by_id[a.line_id], {"action": a.pk, "batch": reference, **(parameters or {})})
                    for a in actions
                ],
                context=context,
            )
        else:
            audit_record(
                actor=by,
                action="line.bulk_requested",
                object_type="provisioning.mobileline",
                object_repr=reference,
                changes={"kind": kind, "count": len(actions), "lines": [a.line_id for a in actions][:1000]},
            )
    return actions


def lines_bar_at_once(
    *,
    line_ids: Sequence[int],
    kind: str,
    by: User | None,
    now: dt.datetime,
    reason: str = "",
    context: AuditContext | None = None,
    submit_size: int = SUBMIT_SIZE,
) -> dict[int, LineAction]:
    """Bar many lines within the caller's transaction (an import's roaming-cap barrings): the one
    path of line actions, set-based. The live lines among `line_ids` not barred that way yet and not
    being terminated get their action recorded in one insert, each audited like `line_bar` (the
    events in one insert), then, once the caller commits, handed to the operator `submit_size` at a
    time (one order file).
    A failing gateway leaves them requested (`line_actions_poll` hands them over again) without
    undoing the caller's work. Returns the actions by line id."""
    if kind not in (LineActionKind.BAR_INCOMING, LineActionKind.BAR_OUTGOING, LineActionKind.BAR_ALL):
        raise ApplicationError(_("Unknown barring."), field="kind")
    ids = sorted(set(line_ids))
    if not ids:
        return {}
    reference = f"BAR-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    actions = _bulk_batch_record(
        line_ids=ids,
        kind=kind,
        by=by,
        now=now,
        today=timezone.localdate(now),
        parameters={"reason": reason} if reason else {},
        reference=reference,
        audit_each=True,
        context=context,
    )

    def hand_over() -> None:
        gateway = tenant_gateway()
        for start in range(0, len(actions), submit_size):
            try:
                line_actions_submit(
                    actions=actions[start : start + submit_size], now=now, by=by, gateway=gateway
                )
            except ApplicationError as exc:  # the link is down: they stay requested, handed over later
                logger.warning("operator link: %s barring(s) not handed over: %s", len(actions), exc.message)

    # Handed over once the caller's transaction commits: an import rolled back after this point
    # must not leave the operator with orders the platform has no record of. Until then (or if the
    # process dies in between) they are requested, and `line_actions_poll` hands them over.
    transaction.on_commit(hand_over, robust=True)
    return {a.line_id: a for a in actions if a.line_id is not None}


# --- the strict balance policy ------------------------------------------------------------------

BALANCE = "balance"


BARRING_KINDS = (
    LineActionKind.BAR_INCOMING,
    LineActionKind.BAR_OUTGOING,
    LineActionKind.BAR_ALL,
    LineActionKind.SUSPEND,
    LineActionKind.REACTIVATE,
)


def lines_balance_policy_apply(*, customer_id: int, suspend: bool, now: dt.datetime) -> tuple[str, int]:
    """The strict balance policy on a customer's lines: when its balance falls to zero or below
    (`suspend`), the outgoing calls of its active lines are barred; when it is back above, the
    lines whose last barring is the policy's are reactivated (a barring a staff member put since,
    for another reason, stays). Through the bulk line actions; returns (batch, count)."""
    if suspend:
        kind = LineActionKind.BAR_OUTGOING
        lines = MobileLine.objects.filter(
            customer_id=customer_id, status=LineStatus.ACTIVE, barred_outgoing=False
        )
    else:
        kind = LineActionKind.REACTIVATE
        last = (
            LineAction.objects.filter(line_id=OuterRef("pk"), kind__in=BARRING_KINDS)
            .exclude(status=LineActionStatus.FAILED)
            .order_by("-requested_at", "-pk")
        )
        lines = (
            MobileLine.objects.filter(customer_id=customer_id, status__in=LIVE)
            .annotate(
                last_kind=Subquery(last.values("kind")[:1]),
                last_reason=Subquery(last.values("parameters__reason")[:1]),
            )
            .filter(last_kind=LineActionKind.BAR_OUTGOING, last_reason=BALANCE)
        )
    ids = list(lines.values_list("pk", flat=True))
    if not ids:
        return "", 0
    return line_actions_bulk(
        line_ids=ids,
        kind=kind,
        by=None,
        now=now,
        today=timezone.localdate(now),
        parameters={"reason": BALANCE},
    )


def lines_balance_policy_handler(customer: Any, action: str) -> None:
    """The customers' balance policy hook (`customers.hooks`, called after the commit that made a
    strict customer's balance cross zero): "suspend" or "reactivate" its lines now."""
    if action in ("suspend", "reactivate"):
        lines_balance_policy_apply(customer_id=customer.pk, suspend=action == "suspend", now=timezone.now())


def line_actions_bulk_job_create(
    *, line_ids: Sequence[int], kind: str, by: User | None, context: AuditContext | None = None
) -> tuple[Any, list[int]]:
    """The job of a bulk action (checked, audited); `provisioning.tasks.line_actions_bulk_start` queues it."""
    if kind not in BULK_KINDS:
        raise ApplicationError(_("This action cannot be applied to several lines at once."), field="kind")
    ids = sorted({int(i) for i in line_ids})
    if not ids:
        raise ApplicationError(_("Select at least one line."), field="lines")
    label = _("%(action)s on %(count)s lines") % {"action": LineActionKind(kind).label, "count": len(ids)}
    job = job_create(kind="provisioning.line_actions_bulk", label=label, by=by, total=len(ids))
    audit_record(
        actor=by,
        action="line.bulk_queued",
        obj=job,
        changes={"kind": kind, "count": len(ids)},
        context=context,
    )
    return job, ids


# --- one entry point for pages and API ----------------------------------------------------------


def line_action_perform(
    *,
    line: MobileLine,
    kind: str,
    data: dict[str, Any],
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    context: AuditContext | None = None,
) -> LineAction:
    """Request the action `kind` on one line with the parsed `data` of a form or an API call."""
    common: dict[str, Any] = {"line": line, "by": by, "now": now, "context": context}
    if kind == LineActionKind.RENAME:
        return line_rename(user_name=str(data.get("user_name") or ""), **common)
    if kind == LineActionKind.SET_INTERNATIONAL:
        return line_international_set(profile=str(data.get("international") or ""), **common)
    if kind in (LineActionKind.BAR_INCOMING, LineActionKind.BAR_OUTGOING, LineActionKind.BAR_ALL):
        return line_bar(kind=kind, **common)
    if kind == LineActionKind.REACTIVATE:
        return line_reactivate(**common)
    if kind == LineActionKind.TERMINATE:
        fee = data.get("fee")
        return line_terminate(
            today=today, fee_shown=Decimal(str(fee)) if fee not in (None, "") else None, **common
        )
    if kind == LineActionKind.CHANGE_OFFER:
        offer = Offer.objects.filter(pk=data.get("offer") or 0).first()
        if offer is None:
            raise ApplicationError(_("Choose an offer."), field="offer")
        effective = data.get("effective_date") or today
        return line_offer_change(offer=offer, effective_date=effective, today=today, **common)
    if kind == LineActionKind.SIM_SWAP:
        return line_sim_swap(
            msisdn=str(data.get("msisdn") or ""),
            new_iccid=str(data.get("new_iccid") or ""),
            old_sim_state=str(data.get("old_sim_state") or SimState.TERMINATED),
            **common,
        )
    if kind == LineActionKind.MOVE:
        customer = Customer.objects.filter(pk=data.get("customer") or 0).first()
        if customer is None:
            raise ApplicationError(_("Choose a customer."), field="customer")
        return line_move(customer=customer, **common)
    raise ApplicationError(_("Unknown action."), field="kind")
