"""Issuing: finalizing a run's drafts, credit notes, and the PDFs of issued documents.

Finalizing a run goes in steps that each commit, so a run interrupted anywhere is finalized again
without a number skipped, repeated or an invoice doubled:

1. the run is marked finalizing and its issue date fixed (the first attempt's);
2. numbering: the drafts without a number take the next numbers of the invoice series, in
   customer order, under the series' row lock held for this step only (`billing.numbering`);
3. issuing, in batches: each numbered draft takes the seller's identity and texts of the day,
   its due and debit dates, its place in the chain (`billing.chain`) and its ledger entry, and
   becomes issued; from then on the database refuses any change of its content (migration 0002);
4. the PDFs are rendered in the background (a `jobs.Job`), each once, named after its number.

A credit note (avoir) corrects an issued invoice, wholly or in part: it takes the next number of
its own series, its chain link and ledger entry (a credit), and its PDF, at once.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from billing.chain import chain_append, chain_head_lock
from billing.documents import document_pdf_store, seller_snapshot
from billing.models import (
    UNPAID_STATUSES,
    BillingRun,
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    CreditNoteVat,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberKind,
    RunStatus,
)
from billing.numbering import numbers_take
from billing.selectors import billing_settings_get, due_dates
from core.choices import PaymentMode
from core.documents import pdf_batch
from core.errors import ApplicationError, Problems
from core.money import ZERO, parse_amount, quantize_price, vat_amount
from customers.models import Customer, EntryKind, LedgerEntry
from customers.services import ledger_entry_add
from jobs.models import Job
from jobs.services import job_create, job_fail, job_finish, job_progress
from tenants.models import Tenant
from tenants.settings.selectors import DEFAULT_LATE_PAYMENT_TEXT, invoice_payment_text, invoice_settings_get

ISSUE_BATCH = 200  # invoices issued per transaction


# --- numbering ----------------------------------------------------------------------------------


def invoices_number(*, invoices: QuerySet[Invoice], tenant: Tenant, issue_date: dt.date) -> list[str]:
    """Give the next numbers of the invoice series, in customer order, to the drafts of `invoices`
    that have none (numbered ones keep theirs). One short transaction under the series' lock."""
    numbered: list[str] = []

    def select() -> list[Invoice]:
        return list(
            invoices.select_for_update()
            .filter(status=InvoiceStatus.DRAFT, number__isnull=True)
            .order_by("customer_number", "id")
        )

    with transaction.atomic():
        drafts = select()  # locked: a second finalization of the same drafts waits, then finds none

        def write(taken: list[tuple[str, str, int]]) -> None:
            for invoice, (number, key, seq) in zip(drafts, taken, strict=True):
                invoice.number, invoice.number_period, invoice.sequence = number, key, seq
            Invoice.objects.bulk_update(drafts, ["number", "number_period", "sequence"], batch_size=1000)

        numbered = numbers_take(
            kind=NumberKind.INVOICE, tenant=tenant, issue_date=issue_date, count=len(drafts), write=write
        )
    return numbered


# --- issuing ------------------------------------------------------------------------------------


def _texts(tenant: Tenant, mode: str) -> dict[str, str]:
    settings = invoice_settings_get(tenant=tenant)
    bank = settings.bank_details or "\n".join(
        part
        for part in (
            f"IBAN : {tenant.creditor_iban}" if tenant.creditor_iban else "",
            f"BIC : {tenant.creditor_bic}" if tenant.creditor_bic else "",
        )
        if part
    )
    return {
        "payment_text": invoice_payment_text(settings=settings, mode=mode),
        "late_payment_text": settings.late_payment_text or DEFAULT_LATE_PAYMENT_TEXT,
        "footer_text": settings.footer_text,
        "bank_details": bank,
    }


def _already_in_ledger(invoice: Invoice) -> Decimal:
    """The ledger amount (negative) of the manual charges the invoice bills: already in the balance."""
    ids = invoice.lines.filter(source_type="ledger_entry").values_list("source_id", flat=True)
    total = LedgerEntry.objects.filter(pk__in=list(ids)).aggregate(total=Sum("amount_ttc"))["total"]
    return total or ZERO


