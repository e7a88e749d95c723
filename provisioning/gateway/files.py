"""The `files` backend of the operator gateway: order files in the feed's `Commandes/` folder.

Each batch of actions the gateway is handed becomes ONE order file
`ORDER_<OPERATOR CODE>_<YYYYMMDDHHMMSS>.csv` (shared/FORMATS.md, "Commandes"), written through the
tenant's feed (`tenants.platform.feed_access.open_feed`) with an atomic put (a temporary name, then a
rename). The file name is the batch reference stored on the actions before the file is written, so
a batch that is retried (its actions still `requested`, already carrying the name) rewrites the same
file instead of adding a second one; `order_batch_prepare` stores it in its own transaction for
callers that want it kept even if the process dies between the put and the commit.

The operator answers through its snapshots (`AccountStatus`, `Account_VGA`): the outcomes are
produced by `provisioning.services.snapshots.snapshot_import`. `poll` only confirms the actions the
operator never sees (a user name change, a move to another customer).
"""

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from core.delimited import write_csv
from core.errors import ApplicationError
from core.tenancy import current_schema
from offers.models import Offer
from provisioning.gateway import ActionOutcome, gateway_backend_register
from provisioning.models import (
    GatewayBackend,
    LineAction,
    LineActionKind,
    LineActionStatus,
    ProvisioningSettings,
)
from tenants.models import FeedAccess, Tenant
from tenants.platform.feed_access import FeedClient, open_feed
from tenants.platform.services import feed_settings_for

PARIS = ZoneInfo("Europe/Paris")
ORDER_FOLDER = "Commandes"
ORDER_COLUMNS = [
    "REQUEST_ID",
    "ACTION",
    "ICCID",
    "MSISDN",
    "NEW_ICCID",
    "PORT_MSISDN",
    "RIO",
    "PORT_DATE",
    "OFFER_CODE",
    "INTERNATIONAL",
    "BARRING",
    "REQUESTED_AT",
]
ORDER_NAME = re.compile(r"^ORDER_[A-Za-z0-9_-]+_\d{14}\.csv$")

# What the operator is asked for each kind: (ACTION, BARRING).
OPERATOR_ACTIONS: dict[str, tuple[str, str]] = {
    LineActionKind.ACTIVATE: ("ACTIVATE", ""),
    LineActionKind.PORT_IN: ("PORT_IN", ""),
    LineActionKind.SUSPEND: ("SUSPEND", ""),
    LineActionKind.BAR_INCOMING: ("BAR", "IN"),
    LineActionKind.BAR_OUTGOING: ("BAR", "OUT"),
    LineActionKind.BAR_ALL: ("BAR", "ALL"),
    LineActionKind.REACTIVATE: ("REACTIVATE", ""),
    LineActionKind.TERMINATE: ("TERMINATE", ""),
    LineActionKind.SIM_SWAP: ("SIM_SWAP", ""),
    LineActionKind.CHANGE_OFFER: ("CHANGE_OFFER", ""),
    LineActionKind.SET_INTERNATIONAL: ("SET_INTERNATIONAL", ""),
}
# Kinds that only concern the platform (the operator has no such order): done once sent.
PLATFORM_ONLY = (LineActionKind.RENAME, LineActionKind.MOVE)


def _paris(value: dt.datetime) -> str:
    return value.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")


def order_file_name(*, operator_code: str, at: dt.datetime) -> str:
    return f"ORDER_{operator_code}_{at.astimezone(PARIS):%Y%m%d%H%M%S}.csv"


def _digits(number: Any) -> str:
    """A number in international form without `+` (a French national number converted)."""
    text = str(number or "").replace(" ", "").lstrip("+")
    if len(text) == 10 and text.startswith("0"):
        return "33" + text[1:]
    return text


def action_iccid(action: LineAction) -> str:
    """The SIM an action is about (its own, its order line's or its line's)."""
    params = action.parameters or {}
    if params.get("iccid"):
        return str(params["iccid"])
    for sim in (
        action.sim,
        action.order_line.sim if action.order_line else None,
        action.line.sim if action.line else None,
    ):
        if sim is not None:
            return sim.iccid
    return ""


def action_number(action: LineAction) -> str:
    """The number an action is about: the line's, the fixed number, or the order line's."""
    params = action.parameters or {}
    if action.line is not None:
        return _digits(action.line.msisdn)
    if action.fixed_number is not None:
        return _digits(action.fixed_number.number)
    if params.get("msisdn"):
        return _digits(params["msisdn"])
    if action.order_line is not None:
        return _digits(action.order_line.msisdn or action.order_line.port_msisdn)
    return ""


