"""The operator link: how line actions reach the operator and how their outcome comes back.

An `OperatorGateway` has two verbs:

- `submit(actions, now=...)` hands a batch of actions (already taken for sending) to the operator;
  it raises when they cannot be handed over, and the caller then leaves them `requested`;
- `poll(now=...)` returns the `ActionOutcome`s the operator gave since the last poll (confirmed,
  or failed with a reason). Recording them on the actions is `services.lines.line_actions_poll`'s job,
  so every backend is judged the same way.

Backends are registered by name (`gateway_backend_register`); the tenant's provisioning settings
choose one. This module holds the `simulator` (demo and tests); the `files` backend (order files
in the feed's `Commandes/`, confirmed by AccountStatus / Account_VGA snapshots) registers itself
under the name `"files"` from `provisioning.gateway.files`.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from provisioning.models import (
    GatewayBackend,
    LineAction,
    LineActionKind,
    LineActionStatus,
    LineStatus,
    MobileLine,
    ProvisioningSettings,
    Sim,
    SimState,
)
from provisioning.rio import rio_check


@dataclass(frozen=True)
class ActionOutcome:
    """What the operator answered to one action: confirmed, or failed with its reason."""

    action_id: int
    confirmed: bool
    at: dt.datetime
    reason: str = ""


class OperatorGateway(Protocol):
    name: str

    def submit(self, actions: Sequence[LineAction], *, now: dt.datetime) -> None: ...

    def poll(self, *, now: dt.datetime) -> list[ActionOutcome]: ...


# --- the simulator ------------------------------------------------------------------------------

# Kinds that put a SIM into service: the operator refuses an unknown or already active SIM.
_ACTIVATING = (LineActionKind.ACTIVATE, LineActionKind.PORT_IN)


def _target_iccid(action: LineAction) -> str:
    if action.parameters.get("iccid"):
        return str(action.parameters["iccid"])
    if action.sim is not None:
        return action.sim.iccid
    if action.order_line is not None and action.order_line.sim is not None:
        return action.order_line.sim.iccid
    if action.line is not None and action.line.sim is not None:
        return action.line.sim.iccid
    return ""


def _sim_in_service(sim: Sim, *, except_line_id: int | None = None) -> bool:
    if sim.state in (SimState.ACTIVE, SimState.SUSPENDED):
        return True
    lines = MobileLine.objects.filter(sim=sim, status__in=(LineStatus.ACTIVE, LineStatus.SUSPENDED))
    if except_line_id is not None:
        lines = lines.exclude(pk=except_line_id)
    return lines.exists()


class SimulatorGateway:
    """Answers like the operator would, `delay_seconds` after an action was sent.

    It refuses an unknown ICCID, a RIO that does not match the number to port, and a SIM that is
    already in service, after the delay; it confirms everything else after the delay too, except a
    port-in, which a real operator carries out on its porting date: a port-in it does not refuse
    is confirmed on the first poll of that day (Paris time) or later, and stays sent until then.
    Nothing is written anywhere: the actions sent long enough ago are judged when polled.
    """

    name = GatewayBackend.SIMULATOR.value

    def __init__(self, *, delay_seconds: int = 5):
        self.delay = dt.timedelta(seconds=delay_seconds)

    def submit(self, actions: Sequence[LineAction], *, now: dt.datetime) -> None:
        return None

    def poll(self, *, now: dt.datetime) -> list[ActionOutcome]:
        due = (
            LineAction.objects.filter(status=LineActionStatus.SENT, sent_at__lte=now - self.delay)
            .select_related("sim", "line__sim", "order_line__sim")
            .order_by("sent_at", "pk")
        )
        outcomes = []
        for action in due:
            outcome = self.judge(action, now=now)
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    def judge(self, action: LineAction, *, now: dt.datetime) -> ActionOutcome | None:
        """The operator's answer to `action` at `now`: refused (with why), confirmed, or none yet
        (a valid port-in before its porting date)."""
        reason = self._refusal(action)
        if not reason and not self._porting_day_reached(action, now=now):
            return None
        return ActionOutcome(action_id=action.pk, confirmed=not reason, at=now, reason=reason)

    @staticmethod
    def _porting_day_reached(action: LineAction, *, now: dt.datetime) -> bool:
        """Whether a port-in's porting date (the action's effective date, else its order line's,
        else its parameters') has come at `now` in France; always true for the other kinds."""
        if action.kind != LineActionKind.PORT_IN:
            return True
        day = action.effective_date or (action.order_line.porting_date if action.order_line else None)
        if day is None and (action.parameters or {}).get("porting_date"):
            day = dt.date.fromisoformat(str(action.parameters["porting_date"]))
        return day is None or day <= timezone.localdate(now)

    def _refusal(self, action: LineAction) -> str:
        params = action.parameters or {}
        if action.kind in _ACTIVATING:
            iccid = _target_iccid(action)
            sim = Sim.objects.filter(iccid=iccid).first() if iccid else None
            if sim is None:
                return _("Unknown ICCID %(iccid)s at the operator.") % {"iccid": iccid or "-"}
            if _sim_in_service(sim, except_line_id=action.line_id):
                return _("The SIM %(iccid)s is already active.") % {"iccid": sim.iccid}
        if action.kind == LineActionKind.PORT_IN:
            number = params.get("port_msisdn") or (action.order_line.port_msisdn if action.order_line else "")
            rio = params.get("rio") or (action.order_line.rio if action.order_line else "")
            result = rio_check(str(number or ""), str(rio or ""))
            if not result.valid:
                return _("The RIO does not match the number to port: %(reason)s") % {"reason": result.reason}
        if action.kind == LineActionKind.SIM_SWAP:
            new_iccid = str(params.get("new_iccid") or "")
            new_sim = Sim.objects.filter(iccid=new_iccid).first() if new_iccid else None
            if new_sim is None:
                return _("Unknown ICCID %(iccid)s at the operator.") % {"iccid": new_iccid or "-"}
            if _sim_in_service(new_sim):
                return _("The SIM %(iccid)s is already active.") % {"iccid": new_sim.iccid}
        return ""