def _issue_batch(
    invoice_ids: Sequence[int], *, tenant: Tenant, issue_date: dt.date, now: dt.datetime, by: User | None
) -> int:
    """Issue numbered drafts: seller snapshot, dates, chain link, ledger entry, status. One transaction."""
    settings = billing_settings_get()
    texts = {mode: _texts(tenant, mode) for mode in PaymentMode.values}
    customers = {}
    with transaction.atomic():
        drafts = list(
            Invoice.objects.select_for_update()
            .filter(pk__in=invoice_ids, status=InvoiceStatus.DRAFT, number__isnull=False)
            .order_by("number_period", "sequence")
        )
        if not drafts:
            return 0
        customers = Customer.objects.in_bulk([inv.customer_id for inv in drafts])
        for invoice in drafts:
            due, debit = due_dates(settings=settings, mode=invoice.payment_mode, issue_date=issue_date)
            invoice.issue_date, invoice.due_date, invoice.debit_date = issue_date, due, debit
            invoice.seller = seller_snapshot(tenant=tenant, texts=texts[invoice.payment_mode])
            invoice.vat_on_debits = settings.vat_on_debits
            customer = customers.get(invoice.customer_id)
            invoice.full_numbers = bool(customer and customer.full_called_numbers)
            invoice.finalized_at, invoice.finalized_by = now, by
        Invoice.objects.bulk_update(
            drafts,
            ["issue_date", "due_date", "debit_date", "seller", "vat_on_debits", "full_numbers", "finalized_at",
             "finalized_by"],
        )  # fmt: skip
        head = chain_head_lock()
        for invoice in drafts:
            chain_append(invoice, head=head)
            entry = ledger_entry_add(
                customer=customers[invoice.customer_id],
                by=by,
                now=now,
                kind=EntryKind.INVOICE,
                amount_ttc=-invoice.total_incl_vat - _already_in_ledger(invoice),
                entry_date=issue_date,
                description=_("Invoice %(number)s") % {"number": invoice.number},
                amount_ht=invoice.total_excl_vat,
                amount_vat=invoice.total_vat,
            )
            Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.ISSUED, ledger_entry=entry)
    return len(drafts)


def billing_run_finalize_check(*, run: BillingRun) -> None:
    """Refuse to finalize a run whose drafts are not ready (before queuing the work)."""
    if run.status not in (RunStatus.DRAFT, RunStatus.FINALIZING):
        raise ApplicationError(_("Only a run whose drafts are ready can be finalized."))


def billing_run_finalize(
    *,
    run: BillingRun,
    tenant: Tenant,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    context: AuditContext | None = None,
    job_id: int | None = None,
) -> BillingRun:
    """Number the run's drafts (in customer order) and issue them; the PDFs follow
    (`run_pdfs_render`). A run interrupted at any step is finalized again from where it stopped."""
    with transaction.atomic():
        locked = BillingRun.objects.select_for_update().get(pk=run.pk)
        billing_run_finalize_check(run=locked)
        locked.status = RunStatus.FINALIZING
        locked.issue_date = locked.issue_date or today
        locked.save(update_fields=["status", "issue_date"])
    issue_date = locked.issue_date
    assert issue_date is not None  # noqa: S101 — set just above
    if job_id:
        job_progress(job_id=job_id, message=_("Numbering the invoices"))
    invoices_number(invoices=Invoice.objects.filter(run=locked), tenant=tenant, issue_date=issue_date)
    ids = list(
        Invoice.objects.filter(run=locked, status=InvoiceStatus.DRAFT)
        .order_by("number_period", "sequence")
        .values_list("id", flat=True)
    )
    if job_id:
        job_progress(job_id=job_id, done=0, total=len(ids), message=_("Issuing the invoices"))
    for begin in range(0, len(ids), ISSUE_BATCH):
        chunk = ids[begin : begin + ISSUE_BATCH]
        _issue_batch(chunk, tenant=tenant, issue_date=issue_date, now=now, by=by)
        if job_id:
            job_progress(job_id=job_id, done=begin + len(chunk))
    with transaction.atomic():
        locked = BillingRun.objects.select_for_update().get(pk=run.pk)
        numbered = Invoice.objects.filter(run=locked, sequence__isnull=False).order_by(
            "number_period", "sequence"
        )
        first, last = numbered.first(), numbered.last()
        locked.first_number = first.number if first and first.number else ""
        locked.last_number = last.number if last and last.number else ""
        was_finalized = locked.status == RunStatus.FINALIZED
        locked.status = RunStatus.FINALIZED
        locked.finalized_at = locked.finalized_at or now
        locked.finalized_by = locked.finalized_by or by
        locked.save()
        if not was_finalized:
            audit_record(
                actor=by,
                action="billing_run.finalized",
                obj=locked,
                changes={
                    "invoices": locked.invoices_count,
                    "first": locked.first_number,
                    "last": locked.last_number,
                },
                context=context,
            )
    return locked


