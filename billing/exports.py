"""Accounting exports of a period (reads only): the recap (fichier récapitulatif) as CSV or XLSX,
and the sales journal in the FEC layout.

FEC (article A47 A-1 of the Livre des procédures fiscales): 18 columns in this order, `|` as the
separator, dates `YYYYMMDD`, amounts with a decimal comma, one entry (EcritureNum) per invoice or
credit note whose debits equal its credits: the customer account (411…) against revenue (706…,
per line category as configured) and VAT collected (44571…).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from billing.models import (
    FINALIZED_STATUSES,
    BillingSettings,
    CreditNote,
    CreditNoteStatus,
    Invoice,
    InvoiceLine,
)
from billing.selectors import billing_settings_get, period_validate
from core.delimited import write_csv, write_xlsx
from core.money import ZERO

FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)


def period_invoices(period: str, *, today: dt.date) -> QuerySet[Invoice]:
    """The finalized invoices issued in `period` (YYYY-MM), in number order."""
    parsed = period_validate(period, today=today)
    return (
        Invoice.objects.filter(
            status__in=FINALIZED_STATUSES, issue_date__gte=parsed.start, issue_date__lte=parsed.end
        )
        .prefetch_related("vat_lines")
        .order_by("number_period", "sequence", "id")
    )


def _rate_label(rate: Decimal) -> str:
    return f"{rate.normalize():f}".replace(".", ",")


def recap_table(period: str, *, today: dt.date) -> tuple[list[str], list[list[object]]]:
    """Header and rows of the recap: number, date, customer, base and VAT per rate, totals,
    payment mode, due date, status."""
    invoices = list(period_invoices(period, today=today))
    rates = sorted({vat.vat_rate for invoice in invoices for vat in invoice.vat_lines.all()})
    header = [_("Number"), _("Date"), _("Customer number"), _("Customer")]
    for rate in rates:
        header += [
            _("Base excl. VAT %(rate)s %%") % {"rate": _rate_label(rate)},
            _("VAT %(rate)s %%") % {"rate": _rate_label(rate)},
        ]
    header += [
        _("Total excl. VAT"),
        _("VAT"),
        _("Total incl. VAT"),
        _("Payment mode"),
        _("Due date"),
        _("Status"),
    ]
    rows: list[list[object]] = []
    for invoice in invoices:
        per_rate = {vat.vat_rate: vat for vat in invoice.vat_lines.all()}
        row: list[object] = [
            invoice.number,
            invoice.issue_date,
            invoice.customer_number,
            invoice.customer_name,
        ]
        for rate in rates:
            vat = per_rate.get(rate)
            row += [vat.base if vat else ZERO, vat.vat if vat else ZERO]
        row += [
            invoice.total_excl_vat,
            invoice.total_vat,
            invoice.total_incl_vat,
            invoice.get_payment_mode_display(),
            invoice.due_date,
            invoice.get_status_display(),
        ]
        rows.append(row)
    return header, rows


def _numeric(header: list[str]) -> list[str]:
    return [name for name in header if name not in header[:4] and name not in header[-3:]]


def recap_csv(period: str, *, today: dt.date) -> bytes:
    header, rows = recap_table(period, today=today)
    return write_csv(header, rows, numeric=_numeric(header))


def recap_xlsx(period: str, *, today: dt.date) -> bytes:
    header, rows = recap_table(period, today=today)
    return write_xlsx(
        header, rows, title=_("Recap %(period)s") % {"period": period}, numeric=_numeric(header)
    )


# --- FEC ----------------------------------------------------------------------------------------


def _fec_text(value: str) -> str:
    return " ".join(str(value).replace("|", "/").split())


def _fec_amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _revenue_account(settings: BillingSettings, category: str) -> str:
    return str((settings.revenue_accounts or {}).get(category) or settings.account_revenue)


def fec_entries(period: str, *, today: dt.date) -> Iterator[list[str]]:
    """The journal's lines: per invoice, 411 debited with the total incl. VAT, 706… credited with
    the revenue per account, 44571… with the VAT per rate (credit notes the other way round)."""
    settings = billing_settings_get()
    parsed = period_validate(period, today=today)
    lines = Prefetch("lines", queryset=InvoiceLine.objects.only("invoice_id", "category", "amount"))
    invoices = period_invoices(period, today=today).prefetch_related(lines)
    entry = 0
    for invoice in invoices:
        entry += 1
        revenue: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in invoice.lines.all():
            revenue[_revenue_account(settings, line.category)] += line.amount
        vats = [(vat.vat_rate, vat.vat) for vat in invoice.vat_lines.all()]
        yield from _fec_entry(
            settings,
            entry=entry,
            number=invoice.number or "",
            day=invoice.issue_date or parsed.end,
            customer=(invoice.customer_number, invoice.customer_name),
            total=invoice.total_incl_vat,
            revenue=revenue,
            vats=vats,
            label=_("Invoice %(number)s") % {"number": invoice.number},
            sign=1,
        )
    notes = CreditNote.objects.filter(
        status__in=[CreditNoteStatus.ISSUED, CreditNoteStatus.REFUNDED],
        issue_date__gte=parsed.start,
        issue_date__lte=parsed.end,
    ).prefetch_related("lines", "vat_lines")
    for note in notes.order_by("number_period", "sequence", "id"):
        entry += 1
        revenue = defaultdict(lambda: ZERO)
        for note_line in note.lines.all():
            revenue[_revenue_account(settings, note_line.category)] += note_line.amount
        yield from _fec_entry(
            settings,
            entry=entry,
            number=note.number or "",
            day=note.issue_date or parsed.end,
            customer=(note.customer_number, note.customer_name),
            total=note.total_incl_vat,
            revenue=revenue,
            vats=[(vat.vat_rate, vat.vat) for vat in note.vat_lines.all()],
            label=_("Credit note %(number)s") % {"number": note.number},
            sign=-1,
        )


def _fec_entry(
    settings: BillingSettings,
    *,
    entry: int,
    number: str,
    day: dt.date,
    customer: tuple[str, str],
    total: Decimal,
    revenue: dict[str, Decimal],
    vats: list[tuple[Decimal, Decimal]],
    label: str,
    sign: int,
) -> Iterator[list[str]]:
    """One balanced entry. Line amounts are rounded per line and VAT per rate, so the revenue
    per account plus the VAT is the invoice's total; an entry that would not balance is refused."""
    rows: list[tuple[str, str, str, str, Decimal]] = [
        (settings.account_customer, _("Customers"), customer[0], customer[1], total * sign)
    ]
    for account, amount in sorted(revenue.items()):
        rows.append((account, _("Sales of services"), "", "", -amount * sign))
    for rate, vat in vats:
        if vat:
            rows.append(
                (
                    settings.account_vat,
                    _("VAT collected %(rate)s %%") % {"rate": _rate_label(rate)},
                    "",
                    "",
                    -vat * sign,
                )
            )
    balance = sum((row[4] for row in rows), ZERO)
    if balance != ZERO:
        raise ValueError(f"FEC entry {number} does not balance ({balance})")
    date = day.strftime("%Y%m%d")
    for account, account_label, aux, aux_label, amount in rows:
        if amount == ZERO:
            continue
        yield [
            _fec_text(settings.journal_code),
            _fec_text(_("Sales")),
            str(entry),
            date,
            _fec_text(account),
            _fec_text(account_label),
            _fec_text(aux),
            _fec_text(aux_label),
            _fec_text(number),
            date,
            _fec_text(label),
            _fec_amount(amount if amount > 0 else ZERO),
            _fec_amount(-amount if amount < 0 else ZERO),
            "",
            "",
            date,
            "",
            "",
        ]


def fec_journal(period: str, *, today: dt.date) -> bytes:
    """The FEC sales journal of `period` (UTF-8, `|`, CRLF)."""
    out = ["|".join(FEC_COLUMNS)]
    out.extend("|".join(row) for row in fec_entries(period, today=today))
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def fec_filename(siren: str, period: str) -> str:
    """`<SIREN>FEC<YYYYMMDD>.txt`, the name the tax administration expects (closing date: the period's end)."""
    parsed = period_validate(period, today=dt.date.max)
    return f"{siren or '000000000'}FEC{parsed.end:%Y%m%d}.txt"