def action_offer_code(action: LineAction) -> str:
    """The offer an activation or an offer change asks for (its code)."""
    params = action.parameters or {}
    if params.get("offer_code"):
        return str(params["offer_code"])
    if params.get("offer_id"):
        return str(Offer.objects.filter(pk=params["offer_id"]).values_list("code", flat=True).first() or "")
    if action.kind == LineActionKind.CHANGE_OFFER:
        return ""
    if action.order_line is not None:
        return action.order_line.offer.code
    if action.line is not None:
        return action.line.offer.code
    if action.fixed_number is not None and action.fixed_number.offer is not None:
        return action.fixed_number.offer.code
    return ""


# What `order_file_rows` reads of an action and of its relations (`order_row_sources` loads these).
ORDER_ROW_FIELDS = (
    "kind",
    "parameters",
    "requested_at",
    "batch_reference",
    "sim__iccid",
    "line__msisdn",
    "line__international",
    "line__sim__iccid",
    "line__offer__code",
    "order_line__msisdn",
    "order_line__port_msisdn",
    "order_line__rio",
    "order_line__porting_date",
    "order_line__sim__iccid",
    "order_line__offer__code",
    "fixed_number__number",
    "fixed_number__offer__code",
)


def order_row_sources(action_ids: Sequence[int]) -> list[Any]:
    """The actions `action_ids` (in id order) as read-only objects holding what `order_file_rows`
    reads (`ORDER_ROW_FIELDS`) and shaped like a `LineAction` and its relations (`action.line.sim.
    iccid`, None for an absent relation): one query of plain values, no model instances."""
    columns = ["pk", "sim_id", "line_id", "line__sim_id", "line__offer_id", "order_line_id"]
    columns += ["order_line__sim_id", "order_line__offer_id", "fixed_number_id", "fixed_number__offer_id"]
    sources = []
    for row in (
        LineAction.objects.filter(pk__in=list(action_ids)).order_by("pk").values(*columns, *ORDER_ROW_FIELDS)
    ):
        tree: dict[str, Any] = {}
        for path in ORDER_ROW_FIELDS:
            *parents, leaf = path.split("__")
            node = tree
            for index, parent in enumerate(parents):
                if row["__".join([*parents[: index + 1]]) + "_id"] is None:
                    break
                node = node.setdefault(parent, {})
            else:
                node[leaf] = row[path]
        sources.append(_namespace(tree, pk=row["pk"]))
    return sources


_RELATIONS = ("sim", "line", "order_line", "fixed_number", "offer")


def _namespace(tree: dict[str, Any], **extra: Any) -> SimpleNamespace:
    values = {name: _namespace(value) if name in _RELATIONS else value for name, value in tree.items()}
    for relation in _RELATIONS:
        values.setdefault(relation, None)
    return SimpleNamespace(**values, **extra)


def order_file_rows(actions: Sequence[LineAction]) -> Iterator[list[str]]:
    for action in actions:
        params = action.parameters or {}
        operator_action, barring = OPERATOR_ACTIONS[action.kind]
        if action.kind == LineActionKind.REACTIVATE and params.get("barring") in ("IN", "OUT", "ALL"):
            operator_action, barring = "UNBAR", str(params["barring"])
        port = action.kind == LineActionKind.PORT_IN
        order_line = action.order_line
        port_date = params.get("porting_date") or (
            order_line.porting_date.isoformat() if port and order_line and order_line.porting_date else ""
        )
        international = str(params.get("international") or "")
        if not international and action.kind in (LineActionKind.ACTIVATE, LineActionKind.PORT_IN):
            international = action.line.international if action.line else ""
        yield [
            str(action.pk),
            operator_action,
            action_iccid(action),
            action_number(action),
            str(params.get("new_iccid") or "") if action.kind == LineActionKind.SIM_SWAP else "",
            _digits(params.get("port_msisdn") or (order_line.port_msisdn if order_line else ""))
            if port
            else "",
            str(params.get("rio") or (order_line.rio if order_line else "")) if port else "",
            str(port_date) if port else "",
            action_offer_code(action)
            if action.kind in (LineActionKind.ACTIVATE, LineActionKind.PORT_IN, LineActionKind.CHANGE_OFFER)
            else "",
            international,
            barring,
            _paris(action.requested_at),
        ]