# --- what happens after an outcome -----------------------------------------------------------

OutcomeHandler = Callable[[LineAction, dt.datetime], None]
_outcome_handlers: list[OutcomeHandler] = []


def outcome_handler_register(handler: OutcomeHandler) -> None:
    """Call `handler(action, now)` after each outcome recorded by `services.lines.line_action_outcome_record`
    (e.g. to apply a confirmed action to its line, or to warn the tenant of a refusal). Handlers
    run in the recording transaction."""
    if handler not in _outcome_handlers:
        _outcome_handlers.append(handler)


def outcome_handlers() -> list[OutcomeHandler]:
    return list(_outcome_handlers)


# --- backends -----------------------------------------------------------------------------------

GatewayFactory = Callable[[ProvisioningSettings], OperatorGateway]

_BACKENDS: dict[str, GatewayFactory] = {
    GatewayBackend.SIMULATOR.value: lambda settings: SimulatorGateway(
        delay_seconds=settings.simulator_delay_seconds
    ),
}


def gateway_backend_register(name: str, factory: GatewayFactory) -> None:
    """Make a backend available under `name` (one of `GatewayBackend`): `factory(settings)` builds it."""
    _BACKENDS[name] = factory


def operator_gateway(settings: ProvisioningSettings) -> OperatorGateway:
    """The gateway the tenant's provisioning settings choose."""
    factory = _BACKENDS.get(settings.gateway_backend)
    if factory is None:
        raise ApplicationError(
            _("The operator link “%(name)s” is not available on this platform.")
            % {"name": settings.get_gateway_backend_display()}
        )
    return factory(settings)
