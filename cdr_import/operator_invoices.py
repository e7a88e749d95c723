"""Operator invoices: a `.mdb` export read through a tenant profile into the normalised Output.

`operator_invoice_import` is the feed handler of the `operator_invoice` type: the export's line
table (with its joined tables) is read with mdbtools, each row mapped by the profile to one Output
row (faulty rows kept with their line, column and reason), rows grouped by INVOICE_REF into
`OperatorInvoice`s. A file delivering an invoice seen before replaces its lines (the operator's
latest word). Account and line references are remembered (`OperatorReference`): a line number the
ISM knows is attached to its customer at once, the others wait for the staff; an attachment made
later re-assigns the invoices already stored and every later file. When the profile asks for it,
each invoice's Output (the OFC) is put on the feed's `Retours/` folder.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from cdr_import.mdb import mdb_rows
from cdr_import.models import Import, RejectedRow
from cdr_import.models_invoices import (
    OUTPUT_COLUMNS,
    ChargeType,
    OperatorInvoice,
    OperatorInvoiceLine,
    OperatorInvoiceProfile,
    OperatorReference,
    ReferenceKind,
)
from core.delimited import write_csv
from core.errors import ApplicationError, Problems
from core.money import quantize_price
from customers.models import Customer
from provisioning.models import FixedNumber, LineStatus, MobileLine
from provisioning.services.lines import msisdn_international
from tenants.models import FeedAccess, Tenant
from tenants.platform.feed_access import FeedClient, open_feed
from tenants.platform.services import feed_settings_for

RETURN_FOLDER = "Retours"
NUMERIC = ("QUANTITY", "AMOUNT_EXCL_VAT", "VAT_RATE", "AMOUNT_VAT")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")


# --- Profiles ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProfileSpec:
    """A profile as the reader uses it (a saved `OperatorInvoiceProfile`, or one built in a test)."""

    operator_code: str
    line_table: str
    columns: dict[str, str]
    joins: tuple[dict[str, str], ...] = ()
    unit_price: str = ""
    default_vat_rate: Decimal = Decimal("20")
    default_currency: str = "EUR"

    @classmethod
    def of(cls, profile: OperatorInvoiceProfile) -> "ProfileSpec":
        return cls(
            operator_code=profile.operator_code,
            line_table=profile.line_table,
            columns=dict(profile.columns),
            joins=tuple(profile.joins or ()),
            unit_price=profile.unit_price,
            default_vat_rate=Decimal(profile.default_vat_rate),
            default_currency=profile.default_currency,
        )


def profile_check(
    *,
    operator_code: str,
    line_table: str,
    columns: dict[str, Any],
    joins: Iterable[dict[str, Any]],
    unit_price: str,
    default_currency: str,
    problems: Problems | None = None,
) -> Problems:
    """Every rule of a profile at once: known Output columns, the invoice reference and an amount
    mapped, joins complete, sources written `Table.Column`, `Column` or `=VALUE`."""
    problems = problems if problems is not None else Problems()
    if not _CODE.match(operator_code or ""):
        problems.add(_("Letters, digits, - or _ only (at most 40)."), field="operator_code")
    if not (line_table or "").strip():
        problems.add(_("Name the table that holds the invoice lines."), field="line_table")
    if not isinstance(columns, dict):
        problems.add(_("The mapping gives each Output column its source."), field="columns")
        return problems
    unknown = sorted(set(columns) - set(OUTPUT_COLUMNS))
    if unknown:
        problems.add(_("Unknown Output columns: %(names)s.") % {"names": ", ".join(unknown)}, field="columns")
    if not str(columns.get("INVOICE_REF") or "").strip():
        problems.add(_("Map INVOICE_REF: it groups the rows into invoices."), field="columns")
    if not str(columns.get("AMOUNT_EXCL_VAT") or "").strip() and not (unit_price or "").strip():
        problems.add(
            _("Map AMOUNT_EXCL_VAT, or give a unit price column (amount = quantity × unit price)."),
            field="columns",
        )
    if (unit_price or "").strip() and not str(columns.get("QUANTITY") or "").strip():
        problems.add(_("A unit price needs QUANTITY mapped."), field="unit_price")
    for name, source in columns.items():
        if not isinstance(source, str):
            problems.add(_("The source of %(name)s must be text.") % {"name": name}, field="columns")
    for join in joins or ():
        if not isinstance(join, dict) or not all(
            str(join.get(k) or "").strip() for k in ("table", "on", "to")
        ):
            problems.add(
                _("Each joined table needs its name, the line table's column and its own column."),
                field="joins",
            )
    if not re.match(r"^[A-Z]{3}$", default_currency or ""):
        problems.add(_("An ISO 4217 code, e.g. EUR."), field="default_currency")
    return problems


_PROFILE_FIELDS = (
    "code",
    "label",
    "operator_code",
    "line_table",
    "joins",
    "columns",
    "unit_price",
    "default_vat_rate",
    "default_currency",
    "return_ofc",
    "is_default",
)


def _profile_values(values: dict[str, Any], *, current: OperatorInvoiceProfile | None) -> dict[str, Any]:
    merged = {name: getattr(current, name) for name in _PROFILE_FIELDS} if current is not None else {}
    merged.update({k: v for k, v in values.items() if k in _PROFILE_FIELDS})
    merged.setdefault("joins", [])
    merged.setdefault("columns", {})
    merged.setdefault("unit_price", "")
    merged.setdefault("default_vat_rate", Decimal("20"))
    merged.setdefault("default_currency", "EUR")
    merged["operator_code"] = str(merged.get("operator_code") or "").strip().upper()
    merged["default_currency"] = str(merged.get("default_currency") or "").strip().upper()
    problems = Problems()
    code = str(merged.get("code") or "").strip()
    if not re.match(r"^[a-z0-9-]{1,40}$", code):
        problems.add(_("Lower-case letters, digits and - only (at most 40)."), field="code")
    elif (
        OperatorInvoiceProfile.objects.filter(code=code)
        .exclude(pk=current.pk if current is not None else 0)
        .exists()
    ):
        problems.add(_("Another profile has this code."), field="code")
    if not str(merged.get("label") or "").strip():
        problems.add(_("Give the profile a name."), field="label")
    rate = merged.get("default_vat_rate")
    try:
        rate = Decimal(str(rate))
        if not Decimal(0) <= rate <= Decimal(100):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.add(_("A VAT rate is between 0 and 100 %."), field="default_vat_rate")
    profile_check(
        operator_code=merged["operator_code"],
        line_table=str(merged.get("line_table") or ""),
        columns=merged["columns"],
        joins=merged["joins"],
        unit_price=str(merged["unit_price"] or ""),
        default_currency=merged["default_currency"],
        problems=problems,
    )
    problems.raise_if_any()
    merged["code"] = code
    merged["default_vat_rate"] = rate
    return merged


def operator_invoice_profile_create(
    *, values: dict[str, Any], by: User | None, context: AuditContext | None = None
) -> OperatorInvoiceProfile:
    """A new profile (every rule checked at once); the default one is unique."""
    clean = _profile_values(values, current=None)
    with transaction.atomic():
        if clean.get("is_default"):
            OperatorInvoiceProfile.objects.filter(is_default=True).update(is_default=False)
        profile = OperatorInvoiceProfile.objects.create(**clean)
        audit_record(
            actor=by,
            action="operator_invoice_profile.created",
            obj=profile,
            changes=_plain(clean),
            context=context,
        )
    return profile


def operator_invoice_profile_update(
    *,
    profile: OperatorInvoiceProfile,
    values: dict[str, Any],
    by: User | None,
    context: AuditContext | None = None,
) -> OperatorInvoiceProfile:
    """Change a profile (later files are read with it; reprocessing re-reads an import)."""
    clean = _profile_values(values, current=profile)
    with transaction.atomic():
        if clean.get("is_default"):
            OperatorInvoiceProfile.objects.filter(is_default=True).exclude(pk=profile.pk).update(
                is_default=False
            )
        changes = {k: v for k, v in clean.items() if getattr(profile, k) != v}
        for name, value in clean.items():
            setattr(profile, name, value)
        profile.save()
        audit_record(
            actor=by,
            action="operator_invoice_profile.updated",
            obj=profile,
            changes=_plain(changes),
            context=context,
        )
    return profile


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


# --- Reading ---------------------------------------------------------------------------------------
@dataclass
class OutputRow:
    """One row of the Output, typed."""

    line: int
    invoice_ref: str
    invoice_date: dt.date | None
    account_ref: str
    line_number: str
    charge_type: str
    description: str
    period_start: dt.date | None
    period_end: dt.date | None
    quantity: Decimal | None
    amount_excl_vat: Decimal
    vat_rate: Decimal
    amount_vat: Decimal
    currency: str

    def cells(self) -> list[Any]:
        return [
            self.invoice_ref,
            self.invoice_date,
            self.account_ref,
            self.line_number,
            self.charge_type,
            self.description,
            self.period_start,
            self.period_end,
            self.quantity,
            self.amount_excl_vat,
            self.vat_rate,
            self.amount_vat,
            self.currency,
        ]


@dataclass(frozen=True)
class RowFault:
    line: int
    column: str
    reason: str


@dataclass
class ReadResult:
    rows: list[OutputRow] = field(default_factory=list)
    faults: list[RowFault] = field(default_factory=list)
    read: int = 0


def _date(text: str) -> dt.date:
    found = _DATE.match(text.strip())
    if found is None:
        raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text})
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise ValueError(_("“%(value)s” is not a valid date.") % {"value": text}) from None


def _decimal(text: str) -> Decimal:
    cleaned = text.strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not value.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
    return value


def _source_of(spec: str, line_table: str) -> tuple[str, str] | None:
    """(table, column) of a source, or None for a fixed value (`=VALUE`)."""
    if spec.startswith("="):
        return None
    table, dot, column = spec.rpartition(".")
    return (table, column) if dot and table else (line_table, spec)


def output_rows_read(*, path: Path, profile: ProfileSpec, filename: str = "") -> ReadResult:
    """Read the export's line table (and its joins) and map each row to the Output.

    A source column the export lacks rejects the file (the error names the table and column); a
    row whose values do not fit (a date, a number, a charge type, a missing join) is kept as a
    fault with its line (the table's row number, from 1) and column, the others go on.
    """
    filename = filename or path.name
    columns, line_rows = mdb_rows(path, profile.line_table, filename=filename)
    tables: dict[str, dict[str, dict[str, str]]] = {}
    join_of: dict[str, dict[str, str]] = {}
    known_columns: dict[str, list[str]] = {profile.line_table: columns}
    for join in profile.joins:
        table = join["table"]
        join_columns, join_rows = mdb_rows(path, table, filename=filename)
        known_columns[table] = join_columns
        if join["to"] not in join_columns:
            raise ApplicationError(
                _("The table “%(table)s” of “%(file)s” has no column “%(column)s”.")
                % {"table": table, "file": filename, "column": join["to"]},
                field="joins",
            )
        if join["on"] not in columns:
            raise ApplicationError(
                _("The table “%(table)s” of “%(file)s” has no column “%(column)s”.")
                % {"table": profile.line_table, "file": filename, "column": join["on"]},
                field="joins",
            )
        index: dict[str, dict[str, str]] = {}
        for row in join_rows:
            index.setdefault(row.get(join["to"], ""), row)
        tables[table] = index
        join_of[table] = join
    sources: dict[str, tuple[str, str] | None] = {}
    wanted = dict(profile.columns)
    if profile.unit_price:
        wanted["_UNIT_PRICE"] = profile.unit_price
    for name, spec in wanted.items():
        source = _source_of(spec, profile.line_table)
        if source is not None:
            table, column = source
            if table not in known_columns:
                raise ApplicationError(
                    _("The column %(name)s comes from “%(table)s”, which the profile does not join.")
                    % {"name": name, "table": table},
                    field="columns",
                )
            if column not in known_columns[table]:
                raise ApplicationError(
                    _("The table “%(table)s” of “%(file)s” has no column “%(column)s” (mapped to %(name)s).")
                    % {"table": table, "file": filename, "column": column, "name": name.lstrip("_")},
                    field="columns",
                )
        sources[name] = source
    result = ReadResult()
    for number, row in enumerate(line_rows, start=1):
        result.read += 1
        faults: list[RowFault] = []
        joined: dict[str, dict[str, str] | None] = {}
        for table, join in join_of.items():
            joined[table] = tables[table].get(row.get(join["on"], ""))
            if joined[table] is None:
                faults.append(
                    RowFault(
                        number,
                        join["on"],
                        _("No row of “%(table)s” has %(column)s = %(value)s.")
                        % {"table": table, "column": join["to"], "value": row.get(join["on"], "")},
                    )
                )
        if faults:
            result.faults.extend(faults)
            continue

        def value(name: str, row: dict[str, str] = row, joined: dict[str, Any] = joined) -> str:
            spec = wanted.get(name)
            if not spec:
                return ""
            source = sources[name]
            if source is None:
                return spec[1:]
            table, column = source
            origin = row if table == profile.line_table else joined[table]
            return str(origin.get(column, "") or "").strip()

        def typed(
            name: str,
            parse: Callable[[str], Any],
            text: str,
            faults: list[RowFault] = faults,
            number: int = number,
        ) -> Any:
            if not text:
                return None
            try:
                return parse(text)
            except ValueError as exc:
                faults.append(RowFault(number, name, str(exc)))
                return None

        invoice_ref = value("INVOICE_REF")
        if not invoice_ref:
            faults.append(RowFault(number, "INVOICE_REF", _("The invoice reference is empty.")))
        invoice_date = typed("INVOICE_DATE", _date, value("INVOICE_DATE"))
        period_start = typed("PERIOD_START", _date, value("PERIOD_START"))
        period_end = typed("PERIOD_END", _date, value("PERIOD_END"))
        quantity = typed("QUANTITY", _decimal, value("QUANTITY"))
        amount = typed("AMOUNT_EXCL_VAT", _decimal, value("AMOUNT_EXCL_VAT"))
        if amount is None and profile.unit_price and not any(f.column == "AMOUNT_EXCL_VAT" for f in faults):
            unit = typed("_UNIT_PRICE", _decimal, value("_UNIT_PRICE"))
            if unit is not None and quantity is not None:
                amount = quantity * unit
        if amount is None and not any(f.column in ("AMOUNT_EXCL_VAT", "_UNIT_PRICE") for f in faults):
            faults.append(RowFault(number, "AMOUNT_EXCL_VAT", _("The amount is empty.")))
        rate_text = value("VAT_RATE")
        vat_rate = typed("VAT_RATE", _decimal, rate_text) if rate_text else profile.default_vat_rate
        amount_vat = typed("AMOUNT_VAT", _decimal, value("AMOUNT_VAT"))
        charge = (value("CHARGE_TYPE") or ChargeType.OTHER).upper()
        if charge not in ChargeType.values:
            faults.append(
                RowFault(
                    number,
                    "CHARGE_TYPE",
                    _("“%(value)s” is not a charge type (%(choices)s).")
                    % {"value": charge, "choices": " ".join(ChargeType.values)},
                )
            )
        currency = (value("CURRENCY") or profile.default_currency).upper()
        if not re.match(r"^[A-Z]{3}$", currency):
            faults.append(
                RowFault(number, "CURRENCY", _("“%(value)s” is not an ISO 4217 code.") % {"value": currency})
            )
        if faults:
            result.faults.extend(faults)
            continue
        amount = quantize_price(amount)
        vat_rate = Decimal(vat_rate)
        if amount_vat is None:
            amount_vat = quantize_price(amount * vat_rate / 100)
        line_number = value("LINE_NUMBER")
        result.rows.append(
            OutputRow(
                line=number,
                invoice_ref=invoice_ref[:64],
                invoice_date=invoice_date,
                account_ref=value("ACCOUNT_REF")[:64],
                line_number=msisdn_international(line_number) if line_number else "",
                charge_type=charge,
                description=value("DESCRIPTION")[:255],
                period_start=period_start,
                period_end=period_end,
                quantity=quantity,
                amount_excl_vat=amount,
                vat_rate=vat_rate,
                amount_vat=quantize_price(amount_vat),
                currency=currency,
            )
        )
    return result


# --- The Output file -----------------------------------------------------------------------------
def output_csv(
    rows: Iterable[OutputRow | OperatorInvoiceLine], *, invoice: OperatorInvoice | None = None
) -> bytes:
    """The Output (FORMATS.md): `;`, decimal comma, always with its trailer line."""
    cells: list[list[Any]] = []
    for row in rows:
        if isinstance(row, OperatorInvoiceLine):
            assert invoice is not None
            cells.append(
                [
                    invoice.invoice_ref,
                    invoice.invoice_date,
                    row.account_ref,
                    row.line_number,
                    row.charge_type,
                    row.description,
                    row.period_start,
                    row.period_end,
                    row.quantity.normalize() if row.quantity is not None else None,
                    row.amount_excl_vat,
                    row.vat_rate,
                    row.amount_vat,
                    row.currency,
                ]
            )
        else:
            cells.append(row.cells())
    body = write_csv(OUTPUT_COLUMNS, cells, numeric=NUMERIC)
    return body + f"TRAILER;{len(cells)}\r\n".encode()


def operator_invoice_output(*, invoice: OperatorInvoice) -> tuple[str, bytes]:
    """The Output file of one stored invoice: its name and content."""
    return invoice.output_name, output_csv(invoice.lines.order_by("position"), invoice=invoice)


# --- References and customers --------------------------------------------------------------------
def _known_line_customers(numbers: set[str]) -> dict[str, int]:
    """Customers of the ISM's own lines among `numbers` (live lines win)."""
    found: dict[str, int] = {}
    for number, customer_id, status in MobileLine.objects.filter(msisdn__in=numbers).values_list(
        "msisdn", "customer_id", "status"
    ):
        if customer_id and (number not in found or status != LineStatus.TERMINATED):
            found[number] = customer_id
    for number, customer_id in FixedNumber.objects.filter(
        number__in=numbers, customer__isnull=False
    ).values_list("number", "customer_id"):
        found.setdefault(number, customer_id)
    return found


def _references_ensure(rows: list[OutputRow], *, now: dt.datetime) -> dict[tuple[str, str], int | None]:
    """Every account and line reference of the rows, remembered; their customer (or None)."""
    accounts = {r.account_ref for r in rows if r.account_ref}
    lines = {r.line_number for r in rows if r.line_number}
    existing = {
        (ref.kind, ref.value): ref.customer_id
        for ref in OperatorReference.objects.filter(
            Q(kind=ReferenceKind.ACCOUNT, value__in=accounts) | Q(kind=ReferenceKind.LINE, value__in=lines)
        )
    }
    known = _known_line_customers(lines - {v for k, v in existing if k == ReferenceKind.LINE})
    new = []
    for kind, values in ((ReferenceKind.ACCOUNT, accounts), (ReferenceKind.LINE, lines)):
        for value in sorted(values):
            if (kind, value) in existing:
                continue
            customer_id = known.get(value) if kind == ReferenceKind.LINE else None
            new.append(
                OperatorReference(
                    kind=kind,
                    value=value,
                    customer_id=customer_id,
                    first_seen_at=now,
                    assigned_at=now if customer_id else None,
                )
            )
            existing[(kind, value)] = customer_id
    OperatorReference.objects.bulk_create(new, ignore_conflicts=True)
    return existing


def _invoice_customer(lines: Iterable[OperatorInvoiceLine], account_customer: int | None) -> int | None:
    if account_customer:
        return account_customer
    customers = {line.customer_id for line in lines}
    return customers.pop() if len(customers) == 1 else None


# --- The feed handler ----------------------------------------------------------------------------
def _profile_for(feed_import: Import) -> OperatorInvoiceProfile:
    profiles = OperatorInvoiceProfile.objects.all()
    chosen = (
        profiles.filter(code=feed_import.profile).first()
        or profiles.filter(is_default=True).first()
        or (profiles.first() if profiles.count() == 1 else None)
    )
    if chosen is None:
        raise ApplicationError(
            _("No operator invoice profile says how to read “%(file)s”: create one (or mark one as default).")
            % {"file": feed_import.original_name}
        )
    return chosen


def operator_invoices_store(
    *,
    rows: list[OutputRow],
    feed_import: Import,
    profile: OperatorInvoiceProfile | None,
    operator_code: str,
    now: dt.datetime,
) -> list[OperatorInvoice]:
    """Group the rows into invoices (an invoice delivered again is replaced) and attach customers."""
    references = _references_ensure(rows, now=now)
    by_ref: dict[str, list[OutputRow]] = {}
    for row in rows:
        by_ref.setdefault(row.invoice_ref, []).append(row)
    previous = {
        inv.invoice_ref: inv
        for inv in OperatorInvoice.objects.filter(operator_code=operator_code, invoice_ref__in=list(by_ref))
    }
    OperatorInvoiceLine.objects.filter(invoice__in=list(previous.values())).delete()
    invoices: list[OperatorInvoice] = []
    all_lines: list[OperatorInvoiceLine] = []
    for ref, group in by_ref.items():
        first = group[0]
        account_customer = (
            references.get((ReferenceKind.ACCOUNT, first.account_ref)) if first.account_ref else None
        )
        lines = [
            OperatorInvoiceLine(
                position=position,
                account_ref=row.account_ref,
                line_number=row.line_number,
                customer_id=(
                    references.get((ReferenceKind.LINE, row.line_number)) if row.line_number else None
                )
                or (references.get((ReferenceKind.ACCOUNT, row.account_ref)) if row.account_ref else None),
                charge_type=row.charge_type,
                description=row.description,
                period_start=row.period_start,
                period_end=row.period_end,
                quantity=row.quantity,
                amount_excl_vat=row.amount_excl_vat,
                vat_rate=row.vat_rate,
                amount_vat=row.amount_vat,
                currency=row.currency,
            )
            for position, row in enumerate(group, start=1)
        ]
        invoice = previous.get(ref) or OperatorInvoice(operator_code=operator_code, invoice_ref=ref)
        invoice.feed_import = feed_import
        invoice.profile = profile
        invoice.invoice_date = first.invoice_date
        invoice.account_ref = first.account_ref
        invoice.currency = first.currency
        invoice.customer_id = _invoice_customer(lines, account_customer)
        invoice.total_excl_vat = sum((r.amount_excl_vat for r in group), Decimal(0))
        invoice.total_vat = sum((r.amount_vat for r in group), Decimal(0))
        invoice.line_count = len(group)
        invoice.created_at = now
        invoice.save()
        for line in lines:
            line.invoice = invoice
        all_lines.extend(lines)
        invoices.append(invoice)
    OperatorInvoiceLine.objects.bulk_create(all_lines, batch_size=2000)
    return invoices


def operator_invoice_import(
    *, path: Path, feed_import: Import, by: User | None, now: dt.datetime
) -> dict[str, int]:
    """The `operator_invoice` feed handler: the export through its profile into stored invoices."""
    if not feed_import.original_name.lower().endswith(".mdb"):
        raise ApplicationError(
            _("Operator invoices are read from Access exports (.mdb); “%(file)s” is not one.")
            % {"file": feed_import.original_name}
        )
    profile = _profile_for(feed_import)
    result = output_rows_read(path=path, profile=ProfileSpec.of(profile), filename=feed_import.original_name)
    RejectedRow.objects.filter(feed_import=feed_import).delete()
    RejectedRow.objects.bulk_create(
        [
            RejectedRow(feed_import=feed_import, line=f.line, field=f.column.lstrip("_"), reason=f.reason)
            for f in result.faults
        ]
    )
    invoices = operator_invoices_store(
        rows=result.rows,
        feed_import=feed_import,
        profile=profile,
        operator_code=profile.operator_code,
        now=now,
    )
    feed_import.profile = profile.code
    feed_import.flow = feed_import.flow or profile.operator_code
    if profile.return_ofc and invoices:
        ids = [i.pk for i in invoices]
        transaction.on_commit(lambda: operator_invoice_ofc_send(invoice_ids=ids, now=now))
    rejected_lines = len({f.line for f in result.faults})
    return {"rows": result.read, "imported": len(result.rows), "rejected": rejected_lines}


# --- The OFC: the Output back on the partner's FTP ------------------------------------------------
FeedOpener = Callable[[], AbstractContextManager[FeedClient]]


def _tenant_feed() -> AbstractContextManager[FeedClient]:
    from django.db import connection

    tenant = getattr(connection, "tenant", None)
    access = FeedAccess.objects.filter(tenant_id=tenant.pk).first() if isinstance(tenant, Tenant) else None
    if access is None:
        raise ApplicationError(_("This tenant has no feed access: the OFC cannot be put on Retours/."))
    return open_feed(feed_settings_for(access))


def operator_invoice_ofc_send(
    *, invoice_ids: list[int], now: dt.datetime, open_client: FeedOpener = _tenant_feed
) -> int:
    """Put each invoice's Output on the feed's `Retours/` (an atomic put); returns how many went.

    A failure (no feed, the server down) leaves the invoices without `ofc_sent_at`, is audited,
    and does not undo the import; sending again is harmless (same name, same content).
    """
    invoices = list(OperatorInvoice.objects.filter(pk__in=invoice_ids).order_by("pk"))
    sent = 0
    try:
        with open_client() as client:
            for invoice in invoices:
                name, content = operator_invoice_output(invoice=invoice)
                client.put(f"{RETURN_FOLDER}/{name}", content)
                OperatorInvoice.objects.filter(pk=invoice.pk).update(ofc_sent_at=now)
                sent += 1
    except ApplicationError as exc:
        audit_record(
            actor=None,
            action="operator_invoice.ofc_failed",
            object_type="cdr_import.operatorinvoice",
            changes={"invoices": len(invoices), "sent": sent, "reason": str(exc.message)[:300]},
        )
        return sent
    audit_record(
        actor=None,
        action="operator_invoice.ofc_sent",
        object_type="cdr_import.operatorinvoice",
        changes={"sent": sent},
    )
    return sent


def operator_reference_assign(
    *,
    reference: OperatorReference,
    customer: Customer | None,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> OperatorReference:
    """Attach an account or line reference to a customer (None: detach): the invoices already
    stored follow, and so will every later file."""
    with transaction.atomic():
        reference = OperatorReference.objects.select_for_update().get(pk=reference.pk)
        before = reference.customer_id
        reference.customer = customer
        reference.assigned_at = now if customer is not None else None
        reference.save(update_fields=["customer", "assigned_at"])
        customer_id = customer.pk if customer is not None else None
        if reference.kind == ReferenceKind.LINE:
            lines = OperatorInvoiceLine.objects.filter(line_number=reference.value)
            lines.update(customer_id=customer_id)
            invoice_ids = set(lines.values_list("invoice_id", flat=True))
        else:
            accounts = OperatorInvoiceLine.objects.filter(account_ref=reference.value, line_number="")
            accounts.update(customer_id=customer_id)
            line_refs = dict(
                OperatorReference.objects.filter(kind=ReferenceKind.LINE, customer__isnull=False).values_list(
                    "value", "customer_id"
                )
            )
            for line in OperatorInvoiceLine.objects.filter(account_ref=reference.value).exclude(
                line_number=""
            ):
                wanted = line_refs.get(line.line_number) or customer_id
                if line.customer_id != wanted:
                    OperatorInvoiceLine.objects.filter(pk=line.pk).update(customer_id=wanted)
            invoice_ids = set(
                OperatorInvoice.objects.filter(account_ref=reference.value).values_list("pk", flat=True)
            )
        account_customers = dict(
            OperatorReference.objects.filter(kind=ReferenceKind.ACCOUNT).values_list("value", "customer_id")
        )
        for invoice in OperatorInvoice.objects.filter(pk__in=invoice_ids).prefetch_related("lines"):
            wanted = _invoice_customer(invoice.lines.all(), account_customers.get(invoice.account_ref))
            if invoice.customer_id != wanted:
                OperatorInvoice.objects.filter(pk=invoice.pk).update(customer_id=wanted)
        audit_record(
            actor=by,
            action="operator_reference.assigned",
            obj=reference,
            changes={"reference": reference.value, "customer": [before, customer_id]},
            context=context,
        )
    return reference