def order_file_content(actions: Sequence[LineAction]) -> bytes:
    """The order file of a batch, in the feed format, always with its trailer line."""
    body = write_csv(ORDER_COLUMNS, order_file_rows(actions))
    return body + f"TRAILER;{len(actions)}\r\n".encode()


def _operator_code(tenant: Tenant) -> str:
    code = (tenant.operator_code or "").strip()
    if not code:
        raise ApplicationError(_("This tenant has no operator code: order files cannot be named."))
    return code


def _new_batch_name(*, operator_code: str, now: dt.datetime) -> str:
    """A file name no other batch uses (one second later while the name is taken)."""
    at = now
    while True:
        name = order_file_name(operator_code=operator_code, at=at)
        if not LineAction.objects.filter(batch_reference=name).exists():
            return name
        at += dt.timedelta(seconds=1)


def _batch_name(actions: Sequence[LineAction], *, operator_code: str, now: dt.datetime) -> str:
    """The batch's order file name: the one its actions already carry (a retry), else a new one."""
    names = {a.batch_reference for a in actions}
    if len(names) == 1:
        (name,) = names
        if ORDER_NAME.match(name):
            return name
    return _new_batch_name(operator_code=operator_code, now=now)


def _operator_actions(actions: Sequence[LineAction]) -> list[LineAction]:
    return [a for a in actions if a.kind not in PLATFORM_ONLY]


def _current_tenant() -> Tenant:
    tenant = Tenant.objects.filter(schema_name=current_schema()).first()
    if tenant is None:
        raise ApplicationError(_("Order files are written for a tenant only."))
    return tenant


def order_batch_prepare(*, actions: Sequence[LineAction], now: dt.datetime) -> str:
    """Name the order file of a batch of requested actions and store the name on them, committed
    at once, before anything is written: a retry of the batch then rewrites that same file."""
    operator = _operator_actions(actions)
    if not operator:
        return ""
    with transaction.atomic():
        name = _batch_name(operator, operator_code=_operator_code(_current_tenant()), now=now)
        LineAction.objects.filter(pk__in=[a.pk for a in operator], status=LineActionStatus.REQUESTED).update(
            batch_reference=name
        )
    for action in operator:
        action.batch_reference = name
    return name


FeedOpener = Callable[[Tenant], AbstractContextManager[FeedClient]]


def _open_tenant_feed(tenant: Tenant) -> AbstractContextManager[FeedClient]:
    access = FeedAccess.objects.filter(tenant=tenant).first()
    if access is None:
        raise ApplicationError(_("This tenant has no feed access: order files cannot be written."))
    return open_feed(feed_settings_for(access))


class FilesGateway:
    """Writes each batch as one order file on the tenant's feed; snapshots bring the outcomes."""

    name = GatewayBackend.FILES.value

    def __init__(self, *, tenant: Tenant | None = None, open_client: FeedOpener = _open_tenant_feed):
        self._tenant = tenant
        self._open_client = open_client

    @property
    def tenant(self) -> Tenant:
        if self._tenant is None:
            self._tenant = _current_tenant()
        return self._tenant

    def submit(self, actions: Sequence[LineAction], *, now: dt.datetime) -> None:
        operator = _operator_actions(actions)
        if not operator:
            return
        name = _batch_name(operator, operator_code=_operator_code(self.tenant), now=now)
        # The name goes on the actions before the file is written (same transaction as `sent`).
        LineAction.objects.filter(pk__in=[a.pk for a in operator]).update(batch_reference=name)
        for action in operator:
            action.batch_reference = name
        # Read again with what the rows need and nothing more, in one query (a bulk batch has
        # thousands of actions: a model instance per action and relation costs more than the rest).
        content = order_file_content(order_row_sources([a.pk for a in operator]))
        with self._open_client(self.tenant) as client:
            client.put(f"{ORDER_FOLDER}/{name}", content)

    def poll(self, *, now: dt.datetime) -> list[ActionOutcome]:
        done = LineAction.objects.filter(status=LineActionStatus.SENT, kind__in=PLATFORM_ONLY).order_by("pk")
        return [
            ActionOutcome(action_id=pk, confirmed=True, at=now) for pk in done.values_list("pk", flat=True)
        ]


def _files_gateway(settings: ProvisioningSettings) -> FilesGateway:
    return FilesGateway()


gateway_backend_register(GatewayBackend.FILES.value, _files_gateway)
