"""Writes of the billing app: runs (start, execute, redo, cancel), drafts, numbering at finalization.

A run is executed by one worker at a time: the execution holds a session advisory lock on the
run (released by PostgreSQL if the worker dies), and every step records how far it got, so a run
taken up again continues where it stopped: usage settled once (`settled_at`), then drafts built in
batches of customers, each batch committed with its invoices (one invoice per run and customer,
a database constraint), customers already done skipped.
"""

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, FileField, JSONField, Q, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from billing.content import Period, Sources, customer_items, sources_load, totals_of
from billing.issuing import billing_run_finalize as billing_run_finalize  # the run's last step
from billing.models import (
    Anomaly,
    BillingRun,
    BillingSettings,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    InvoiceVat,
    NumberRestart,
    RunStatus,
)
from billing.selectors import (
    billing_settings_get,
    due_dates,
    period_validate,
    previous_totals,
    run_summary,
)
from cdr_import.settle import cdr_period_settle
from core.choices import PaymentMode
from core.errors import ApplicationError
from customers.models import Contact, ContactRole, CustomerKind, Mandate, MandateStatus
from jobs.models import Job
from jobs.services import job_create, job_fail, job_finish, job_progress
from tenants.models import Tenant

BATCH: int = django_settings.BILLING_RUN_BATCH  # customers whose drafts are built and committed together


def billing_run_start(
    *,
    period: str,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    context: AuditContext | None = None,
    tenant: Tenant | None = None,
) -> BillingRun:
    """Start the run of `period`: one live run per period (the database refuses a second one)."""
    parsed = period_validate(period, today=today)
    from billing.selectors import billing_preflight

    checks = billing_preflight(period=period, today=today, tenant=tenant)
    try:
        with transaction.atomic():
            run = BillingRun.objects.create(
                period=parsed.key,
                period_start=parsed.start,
                period_end=parsed.end,
                created_by=by,
                created_at=now,
                preflight=checks,
            )
    except IntegrityError:
        raise ApplicationError(
            _("A billing run of %(period)s already exists: open it, redo it or cancel it.")
            % {"period": period},
            field="period",
        ) from None
    run.job = job_create(
        kind="billing.run", label=_("Billing run %(period)s") % {"period": parsed.key}, by=by
    )
    run.save(update_fields=["job"])
    audit_record(
        actor=by, action="billing_run.started", obj=run, changes={"period": run.period}, context=context
    )
    return run


def billing_run_redo(
    *,
    run: BillingRun,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> BillingRun:
    """Rebuild the run's drafts (usage settled again); never a finalized invoice."""
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in (RunStatus.DRAFT, RunStatus.FAILED):
            raise ApplicationError(_("Only a run whose drafts are ready (or that failed) can be redone."))
        if run.invoices.exclude(status=InvoiceStatus.DRAFT).exists():
            raise ApplicationError(_("This run has finalized invoices: correct them with credit notes."))
        removed = _drafts_delete(run)
        run.status = RunStatus.QUEUED
        run.settled_at = run.built_at = None
        run.message = ""
        run.job = job_create(
            kind="billing.run", label=_("Billing run %(period)s") % {"period": run.period}, by=by
        )
        _counts_reset(run)
        run.save()
        audit_record(
            actor=by,
            action="billing_run.redone",
            obj=run,
            changes={"drafts_removed": removed},
            context=context,
        )
    return run


def billing_run_cancel(
    *, run: BillingRun, by: User | None, now: dt.datetime, context: AuditContext | None = None
) -> BillingRun:
    """Give up a run that has no finalized invoice: its drafts go, the period is free again."""
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run.pk)
        if run.status in (RunStatus.FINALIZED, RunStatus.FINALIZING) or run.is_working:
            raise ApplicationError(_("This run cannot be cancelled now."))
        if run.invoices.exclude(status=InvoiceStatus.DRAFT).exists():
            raise ApplicationError(_("This run has finalized invoices: correct them with credit notes."))
        removed = _drafts_delete(run)
        run.status = RunStatus.CANCELLED
        run.save(update_fields=["status"])
        audit_record(
            actor=by,
            action="billing_run.cancelled",
            obj=run,
            changes={"drafts_removed": removed},
            context=context,
        )
    return run


