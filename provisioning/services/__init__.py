"""Writes of the provisioning app: SIM stock imports, PIN/PUK reveal and provisioning settings.

The other writes live in the package's modules: `lines` (actions on lines, one or in bulk, and
their course at the operator: submit, outcome, poll), `fixed` (fixed numbers), `snapshots` (the
operator's AccountStatus / Account_VGA files), `alerts` (the technical contact's e-mail); line
and service orders are in `provisioning.orders`."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import user_can
from audit.context import AuditContext
from audit.services import audit_changes, audit_record
from core.crypto import decrypt_secret, encrypt_secret
from core.errors import ApplicationError
from offers.parsing import Column, FeedFileError, RowError, read_feed, text_reader
from provisioning import checks
from provisioning.models import ProvisioningSettings, Sim, SimProfile
from provisioning.selectors import provisioning_settings_get

# --- settings -----------------------------------------------------------------------------------

SETTINGS_FIELDS = (
    "low_stock_threshold",
    "porting_min_days",
    "porting_max_days",
    "gateway_backend",
    "simulator_delay_seconds",
    "confirmation_timeout_hours",
)


def provisioning_settings_update(
    *, data: dict[str, Any], by: User | None, context: AuditContext | None = None
) -> ProvisioningSettings:
    """Change the tenant's provisioning settings; the porting window must not be empty."""
    settings = provisioning_settings_get()
    before = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    for name in SETTINGS_FIELDS:
        if name in data:
            setattr(settings, name, data[name])
    if settings.porting_min_days > settings.porting_max_days:
        raise ApplicationError(
            _("The earliest porting date must come before the latest one."), field="porting_min_days"
        )
    settings.save()
    after = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    audit_record(
        actor=by,
        action="provisioning_settings.updated",
        obj=settings,
        changes=audit_changes(before, after),
        context=context,
    )
    return settings


# --- SIM stock ----------------------------------------------------------------------------------


def _checked(check: Callable[[str], str]) -> Callable[[str], str]:
    """A cell reader that refuses the value `check` finds wrong, with its reason."""

    def parse(text: str) -> str:
        if reason := check(text):
            raise ValueError(reason)
        return text

    return parse


def _msisdn_error(value: str) -> str:
    return "" if value.lstrip("+").replace(" ", "").isdigit() else _("a number has digits only")


SIM_COLUMNS = [
    Column("ICCID", _checked(checks.iccid_error), required=True, required_value=True),
    Column("IMSI", _checked(checks.imsi_error), required=True, required_value=True),
    Column("MSISDN", _checked(_msisdn_error), default=""),
    Column("PIN1", _checked(lambda v: checks.code_error(v, length=4, name="PIN")), default=""),
    Column(
        "PUK1",
        _checked(lambda v: checks.code_error(v, length=8, name="PUK")),
        required=True,
        required_value=True,
    ),
    Column("PIN2", _checked(lambda v: checks.code_error(v, length=4, name="PIN")), default=""),
    Column("PUK2", _checked(lambda v: checks.code_error(v, length=8, name="PUK")), default=""),
    Column("ORDER_REF", text_reader(max_length=60), required=True, required_value=True),
    Column("SIM_PROFILE", text_reader(max_length=40), default=""),
]


@dataclass(frozen=True)
class SimImport:
    count: int
    order_refs: list[str]
    profiles_created: list[str]


def _refuse(errors: list[RowError]) -> ApplicationError:
    return ApplicationError(
        _("The SIM listing was refused, nothing was imported: %(count)s error(s).") % {"count": len(errors)},
        extra={"errors": [e.as_dict() for e in errors]},
    )


