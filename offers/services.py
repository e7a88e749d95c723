"""Writes of the catalogue: offers, options, services and hardware, terminals, rate tables and rows.

Nothing that may be in use is deleted: it is archived. Every write is audited.
"""

import datetime as dt
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_changes, audit_record
from core.downloads import storage_file_name
from core.errors import ApplicationError, Problems
from core.money import ZERO
from jobs.models import Job
from jobs.services import job_create
from offers.hooks import catalogue_item_usage
from offers.models import (
    VAT_DEFAULT,
    Allowance,
    BillingTiming,
    Offer,
    Option,
    Product,
    ProductKind,
    Rate,
    RateTable,
    RateTableKind,
    RateTableUpload,
    Terminal,
    TerminationRule,
)
from offers.parsing import FeedFileError, ParseResult, RowError, write_csv
from offers.rate_format import absent_columns_note, read_rate_file
from offers.rating import UNIT_OF_KIND
from offers.selectors import allowance_zones_known

Item = TypeVar("Item", Offer, Option, Product, Terminal)


def _snapshot(obj: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in ("id", "created_at", "updated_at"):
            continue
        data[f.attname] = getattr(obj, f.attname)
    return data


def catalogue_item_check(item: models.Model) -> None:
    """Every catalogue rule the item (offer, option, product, terminal) breaks, reported at once."""
    problems = Problems()
    if isinstance(item, Offer):
        if not item.commitment_choices:
            problems.add(
                _("Choose at least one commitment (none, 12 or 24 months)."), field="commitment_none"
            )
        if item.valid_from and item.valid_to and item.valid_to < item.valid_from:
            problems.add(_("The offer cannot end before it starts."), field="valid_to")
        if item.default_rate_table is not None and item.default_rate_table.archived:
            problems.add(_("This rate table is archived."), field="default_rate_table")
    if isinstance(item, Terminal) and (item.instalment_months is None) != (item.instalment_price is None):
        problems.add(
            _("Give both the number of instalments and the monthly instalment, or neither."),
            field="instalment_months",
        )
    for name in ("price", "instalment_price", "rental_price"):
        value = getattr(item, name, None)
        if value is not None and value < 0:
            problems.add(_("A price cannot be negative."), field=name)
    vat = getattr(item, "vat_rate", None)
    if vat is not None and not (Decimal(0) <= vat <= Decimal(100)):
        problems.add(_("A VAT rate is between 0 and 100 %."), field="vat_rate")
    problems.raise_if_any()


def _item_save(item: models.Model) -> None:
    catalogue_item_check(item)
    item.full_clean()
    item.save()


def _item_change(item: Item, fields: dict[str, Any]) -> tuple[Item, dict[str, Any]]:
    """Apply `fields` to a fresh, locked copy of `item` (a bound form or serializer may already
    have changed `item`: the audit needs the stored values), check and save it; returns the
    saved item and its values before."""
    item = type(item)._default_manager.select_for_update().get(pk=item.pk)
    before = _snapshot(item)
    for name, value in fields.items():
        setattr(item, name, value)
    _item_save(item)
    return item, before


@transaction.atomic
def offer_create(
    *,
    by: User,
    context: AuditContext | None = None,
    code: str,
    label: str,
    price: Decimal = ZERO,
    vat_rate: Decimal = Decimal(VAT_DEFAULT),
    billing_timing: str = BillingTiming.ADVANCE,
    prorated: bool = True,
    commitment_none: bool = True,
    commitment_12: bool = False,
    commitment_24: bool = False,
    termination_rule: str = TerminationRule.REMAINING_MONTHS,
    default_rate_table: RateTable | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    allowances: Sequence[Mapping[str, Any]] | None = None,
    options: Sequence[Option] | None = None,
) -> Offer:
    """Create an offer (at least one commitment, a period that ends after it starts, a table in
    use), with its allowances and the options it may take, in one transaction."""
    offer = Offer(
        code=code,
        label=label,
        price=price,
        vat_rate=vat_rate,
        billing_timing=billing_timing,
        prorated=prorated,
        commitment_none=commitment_none,
        commitment_12=commitment_12,
        commitment_24=commitment_24,
        termination_rule=termination_rule,
        default_rate_table=default_rate_table,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    _item_save(offer)
    changes = audit_changes({}, _snapshot(offer))
    if options:
        changes["options"] = [[], _offer_options_set(offer=offer, options=options)]
    audit_record(actor=by, action="offer.created", obj=offer, changes=changes, context=context)
    if allowances is not None:
        allowances_replace(owner=offer, allowances=allowances, by=by, context=context)
    return offer


@transaction.atomic
def offer_update(
    *,
    offer: Offer,
    by: User,
    context: AuditContext | None = None,
    code: str,
    label: str,
    price: Decimal,
    vat_rate: Decimal,
    billing_timing: str,
    prorated: bool,
    commitment_none: bool,
    commitment_12: bool,
    commitment_24: bool,
    termination_rule: str,
    default_rate_table: RateTable | None,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    allowances: Sequence[Mapping[str, Any]] | None = None,
    options: Sequence[Option] | None = None,
) -> Offer:
    """Change an offer with the same rules as at creation; its allowances and its options are
    replaced when given (None: kept). The changes are audited."""
    offer, before = _item_change(
        offer,
        {
            "code": code,
            "label": label,
            "price": price,
            "vat_rate": vat_rate,
            "billing_timing": billing_timing,
            "prorated": prorated,
            "commitment_none": commitment_none,
            "commitment_12": commitment_12,
            "commitment_24": commitment_24,
            "termination_rule": termination_rule,
            "default_rate_table": default_rate_table,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    changes = audit_changes(before, _snapshot(offer))
    if options is not None:
        options_before = sorted(offer.options.values_list("code", flat=True))
        options_after = _offer_options_set(offer=offer, options=options)
        if options_before != options_after:
            changes["options"] = [options_before, options_after]
    audit_record(actor=by, action="offer.updated", obj=offer, changes=changes, context=context)
    if allowances is not None:
        allowances_replace(owner=offer, allowances=allowances, by=by, context=context)
    return offer


def _offer_options_set(*, offer: Offer, options: Sequence[Option]) -> list[str]:
    """Attach exactly `options` to the offer; an archived option may stay but not be added.
    Returns the codes attached, sorted (for the audit)."""
    attached = set(offer.options.values_list("pk", flat=True))
    added_archived = sorted(o.code for o in options if o.archived and o.pk not in attached)
    if added_archived:
        raise ApplicationError(
            _("Archived options cannot be added to an offer: %(codes)s.")
            % {"codes": ", ".join(added_archived)},
            field="options",
        )
    offer.options.set(options)
    return sorted({o.code for o in options})


@transaction.atomic
def option_create(
    *,
    by: User,
    context: AuditContext | None = None,
    code: str,
    label: str,
    price: Decimal = ZERO,
    vat_rate: Decimal = Decimal(VAT_DEFAULT),
    data_speed: str = "",
    allowances: Sequence[Mapping[str, Any]] | None = None,
) -> Option:
    """Create an option with its allowances, in one transaction."""
    option = Option(code=code, label=label, price=price, vat_rate=vat_rate, data_speed=data_speed)
    _item_save(option)
    audit_record(
        actor=by,
        action="option.created",
        obj=option,
        changes=audit_changes({}, _snapshot(option)),
        context=context,
    )
    if allowances is not None:
        allowances_replace(owner=option, allowances=allowances, by=by, context=context)
    return option


@transaction.atomic
def option_update(
    *,
    option: Option,
    by: User,
    context: AuditContext | None = None,
    code: str,
    label: str,
    price: Decimal,
    vat_rate: Decimal,
    data_speed: str,
    allowances: Sequence[Mapping[str, Any]] | None = None,
) -> Option:
    """Change an option; its allowances are replaced when given (None: kept)."""
    option, before = _item_change(
        option,
        {"code": code, "label": label, "price": price, "vat_rate": vat_rate, "data_speed": data_speed},
    )
    audit_record(
        actor=by,
        action="option.updated",
        obj=option,
        changes=audit_changes(before, _snapshot(option)),
        context=context,
    )
    if allowances is not None:
        allowances_replace(owner=option, allowances=allowances, by=by, context=context)
    return option


@transaction.atomic
def product_create(
    *,
    by: User,
    context: AuditContext | None = None,
    code: str,
    label: str,
    kind: str = ProductKind.SERVICE,
    recurring: bool = False,
    price: Decimal = ZERO,
    vat_rate: Decimal = Decimal(VAT_DEFAULT),
) -> Product:
    """Create a service or a piece of hardware, sold once or monthly."""
    product = Product(code=code, label=label, kind=kind, recurring=recurring, price=price, vat_rate=vat_rate)
    _item_save(product)
    audit_record(
        actor=by,
        action="product.created",
        obj=product,
        changes=audit_changes({}, _snapshot(product)),
        context=context,
    )
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    by: User,
    context: AuditContext | None = None,
    code: str,
    label: str,
    kind: str,
    recurring: bool,
    price: Decimal,
    vat_rate: Decimal,
) -> Product:
    """Change a service or a piece of hardware."""
    product, before = _item_change(
        product,
        {
            "code": code,
            "label": label,
            "kind": kind,
            "recurring": recurring,
            "price": price,
            "vat_rate": vat_rate,
        },
    )
    audit_record(
        actor=by,
        action="product.updated",
        obj=product,
        changes=audit_changes(before, _snapshot(product)),
        context=context,
    )
    return product


@transaction.atomic
def terminal_create(
    *,
    by: User,
    context: AuditContext | None = None,
    code: str,
    label: str,
    brand: str,
    model: str,
    price: Decimal = ZERO,
    instalment_months: int | None = None,
    instalment_price: Decimal | None = None,
    rental_price: Decimal | None = None,
    vat_rate: Decimal = Decimal(VAT_DEFAULT),
) -> Terminal:
    """Create a terminal with its price for each sale mode (cash, instalments — both the number
    and the amount, or neither —, rental)."""
    terminal = Terminal(
        code=code,
        label=label,
        brand=brand,
        model=model,
        price=price,
        instalment_months=instalment_months,
        instalment_price=instalment_price,
        rental_price=rental_price,
        vat_rate=vat_rate,
    )
    _item_save(terminal)
    audit_record(
        actor=by,
        action="terminal.created",
        obj=terminal,
        changes=audit_changes({}, _snapshot(terminal)),
        context=context,
    )
    return terminal


@transaction.atomic
def terminal_update(
    *,
    terminal: Terminal,
    by: User,
    context: AuditContext | None = None,
    code: str,
    label: str,
    brand: str,
    model: str,
    price: Decimal,
    instalment_months: int | None,
    instalment_price: Decimal | None,
    rental_price: Decimal | None,
    vat_rate: Decimal,
) -> Terminal:
    """Change a terminal with the same rules as at creation."""
    terminal, before = _item_change(
        terminal,
        {
            "code": code,
            "label": label,
            "brand": brand,
            "model": model,
            "price": price,
            "instalment_months": instalment_months,
            "instalment_price": instalment_price,
            "rental_price": rental_price,
            "vat_rate": vat_rate,
        },
    )
    audit_record(
        actor=by,
        action="terminal.updated",
        obj=terminal,
        changes=audit_changes(before, _snapshot(terminal)),
        context=context,
    )
    return terminal


@transaction.atomic
def catalogue_item_archive(
    *, item: Item, by: User, archived: bool = True, context: AuditContext | None = None
) -> Item:
    """Archive (or restore) an item: it stays for what uses it but is no longer offered."""
    if item.archived != archived:
        item.archived = archived
        item.save(update_fields=["archived", "updated_at"])
        verb = "archived" if archived else "restored"
        audit_record(actor=by, action=f"{item._meta.model_name}.{verb}", obj=item, context=context)
    return item


def _zone_codes(text: Any) -> list[str]:
    return [z.strip().upper() for z in str(text or "").replace(";", ",").split(",") if z.strip()]


def _check_allowance_zones(data: Mapping[str, Any], known: tuple[frozenset[str], frozenset[str]]) -> None:
    destinations, origins = known
    unknown = [z for z in _zone_codes(data.get("zones")) if z not in destinations]
    if destinations and unknown:
        raise ApplicationError(
            _("Unknown destination zone(s): %(zones)s. The rate tables know: %(known)s.")
            % {"zones": ", ".join(unknown), "known": ", ".join(sorted(destinations))},
            field="zones",
        )
    unknown = [z for z in _zone_codes(data.get("origin_zones")) if z not in origins]
    if unknown:
        raise ApplicationError(
            _("Unknown origin zone(s): %(zones)s. Known origin zones: %(known)s.")
            % {"zones": ", ".join(unknown), "known": ", ".join(sorted(origins))},
            field="origin_zones",
        )


@transaction.atomic
def catalogue_item_delete(*, item: Item, by: User, context: AuditContext | None = None) -> None:
    """Delete an item only while nothing uses it (lines, orders…: the apps above say); else archive it."""
    reasons = catalogue_item_usage(item)
    if reasons:
        raise ApplicationError(
            _("%(item)s is in use and cannot be deleted (archive it instead): %(reasons)s")
            % {"item": item, "reasons": " ".join(reasons)}
        )
    audit_record(actor=by, action=f"{item._meta.model_name}.deleted", obj=item, context=context)
    item.delete()


def allowance_check(
    data: Mapping[str, Any], known: tuple[frozenset[str], frozenset[str]] | None = None
) -> None:
    """One allowance row's rules (unit of its event type, unlimited or a quantity, known zones),
    every broken one raised at once; `known`: `allowance_zones_known()`, read when not given."""
    problems = Problems()
    with problems.check():
        _check_allowance(data)
    with problems.check():
        _check_allowance_zones(data, known if known is not None else allowance_zones_known())
    problems.raise_if_any()


def _check_allowance(data: Mapping[str, Any]) -> None:
    kind = data.get("event_type")
    if kind not in UNIT_OF_KIND:
        raise ApplicationError(_("Unknown event type."), field="event_type")
    if data.get("unit") != UNIT_OF_KIND[kind]:
        raise ApplicationError(
            _("An allowance of %(kind)s is counted in %(unit)s.")
            % {"kind": kind, "unit": UNIT_OF_KIND[kind]},
            field="unit",
        )
    if data.get("unlimited") and data.get("quantity") is not None:
        raise ApplicationError(
            _("An allowance is either unlimited or a quantity, not both: clear one of them."),
            field="quantity",
        )
    if not data.get("unlimited") and (data.get("quantity") is None or data["quantity"] <= 0):
        raise ApplicationError(_("Give a quantity, or tick unlimited."), field="quantity")


@transaction.atomic
def allowances_replace(
    *,
    owner: Offer | Option,
    allowances: Sequence[Mapping[str, Any]],
    by: User,
    context: AuditContext | None = None,
) -> list[Allowance]:
    """Replace the allowances of an offer or option with `allowances`: each in the unit of its
    event type, unlimited or a positive quantity (not both), naming only zones the tenant's rate
    tables and zone map know."""
    known = allowance_zones_known() if allowances else (frozenset(), frozenset())
    for index, data in enumerate(allowances):
        try:
            _check_allowance(data)
            _check_allowance_zones(data, known)
        except ApplicationError as exc:
            # `extra["allowance"]`: the position of the refused row, for a page to show it there.
            raise ApplicationError(
                _("Allowance %(row)s: %(reason)s") % {"row": index + 1, "reason": exc.message},
                field=exc.field,
                extra={"allowance": index},
            ) from exc
    before = [str(a) for a in owner.allowances.all()]
    owner.allowances.all().delete()
    key = "offer" if isinstance(owner, Offer) else "option"
    created = [
        Allowance.objects.create(
            **{key: owner},
            event_type=data["event_type"],
            zones=",".join(_zone_codes(data.get("zones"))),
            origin_zones=",".join(_zone_codes(data.get("origin_zones"))),
            quantity=None if data.get("unlimited") else data.get("quantity"),
            unit=data["unit"],
            unlimited=bool(data.get("unlimited")),
        )
        for data in allowances
    ]
    after = [str(a) for a in created]
    if before != after:
        audit_record(
            actor=by,
            action=f"{key}.allowances_changed",
            obj=owner,
            changes={"allowances": [before, after]},
            context=context,
        )
    return created


# --- Rate tables -----------------------------------------------------------------------------
def rate_table_check(table: RateTable) -> None:
    """A rate table's rules (a markup table derives from another, no cycle, bounded markup),
    every broken one raised at once. A table that is not a markup loses its markup fields."""
    if table.kind != RateTableKind.MARKUP:
        table.base_table = None
        table.markup_fixed = Decimal(0)
        table.markup_percent = Decimal(0)
        return
    problems = Problems()
    if table.base_table_id is not None:
        if table.pk is not None and table.base_table_id == table.pk:
            problems.add(_("A table cannot derive from itself."), field="base_table")
        else:
            base = table.base_table
            while base is not None:
                if table.pk is not None and base.pk == table.pk:
                    problems.add(_("These tables would derive from each other."), field="base_table")
                    break
                base = base.base_table
    if table.markup_percent is not None and table.markup_percent < -100:
        problems.add(_("A markup cannot be below -100 %."), field="markup_percent")
    if table.markup_fixed is not None and table.markup_fixed < 0:
        # (price + fixed) could fall below zero, and a price cannot be negative.
        problems.add(_("The fixed part of a markup cannot be negative."), field="markup_fixed")
    problems.raise_if_any()


@transaction.atomic
def rate_table_create(*, data: dict[str, Any], by: User, context: AuditContext | None = None) -> RateTable:
    """Create a rate table (retail, wholesale, or markup of another table or of the wholesale cost)."""
    table = RateTable(**data)
    rate_table_check(table)
    table.full_clean()
    table.save()
    audit_record(
        actor=by,
        action="rate_table.created",
        obj=table,
        changes=audit_changes({}, _snapshot(table)),
        context=context,
    )
    return table


@transaction.atomic
def rate_table_update(
    *, table: RateTable, data: dict[str, Any], by: User, context: AuditContext | None = None
) -> RateTable:
    """Change a rate table's label, kind or markup."""
    before = _snapshot(table)
    for name, value in data.items():
        setattr(table, name, value)
    rate_table_check(table)
    table.full_clean()
    table.save()
    audit_record(
        actor=by,
        action="rate_table.updated",
        obj=table,
        changes=audit_changes(before, _snapshot(table)),
        context=context,
    )
    return table


@transaction.atomic
def rate_table_archive(
    *, table: RateTable, by: User, archived: bool = True, context: AuditContext | None = None
) -> RateTable:
    """Archive (or restore) a rate table; a table offers still use by default cannot be archived."""
    if archived and table.offers.filter(archived=False).exists():
        raise ApplicationError(_("Offers in the catalogue still use this table by default."))
    if table.archived != archived:
        table.archived = archived
        table.save(update_fields=["archived", "updated_at"])
        audit_record(
            actor=by,
            action="rate_table.archived" if archived else "rate_table.restored",
            obj=table,
            context=context,
        )
    return table


def _rate_fields(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "destination": values["DESTINATION"],
        "zone": values["ZONE"],
        "price": values["PRICE"],
        "unit": values["UNIT"],
        "first_increment": values["FIRST_INCREMENT"],
        "next_increment": values["NEXT_INCREMENT"],
        "connection_fee": values["CONNECTION_FEE"],
    }


RATE_FILE_MAX_BYTES = 20 * 1024 * 1024


def rate_errors_csv(*, errors: list[RowError]) -> bytes:
    """The whole list of a refused file's faults, as a CSV file (the page shows the first ones)."""
    return write_csv(
        [_("Line"), _("Column"), _("Reason")], ((e.line or "", e.column, e.reason) for e in errors)
    )


RATE_ERRORS_DIR = "rate_tables/refusals"


def rate_errors_archive(*, errors: list[RowError]) -> str:
    """Keep a refused file's whole list of faults as CSV in the tenant's storage; its token."""
    token = uuid.uuid4().hex
    default_storage.save(f"{RATE_ERRORS_DIR}/{token}.csv", ContentFile(rate_errors_csv(errors=errors)))
    return token


def _refuse_too_large() -> ApplicationError:
    return ApplicationError(
        _("The file is too large (%(size)s MB at most).") % {"size": RATE_FILE_MAX_BYTES // (1024 * 1024)},
        field="file",
    )


def rate_file_read(*, upload: Any) -> bytes:
    """An uploaded rate file's content; a file over RATE_FILE_MAX_BYTES is refused unread."""
    if upload.size is not None and upload.size > RATE_FILE_MAX_BYTES:
        raise _refuse_too_large()
    data: bytes = upload.read(RATE_FILE_MAX_BYTES + 1)
    if len(data) > RATE_FILE_MAX_BYTES:
        raise _refuse_too_large()
    return data


RATE_FILES_DIR = "rate_tables"


def _rate_file_store(*, upload: Any, filename: str, now: dt.datetime) -> str:
    """Keep an uploaded rate file in the tenant's storage, where its archive stays; its name there."""
    # Plain characters, and short enough for the archive's field (RateTableUpload.file, 100).
    base = storage_file_name(filename, fallback="rates")
    upload.seek(0)
    return default_storage.save(f"{RATE_FILES_DIR}/{now:%Y/%m}/{uuid.uuid4().hex[:12]}-{base}", upload)


def rate_table_import_queue(
    *,
    table: RateTable,
    upload: Any,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> tuple[Job, str]:
    """Keep a large rate file in the tenant's storage and create the job that will apply it (the
    worker reads it: a web worker never does). Returns the job and the stored file's name;
    `offers.tasks.rate_table_import_start` queues it."""
    if upload.size is None or upload.size > RATE_FILE_MAX_BYTES:
        raise _refuse_too_large()
    filename = (upload.name or "rates.csv")[:255]
    stored = _rate_file_store(upload=upload, filename=filename, now=now)
    job = job_create(
        kind="offers.rate_table_import",
        label=_("Rate file %(file)s into table %(code)s") % {"file": filename, "code": table.code},
        by=by,
        total=100,
    )
    audit_record(
        actor=by,
        action="rate_table.upload_queued",
        obj=table,
        changes={"file": filename, "job": job.pk},
        context=context,
    )
    return job, stored


# The share of a job's progress that reading the file takes (applying the rows is the rest).
_READING_SHARE = 90


def _stream_size(data: bytes | IO[bytes]) -> int:
    if isinstance(data, bytes):
        return len(data)
    position = data.tell()
    size = data.seek(0, os.SEEK_END)
    data.seek(position)
    return size


def rate_table_import(
    *,
    table: RateTable,
    data: bytes | IO[bytes],
    filename: str,
    by: User | None,
    today: dt.date,
    context: AuditContext | None = None,
    stored_name: str = "",
    progress: Callable[[int, str], None] | None = None,
) -> RateTableUpload:
    """Apply a rate file to a table, all or nothing: any faulty row refuses the whole file.

    Rows are versioned by VALID_FROM: a row with the key (PREFIX, EVENT_TYPE, ORIGIN_ZONE,
    VALID_FROM) of an existing row replaces it; other rows are added. The file is archived (a
    file already in the tenant's storage, `stored_name`, is kept where it is). `today` dates the
    rows that give no VALID_FROM; `by` None is the system (a feed import). `data` may be an open
    file (read as a stream); `progress(percent, message)` follows the reading, then the applying.
    """
    size = _stream_size(data)

    def reading(rows: int) -> None:
        if progress is not None:
            position = data.tell() if not isinstance(data, bytes) else size
            progress(
                min(_READING_SHARE, position * _READING_SHARE // max(size, 1)),
                _("Reading the file: %(rows)s rows read.") % {"rows": rows},
            )

    try:
        result = read_rate_file(data, filename=filename, today=today, progress=reading)
    except FeedFileError as exc:
        errors = exc.errors
    else:
        errors = result.errors
        if not errors and not result.rows:
            raise ApplicationError(_("The file has no rate row."), field="file", extra={"errors": []})
    if errors:
        shown = settings.UPLOAD_ERRORS_SHOWN
        message = _("The file was refused: %(count)s error(s); nothing was applied.") % {"count": len(errors)}
        if len(errors) > shown:
            message += " " + _("The first %(shown)s are listed; download the whole list as CSV.") % {
                "shown": shown
            }
        raise ApplicationError(
            message,
            field="file",
            extra={
                "errors": [e.as_dict() for e in errors[:shown]],
                "error_count": len(errors),
                "errors_token": rate_errors_archive(errors=errors),
            },
        )
    if progress is not None:
        progress(_READING_SHARE, _("Applying %(rows)s rows.") % {"rows": len(result.rows)})
    with transaction.atomic():
        upload, added, replaced = _rate_rows_apply(
            table=table, result=result, data=data, filename=filename, stored_name=stored_name, by=by
        )
        audit_record(
            actor=by,
            action="rate_table.uploaded",
            obj=table,
            changes={"file": filename, "added": added, "replaced": replaced},
            context=context,
        )
    return upload


def _rate_rows_apply(
    *,
    table: RateTable,
    result: ParseResult,
    data: bytes | IO[bytes],
    filename: str,
    stored_name: str,
    by: User | None,
) -> tuple[RateTableUpload, int, int]:
    """Write the rows of a sound file and its archive; the upload, rows added and rows replaced."""
    existing = {
        (r.prefix, r.event_type, r.origin_zone, r.valid_from): r
        for r in Rate.objects.select_for_update().filter(table=table)
    }
    to_create, to_update = [], []
    for row in result.rows:
        values = row.values
        key = (values["PREFIX"], values["EVENT_TYPE"], values["ORIGIN_ZONE"], values["VALID_FROM"])
        fields = _rate_fields(values)
        current = existing.get(key)
        if current is None:
            to_create.append(
                Rate(
                    table=table,
                    prefix=key[0],
                    event_type=key[1],
                    origin_zone=key[2],
                    valid_from=key[3],
                    **fields,
                )
            )
        else:
            for name, value in fields.items():
                setattr(current, name, value)
            to_update.append(current)
    Rate.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        Rate.objects.bulk_update(to_update, list(_rate_fields(result.rows[0].values)), batch_size=1000)
    upload = RateTableUpload(
        table=table, filename=filename[:255], uploaded_by=by if by is not None and by.pk else None
    )
    upload.row_count = len(result.rows)
    # Not stored: what the pages and the API tell the uploader about how the file was read.
    upload.notes = [*result.notes, *filter(None, [absent_columns_note(result.absent_columns)])]  # type: ignore[attr-defined]
    if stored_name:
        upload.file.name = stored_name
    else:
        if not isinstance(data, bytes):
            data.seek(0)
            data = data.read()
        upload.file.save(filename.rsplit("/", 1)[-1] or "rates.csv", ContentFile(data), save=False)
    upload.save()
    table.save(update_fields=["updated_at"])
    return upload, len(to_create), len(to_update)


def rate_check(rate: Rate) -> None:
    """A rate row's rules (unit of its event type, prefix, prices, one row per prefix, event type,
    origin zone and date in a table), every broken one raised at once."""
    problems = Problems()
    unit = UNIT_OF_KIND.get(rate.event_type)
    if unit is not None and unit != rate.unit:
        problems.add(
            _("%(kind)s is priced per %(unit)s.") % {"kind": rate.event_type, "unit": unit},
            field="unit",
        )
    if rate.event_type == "DATA" and rate.prefix:
        problems.add(_("Data rows have an empty prefix."), field="prefix")
    elif rate.prefix and not rate.prefix.isdigit():
        problems.add(_("A prefix has digits only (international form, no +)."), field="prefix")
    if (rate.price is not None and rate.price < 0) or (
        rate.connection_fee is not None and rate.connection_fee < 0
    ):
        problems.add(_("A price cannot be negative."), field="price")
    if (
        rate.table_id is not None
        and not problems.has("prefix")
        and Rate.objects.filter(
            table_id=rate.table_id,
            prefix=rate.prefix,
            event_type=rate.event_type,
            origin_zone=rate.origin_zone,
            valid_from=rate.valid_from,
        )
        .exclude(pk=rate.pk)
        .exists()
    ):
        problems.add(
            _("This table already has a row for this prefix, event type, origin zone and date."),
            field="prefix",
        )
    problems.raise_if_any()


@transaction.atomic
def rate_save(
    *,
    table: RateTable,
    rate: Rate | None,
    data: dict[str, Any],
    by: User,
    context: AuditContext | None = None,
) -> Rate:
    """Add a row to a table or change one; the key must stay unique within the table."""
    creating = rate is None
    rate = rate or Rate(table=table)
    before = {} if creating else _snapshot(rate)
    for name, value in data.items():
        setattr(rate, name, value)
    rate.origin_zone = (rate.origin_zone or "HOME").upper()
    rate.zone = rate.zone.upper()
    rate_check(rate)
    rate.save()
    table.save(update_fields=["updated_at"])
    audit_record(
        actor=by,
        action="rate.created" if creating else "rate.updated",
        obj=rate,
        changes={"table": table.code, **audit_changes(before, _snapshot(rate))},
        context=context,
    )
    return rate


@transaction.atomic
def rate_table_copy(
    *, table: RateTable, code: str, label: str, by: User, context: AuditContext | None = None
) -> RateTable:
    """Copy a table and every row version under a new code."""
    if RateTable.objects.filter(code=code).exists():
        raise ApplicationError(_("A rate table with this code already exists."), field="code")
    copy = RateTable.objects.create(
        code=code,
        label=label,
        kind=table.kind,
        base_table=table.base_table,
        markup_fixed=table.markup_fixed,
        markup_percent=table.markup_percent,
    )
    rows = list(table.rates.all())
    for row in rows:
        row.pk = None
        row.table = copy
    Rate.objects.bulk_create(rows, batch_size=1000)
    audit_record(
        actor=by,
        action="rate_table.copied",
        obj=copy,
        changes={"from": table.code, "rows": len(rows)},
        context=context,
    )
    return copy


def wholesale_table_import(
    *, data: bytes, filename: str, by: User | None, today: dt.date, code: str = "WHOLESALE"
) -> RateTableUpload:
    """Import an operator's wholesale table (`Tables tarifaires/`) into the wholesale table `code`.

    The same format and all-or-nothing rule as any rate table; markup tables may derive from it.
    """
    table, created = RateTable.objects.get_or_create(
        code=code, defaults={"label": _("Operator wholesale rates"), "kind": RateTableKind.WHOLESALE}
    )
    if created:
        audit_record(actor=by, action="rate_table.created", obj=table, changes={"kind": table.kind})
    elif table.kind != RateTableKind.WHOLESALE:
        raise ApplicationError(
            _("The table %(code)s exists and is not a wholesale table.") % {"code": code}, field="code"
        )
    return rate_table_import(table=table, data=data, filename=filename, by=by, today=today)