def _drafts_delete(run: BillingRun) -> int:
    drafts = Invoice.objects.filter(run=run, status=InvoiceStatus.DRAFT)
    InvoiceLine.objects.filter(invoice__in=drafts).delete()
    InvoiceVat.objects.filter(invoice__in=drafts).delete()
    removed, _detail = drafts.delete()
    return removed


def _counts_reset(run: BillingRun) -> None:
    run.customers_count = run.invoices_count = run.empty_count = run.anomalies_count = 0
    run.total_excl_vat = run.total_vat = run.total_incl_vat = Decimal("0")


# --- execution ---------------------------------------------------------------------------------


def billing_run_execute(
    *, run_id: int, now: dt.datetime, today: dt.date, by: User | None = None
) -> BillingRun | None:
    """Settle the period's usage and build the drafts. None when another worker runs it now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_lock(hashtext(current_schema() || ':billing_run'), %s)", [run_id]
        )
        if not cursor.fetchone()[0]:
            return None
    try:
        run = _execute(run_id=run_id, now=now, today=today, by=by)
        if run is not None and run.status == RunStatus.DRAFT:
            audit_record(actor=by, action="billing_run.drafts_built", obj=run, changes=run_summary(run))
        return run
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(hashtext(current_schema() || ':billing_run'), %s)", [run_id]
            )


def _execute(*, run_id: int, now: dt.datetime, today: dt.date, by: User | None) -> BillingRun | None:
    run = BillingRun.objects.get(pk=run_id)
    if run.status not in (RunStatus.QUEUED, RunStatus.SETTLING, RunStatus.BUILDING):
        return run  # done (or cancelled) already: a repeated task does nothing
    BillingRun.objects.filter(pk=run.pk).update(
        attempts=run.attempts + 1, started_at=run.started_at or now, status=RunStatus.SETTLING
    )
    job_id = run.job_id
    if job_id:
        Job.objects.filter(pk=job_id).update(status="running", started_at=now)
    try:
        if run.settled_at is None:
            if job_id:
                job_progress(job_id=job_id, message=_("Settling the usage of the month"))

            def settle_progress(done: int, total: int) -> None:
                if job_id:
                    job_progress(job_id=job_id, done=done, total=total)

            settled = cdr_period_settle(period=run.period, now=now, by=by, progress=settle_progress)
            BillingRun.objects.filter(pk=run.pk).update(settled_at=now, cdrs_settled=settled.rated)
        BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.BUILDING)
        with translation.override("fr"):  # invoices are French documents, whoever starts the run
            _build_drafts(run, now=now, today=today, job_id=job_id)
        run.refresh_from_db()
        _run_totals(run)
        run.status = RunStatus.DRAFT
        run.built_at = now
        run.save()
    except Exception as exc:
        BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, message=str(exc)[:500])
        if job_id:
            job_fail(job_id=job_id, message=str(exc), now=now)
        raise
    if job_id:
        job_finish(job_id=job_id, now=now, message=_("Drafts ready for review"), result=run_summary(run))
    return run


def _build_drafts(
    run: BillingRun,
    *,
    now: dt.datetime,
    today: dt.date,
    job_id: int | None,
    customer_ids: list[int] | None = None,
) -> None:
    period = Period.parse(run.period)
    settings = billing_settings_get()
    done = set(Invoice.objects.filter(run=run).values_list("customer_id", flat=True))
    sources = sources_load(period=period, customer_ids=customer_ids, exclude_run_id=run.pk)
    candidates = [
        pk
        for pk in sorted(sources.customers, key=lambda pk: sources.customers[pk].number)
        if pk not in done and _has_something(pk, sources)
    ]
    total = len(done) + len(candidates)
    previous = previous_totals(period=period.previous().key)
    mandates = dict(Mandate.objects.filter(status=MandateStatus.ACTIVE).values_list("customer_id", "rum"))
    emails = dict(Contact.objects.filter(role=ContactRole.BILLING).values_list("customer_id", "email"))
    if job_id:
        job_progress(job_id=job_id, done=len(done), total=total, message=_("Building the drafts"))
    for begin in range(0, len(candidates), BATCH):
        chunk = candidates[begin : begin + BATCH]
        with transaction.atomic():
            _build_chunk(run, chunk, sources, settings, previous, mandates, emails, now=now, today=today)
        if job_id:
            job_progress(job_id=job_id, done=len(done) + begin + len(chunk), total=total)


def _has_something(customer_id: int, sources: Sources) -> bool:
    return bool(
        sources.lines.get(customer_id)
        or sources.services.get(customer_id)
        or sources.usage.get(customer_id)
        or any(
            ("ledger_entry", e.pk) not in sources.billed_once for e in sources.charges.get(customer_id, [])
        )
    )


def _address(*parts: str) -> str:
    return "\n".join(p for p in parts if p and p.strip())


def _build_chunk(
    run: BillingRun,
    customer_ids: list[int],
    sources: Sources,
    settings: BillingSettings,
    previous: dict[int, Decimal],
    mandates: dict[int, str],
    emails: dict[int, str],
    *,
    now: dt.datetime,
    today: dt.date,
) -> None:
    invoices: list[Invoice] = []
    contents = []
    for pk in customer_ids:
        customer = sources.customers[pk]
        items = customer_items(customer=customer, sources=sources)
        totals = totals_of(items)
        due, debit = due_dates(settings=settings, mode=customer.payment_mode, issue_date=today)
        anomalies = []
        if not items or not any(i.amount for i in items):
            anomalies.append(Anomaly.EMPTY.value)
        if totals.excl_vat < 0:
            anomalies.append(Anomaly.NEGATIVE.value)
        before = previous.get(pk)
        if before is not None and before != 0:
            change = abs(totals.excl_vat - before) * 100 / abs(before)
            if change > settings.large_change_percent:
                anomalies.append(Anomaly.LARGE_CHANGE.value)
        if customer.payment_mode == PaymentMode.SEPA and pk not in mandates:
            anomalies.append(Anomaly.NO_MANDATE.value)
        invoices.append(
            Invoice(
                run=run,
                customer=customer,
                period=run.period,
                period_start=run.period_start,
                period_end=run.period_end,
                due_date=due,
                debit_date=debit,
                payment_mode=customer.payment_mode,
                mandate_reference=mandates.get(pk, "") if customer.payment_mode == PaymentMode.SEPA else "",
                customer_number=customer.number,
                customer_name=customer.display_name[:200],
                customer_kind=customer.kind,
                customer_siren=customer.siren if customer.kind == CustomerKind.BUSINESS else "",
                customer_vat_number=customer.vat_number,
                billing_address=_address(
                    customer.billing_line1,
                    customer.billing_line2,
                    f"{customer.billing_postal_code} {customer.billing_city}",
                ),
                billing_country=customer.billing_country,
                delivery_address=_address(
                    customer.delivery_line1,
                    customer.delivery_line2,
                    f"{customer.delivery_postal_code} {customer.delivery_city}",
                )
                if customer.delivery_differs
                else "",
                customer_email=emails.get(pk, ""),
                detailed=not customer.no_detailed_invoice,
                vat_on_debits=settings.vat_on_debits,
                total_excl_vat=totals.excl_vat,
                total_vat=totals.vat,
                total_incl_vat=totals.incl_vat,
                previous_total_excl_vat=before,
                anomalies=anomalies,
                created_at=now,
            )
        )
        contents.append((items, totals))
    _invoices_copy(invoices)
    # Lines and VAT by COPY: tens of thousands of rows per batch, no model instance each.
    line_rows: list[str] = []
    vat_rows: list[str] = []
    for invoice, (items, totals) in zip(invoices, contents, strict=True):
        for position, item in enumerate(items, start=1):
            f = item.fields()
            line_rows.append(
                "\t".join([str(invoice.pk), str(position), *(_copy_value(f[name]) for name in _LINE_FIELDS)])
                + "\n"
            )
        for rate, base, vat in totals.per_rate:
            vat_rows.append(f"{invoice.pk}\t{rate}\t{base}\t{vat}\n")
    with connection.cursor() as cursor:
        columns = ", ".join(("invoice_id", "position", *(_COLUMN.get(n, n) for n in _LINE_FIELDS)))
        with cursor.cursor.copy(f"COPY billing_invoiceline ({columns}) FROM STDIN") as copy:  # noqa: S608
            copy.write("".join(line_rows))
        with cursor.cursor.copy(
            "COPY billing_invoicevat (invoice_id, vat_rate, base, vat) FROM STDIN"
        ) as copy:
            copy.write("".join(vat_rows))


def _invoices_copy(invoices: list[Invoice]) -> None:
    """Insert new invoices by COPY, their ids taken from the table's sequence first."""
    if not invoices:
        return
    fields = list(Invoice._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('billing_invoice', 'id')) FROM generate_series(1, %s)",
            [len(invoices)],
        )
        for invoice, (pk,) in zip(invoices, cursor.fetchall(), strict=True):
            invoice.pk = pk
        rows = []
        for invoice in invoices:
            values = []
            for f in fields:
                value = getattr(invoice, f.attname)
                if isinstance(f, JSONField):
                    value = json.dumps(value)
                elif isinstance(f, FileField):
                    value = value.name or ""
                values.append(_copy_value(value))
            rows.append("\t".join(values) + "\n")
        columns = ", ".join(f.column for f in fields)
        with cursor.cursor.copy(f"COPY billing_invoice ({columns}) FROM STDIN") as copy:  # noqa: S608
            copy.write("".join(rows))