def run_pdfs_job_create(*, run: BillingRun, by: User | None, finalize: bool) -> Job:
    """The job that follows a run's finalization (and its PDFs) or its PDFs left to render."""
    label = _("Finalizing %(period)s") if finalize else _("Invoice PDFs %(period)s")
    job = job_create(
        kind="billing.finalize" if finalize else "billing.pdfs", label=label % {"period": run.period}, by=by
    )
    BillingRun.objects.filter(pk=run.pk).update(job=job)
    run.job = job
    return job


def run_pdfs_render(*, run_id: int, job_id: int | None, tenant: Tenant, now: dt.datetime) -> int:
    """Render the PDFs of the run's issued invoices that have none, lowest number first; returns
    how many this call rendered. Several workers render one run together (issue 13: the batch
    grows with the processes): each takes the next invoice that no other holds (its row locked
    while it is rendered, `SKIP LOCKED`), so no invoice is rendered twice and none is left while
    a worker is alive. The job is finished by the worker that finds nothing left to render."""
    invoices = Invoice.objects.filter(run_id=run_id).exclude(status=InvoiceStatus.DRAFT)
    total = invoices.count()
    if job_id:
        Job.objects.filter(pk=job_id, status="queued").update(status="running", started_at=now)
        job_progress(
            job_id=job_id, done=total - invoices.filter(pdf="").count(), total=total,
            message=_("Rendering the invoices"),
        )  # fmt: skip
    rendered = 0
    try:
        with pdf_batch():  # fewer full garbage-collector passes over the worker (issue 13)
            while True:
                with transaction.atomic():
                    pk = (
                        invoices.filter(pdf="")
                        .order_by("number_period", "sequence")
                        .select_for_update(skip_locked=True, of=("self",))
                        .values_list("pk", flat=True)
                        .first()
                    )
                    if pk is None:
                        break
                    if document_pdf_store(Invoice.objects.get(pk=pk), tenant=tenant):
                        rendered += 1
                if job_id and rendered % 10 == 0:
                    job_progress(job_id=job_id, done=invoices.exclude(pdf="").count())
    except Exception as exc:
        if job_id:
            job_fail(job_id=job_id, message=str(exc), now=now)
        raise
    if job_id and not invoices.filter(pdf="").exists():  # the others may still hold the last ones
        job_progress(job_id=job_id, done=total)
        job_finish(
            job_id=job_id,
            now=now,
            message=_("%(count)s invoices rendered") % {"count": total},
            result={"rendered": total, "invoices": total},
        )
    return rendered


# --- credit notes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditItem:
    """Part of an invoice line to credit: an amount excl. VAT (positive) of that line."""

    invoice_line_id: int
    amount: Any


def _credited_per_line(invoice: Invoice) -> dict[int, Decimal]:
    rows = (
        CreditNoteLine.objects.filter(credit_note__invoice=invoice, invoice_line__isnull=False)
        .values("invoice_line_id")
        .annotate(total=Sum("amount"))
    )
    return {row["invoice_line_id"]: row["total"] for row in rows}