def sim_import(
    *,
    data: bytes,
    filename: str = "",
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> SimImport:
    """Add the SIM cards of a `Cartes SIM` listing to the stock, all or nothing.

    Every ICCID is checked (digits, 19–20, Luhn); an ICCID already in the stock or twice in the
    file refuses the whole file, naming the rows. PIN and PUK codes are stored encrypted.
    """
    # TODO(core.delimited): read through core's delimited reader once it replaces offers.parsing.
    try:
        parsed = read_feed(data, columns=SIM_COLUMNS, filename=filename)
    except FeedFileError as exc:
        raise _refuse(exc.errors) from exc
    errors = list(parsed.errors)
    first_line: dict[str, int] = {}
    for row in parsed.rows:
        iccid = row.values["ICCID"]
        if iccid in first_line:
            errors.append(
                RowError(
                    row.line,
                    "ICCID",
                    _("ICCID %(iccid)s is already on line %(line)s of this file")
                    % {"iccid": iccid, "line": first_line[iccid]},
                )
            )
        else:
            first_line[iccid] = row.line
    in_stock = set(Sim.objects.filter(iccid__in=list(first_line)).values_list("iccid", flat=True))
    for row in parsed.rows:
        if row.values["ICCID"] in in_stock and first_line[row.values["ICCID"]] == row.line:
            errors.append(
                RowError(
                    row.line,
                    "ICCID",
                    _("ICCID %(iccid)s is already in the SIM stock") % {"iccid": row.values["ICCID"]},
                )
            )
    if not parsed.rows and not errors:
        errors.append(RowError(0, "", _("the file has no SIM card")))
    if errors:
        raise _refuse(sorted(errors, key=lambda e: e.line))

    codes = sorted({row.values["SIM_PROFILE"] for row in parsed.rows if row.values["SIM_PROFILE"]})
    try:
        with transaction.atomic():
            profiles = {p.code: p for p in SimProfile.objects.filter(code__in=codes)}
            created = [code for code in codes if code not in profiles]
            for code in created:
                profiles[code] = SimProfile.objects.create(code=code)
            Sim.objects.bulk_create(
                [
                    Sim(
                        iccid=row.values["ICCID"],
                        imsi=row.values["IMSI"],
                        msisdn=checks.msisdn_international(row.values["MSISDN"])
                        if row.values["MSISDN"]
                        else "",
                        pin1_encrypted=encrypt_secret(row.values["PIN1"]),
                        puk1_encrypted=encrypt_secret(row.values["PUK1"]),
                        pin2_encrypted=encrypt_secret(row.values["PIN2"]),
                        puk2_encrypted=encrypt_secret(row.values["PUK2"]),
                        order_ref=row.values["ORDER_REF"],
                        profile=profiles.get(row.values["SIM_PROFILE"]),
                        state_changed_at=now,
                    )
                    for row in parsed.rows
                ]
            )
    except IntegrityError as exc:  # the same ICCID imported at the same instant by someone else
        raise ApplicationError(
            _("The SIM listing was refused, nothing was imported: some ICCIDs were added meanwhile.")
        ) from exc
    result = SimImport(
        count=len(parsed.rows),
        order_refs=sorted({row.values["ORDER_REF"] for row in parsed.rows}),
        profiles_created=created,
    )
    audit_record(
        actor=by,
        action="sim.imported",
        object_type="provisioning.sim",
        object_repr=filename or "SIM listing",
        changes={
            "file": filename,
            "count": result.count,
            "order_refs": result.order_refs,
            "profiles_created": created,
            "first_iccid": parsed.rows[0].values["ICCID"],
            "last_iccid": parsed.rows[-1].values["ICCID"],
        },
        context=context,
    )
    return result


@dataclass(frozen=True)
class SimCodes:
    pin1: str
    puk1: str
    pin2: str
    puk2: str


def sim_codes_reveal(*, sim: Sim, by: User, context: AuditContext | None = None) -> SimCodes:
    """A SIM's PIN and PUK codes in clear, for a staff member with `secrets.reveal`; always audited."""
    if not user_can(by, "secrets.reveal"):
        raise PermissionDenied
    codes = SimCodes(
        pin1=decrypt_secret(sim.pin1_encrypted),
        puk1=decrypt_secret(sim.puk1_encrypted),
        pin2=decrypt_secret(sim.pin2_encrypted),
        puk2=decrypt_secret(sim.puk2_encrypted),
    )
    audit_record(actor=by, action="sim.puk_revealed", obj=sim, changes={"iccid": sim.iccid}, context=context)
    return codes