_LINE_FIELDS = (
    "category", "label", "detail", "quantity", "unit", "unit_price", "amount", "vat_rate", "service_start",
    "service_end", "mobile_line_id", "fixed_number_id", "line_ref", "source_type", "source_id",
)  # fmt: skip
_COLUMN: dict[str, str] = {}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, dt.date):  # dates and aware datetimes
        return value.isoformat()
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _run_totals(run: BillingRun) -> None:
    agg = Invoice.objects.filter(run=run).aggregate(
        count=Count("id"),
        excl=Sum("total_excl_vat"),
        vat=Sum("total_vat"),
        incl=Sum("total_incl_vat"),
        empty=Count("id", filter=Q(anomalies__contains=[Anomaly.EMPTY.value])),
        odd=Count("id", filter=~Q(anomalies=[])),
    )
    run.invoices_count = run.customers_count = agg["count"] or 0
    run.total_excl_vat = agg["excl"] or Decimal("0.00")
    run.total_vat = agg["vat"] or Decimal("0.00")
    run.total_incl_vat = agg["incl"] or Decimal("0.00")
    run.empty_count = agg["empty"] or 0
    run.anomalies_count = agg["odd"] or 0


# --- finalization: numbering and issuing live in billing/issuing.py --------------------------------


def billing_settings_update(
    *, changes: dict[str, Any], by: User | None, context: AuditContext | None = None
) -> BillingSettings:
    """Save the tenant's billing settings."""
    settings = billing_settings_get()
    for name, value in changes.items():
        setattr(settings, name, value)
    if settings.number_restart not in NumberRestart.values:
        raise ApplicationError(_("Unknown restart rule."), field="number_restart")
    settings.save()
    audit_record(actor=by, action="billing_settings.updated", obj=settings, changes=changes, context=context)
    return settings