def credit_note_issue(
    *,
    invoice: Invoice,
    reason: str,
    items: Sequence[CreditItem] | None,
    tenant: Tenant,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    context: AuditContext | None = None,
    render: bool = True,
) -> CreditNote:
    """Correct an issued invoice with a credit note: `items` None credits all that is left of it
    (and the invoice is then cancelled by the credit note), else the given part of given lines.
    Numbered in the credit notes' own series, chained, entered in the ledger (a credit), rendered."""
    problems = Problems()
    reason = (reason or "").strip()
    if not reason:
        problems.add(_("Say why the invoice is corrected."), field="reason")
    invoice = Invoice.objects.get(pk=invoice.pk)
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED):
        raise ApplicationError(_("Only an issued invoice (not cancelled) can be corrected by a credit note."))
    lines = {li.pk: li for li in invoice.lines.all()}
    credited = _credited_per_line(invoice)
    wanted: list[tuple[InvoiceLine, Decimal]] = []
    if items is None:
        for li in lines.values():
            left = li.amount - credited.get(li.pk, ZERO)
            if left != 0:
                wanted.append((li, left))
    else:
        for item in items:
            found = lines.get(int(item.invoice_line_id))
            if found is None:
                problems.add(_("This line is not on the invoice."), field=f"line_{item.invoice_line_id}")
                continue
            li = found
            try:
                amount = quantize_price(parse_amount(str(item.amount)))
            except ApplicationError as exc:
                problems.add(exc.message, field=f"line_{li.pk}")
                continue
            if amount == 0:
                continue
            left = li.amount - credited.get(li.pk, ZERO)
            if amount < 0 or (left >= 0 and amount > left) or (left < 0 and amount < left):
                problems.add(
                    _("At most %(left)s € of this line is left to credit.") % {"left": left},
                    field=f"line_{li.pk}",
                )
                continue
            wanted.append((li, amount))
        if not wanted and not problems.errors:
            problems.add(_("Give the amount to credit on at least one line."))
    if not wanted and items is None:
        problems.add(_("Nothing is left to credit on this invoice."))
    problems.raise_if_any()

    bases: dict[Decimal, Decimal] = {}
    for li, amount in wanted:
        bases[li.vat_rate] = bases.get(li.vat_rate, ZERO) + amount
    vats = {rate: vat_amount(base, rate) for rate, base in bases.items()}
    total_excl = sum(bases.values(), ZERO)
    total_vat = sum(vats.values(), ZERO)
    now_credited = {li.pk: amount for li, amount in wanted}
    full = all(
        li.amount - credited.get(li.pk, ZERO) - now_credited.get(li.pk, ZERO) == 0 for li in lines.values()
    )

    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if _credited_per_line(locked) != credited:  # another credit note was issued meanwhile
            raise ApplicationError(_("The invoice was corrected meanwhile: check what is left to credit."))
        note = CreditNote.objects.create(
            invoice=locked,
            customer_id=locked.customer_id,
            reason=reason,
            full=full,
            issue_date=today,
            customer_number=locked.customer_number,
            customer_name=locked.customer_name,
            customer_siren=locked.customer_siren,
            customer_vat_number=locked.customer_vat_number,
            billing_address=locked.billing_address,
            seller=seller_snapshot(tenant=tenant, texts=_texts(tenant, locked.payment_mode)),
            total_excl_vat=total_excl,
            total_vat=total_vat,
            total_incl_vat=total_excl + total_vat,
            created_by=by if by is not None and by.is_authenticated else None,
            created_at=now,
            finalized_at=now,
        )
        CreditNoteLine.objects.bulk_create(
            [
                CreditNoteLine(
                    credit_note=note,
                    invoice_line=li,
                    position=position,
                    category=li.category,
                    label=li.label,
                    quantity=Decimal(1),
                    unit_price=amount,
                    amount=amount,
                    vat_rate=li.vat_rate,
                )
                for position, (li, amount) in enumerate(wanted, start=1)
            ]
        )
        CreditNoteVat.objects.bulk_create(
            [
                CreditNoteVat(credit_note=note, vat_rate=rate, base=base, vat=vats[rate])
                for rate, base in bases.items()
            ]
        )

        def write(taken: list[tuple[str, str, int]]) -> None:
            number, key, seq = taken[0]
            CreditNote.objects.filter(pk=note.pk).update(number=number, number_period=key, sequence=seq)
            note.number, note.number_period, note.sequence = number, key, seq

        numbers_take(kind=NumberKind.CREDIT_NOTE, tenant=tenant, issue_date=today, count=1, write=write)
        head = chain_head_lock()
        chain_append(note, head=head)
        entry = ledger_entry_add(
            customer=Customer.objects.get(pk=locked.customer_id),
            by=by,
            now=now,
            kind=EntryKind.CREDIT_NOTE,
            amount_ttc=note.total_incl_vat,
            entry_date=today,
            description=_("Credit note %(number)s (invoice %(invoice)s)")
            % {"number": note.number, "invoice": locked.number},
            amount_ht=-note.total_excl_vat,
            amount_vat=-note.total_vat,
            context=context,
        )
        CreditNote.objects.filter(pk=note.pk).update(status=CreditNoteStatus.ISSUED, ledger_entry=entry)
        if full:
            Invoice.objects.filter(pk=locked.pk).update(status=InvoiceStatus.CANCELLED)
        audit_record(
            actor=by,
            action="credit_note.issued",
            obj=note,
            changes={
                "number": note.number,
                "invoice": locked.number,
                "total_incl_vat": str(note.total_incl_vat),
                "full": full,
            },
            context=context,
        )
    note.refresh_from_db()
    if render:
        document_pdf_store(note, tenant=tenant)
        note.refresh_from_db()
    return note


# --- archiving --------------------------------------------------------------------------------


def unpaid_invoices_blocker(customer: Any) -> list[str]:
    """Registered with the customers' archive blockers: a customer with unpaid invoices stays."""
    unpaid = list(
        Invoice.objects.filter(customer=customer, status__in=UNPAID_STATUSES)
        .order_by("number")
        .values_list("number", flat=True)[:6]
    )
    if not unpaid:
        return []
    shown = ", ".join(n or "" for n in unpaid[:5]) + ("…" if len(unpaid) > 5 else "")
    return [
        _("It has unpaid invoices (%(numbers)s): record their payment or credit them first.")
        % {"numbers": shown}
    ]
