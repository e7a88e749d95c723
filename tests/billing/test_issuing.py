"""Issuing: numbers given in order at finalization, gapless, the ledger, the chain, credit notes,
the database refusing changes of issued invoices, billing_verify, the archive blocker."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from billing.chain import chain_verify
from billing.issuing import CreditItem, billing_run_finalize, credit_note_issue
from billing.models import BillingRun, CreditNote, Invoice, InvoiceStatus, NumberCounter, RunStatus
from billing.numbering import billing_numbering_update
from billing.services import billing_run_redo
from core.errors import ApplicationError
from customers.models import EntryKind, LedgerEntry
from customers.selectors import customer_archive_blockers, customer_balance
from tests.billing.issuing_helpers import NOW, TODAY, customer, draft_run
from tests.conftest import in_schema


def _finalize(run, tenant, today=TODAY):
    return billing_run_finalize(run=run, tenant=tenant, by=None, now=NOW, today=today)


def _pattern(tenant, pattern="F{YYYY}-{SEQ:5}"):
    from tenants.models import TenantInvoiceSettings

    TenantInvoiceSettings.objects.update_or_create(tenant=tenant, defaults={"number_format": pattern})


def test_finalizing_numbers_the_drafts_in_customer_order_and_issues_them(acme):
    with in_schema(acme):
        _pattern(acme)
        run = draft_run("2027-01", [customer("C3"), customer("C1"), customer("C2", kind="consumer")])
        assert not Invoice.objects.exclude(number__isnull=True).exists()  # no number before finalizing
        run = _finalize(run, acme)
        invoices = list(Invoice.objects.filter(run=run).order_by("sequence"))
        assert [(i.customer_number, i.number) for i in invoices] == [
            ("C1", "F2027-00001"),
            ("C2", "F2027-00002"),
            ("C3", "F2027-00003"),
        ]
        assert run.status == RunStatus.FINALIZED
        assert (run.first_number, run.last_number) == ("F2027-00001", "F2027-00003")
        first = invoices[0]
        # 24.90 + 2 × 5.00 = 34.90 excl. VAT, VAT 20 % = 6.98, 41.88 incl. VAT
        assert (first.total_excl_vat, first.total_vat, first.total_incl_vat) == (
            Decimal("34.90"),
            Decimal("6.98"),
            Decimal("41.88"),
        )
        assert first.status == InvoiceStatus.ISSUED and first.issue_date == TODAY
        assert first.due_date == TODAY + dt.timedelta(days=30)
        assert first.seller["name"] == acme.name
        entry = LedgerEntry.objects.get(pk=first.ledger_entry_id)
        assert (entry.kind, entry.amount_ttc) == (EntryKind.INVOICE, Decimal("-41.88"))
        assert customer_balance(customer=first.customer) == Decimal("-41.88")
        assert chain_verify() == (3, [])
        # finalizing again is refused and changes nothing: no number taken twice
        with pytest.raises(ApplicationError):
            billing_run_finalize(run=run, tenant=acme, by=None, now=NOW, today=TODAY)
        run.refresh_from_db()
        assert run.last_number == "F2027-00003"
        assert NumberCounter.objects.get(kind="invoice", period_key="2027").last == 3


def test_a_monthly_restart_starts_each_month_at_one(acme):
    with in_schema(acme):
        _pattern(acme, "F{YYYY}{MM}-{SEQ:4}")
        billing_numbering_update(
            tenant=acme, number_restart="monthly", credit_note_number_format="AV{YYYY}{MM}-{SEQ:4}", by=None
        )
        jan = _finalize(
            draft_run("2027-01", [customer("C1"), customer("C2")]), acme, today=dt.date(2027, 2, 3)
        )
        feb = _finalize(draft_run("2027-02", [customer("C3")]), acme, today=dt.date(2027, 3, 2))
        assert (jan.first_number, jan.last_number) == ("F202702-0001", "F202702-0002")
        assert (feb.first_number, feb.last_number) == ("F202703-0001", "F202703-0001")


def test_the_numbering_settings_refuse_a_format_too_long_or_that_would_repeat(acme, make_user):
    admin = make_user(acme, "admin")
    with in_schema(acme):
        _pattern(acme, "F{YYYY}-{SEQ:5}")
        with pytest.raises(ApplicationError) as refused:
            billing_numbering_update(
                tenant=acme,
                number_restart="monthly",
                credit_note_number_format="AVOIR-TRES-LONG-PREFIXE-{YYYY}{MM}-{SEQ:6}",
                by=admin,
            )
        fields = dict(refused.value.field_errors)
        assert "{MM}" in fields["number_restart"]  # the invoice format has no month: numbers would repeat
        assert "35" in fields["credit_note_number_format"]
        with pytest.raises(ApplicationError, match="letters, digits"):
            billing_numbering_update(
                tenant=acme, number_restart="yearly", credit_note_number_format="AV {YYYY}.{SEQ:5}", by=admin
            )
        billing_numbering_update(
            tenant=acme, number_restart="never", credit_note_number_format="AV-{SEQ:6}", by=admin
        )
        from audit.models import AuditEvent

        event = AuditEvent.objects.filter(action="billing_settings.numbering_changed").latest("id")
        assert event.changes["number_restart"] == ["yearly", "never"]
        # and the tenant's invoice format is checked against the restart rule too
        from tenants.settings.services import invoice_settings_update

        billing_numbering_update(
            tenant=acme, number_restart="yearly", credit_note_number_format="AV-{YYYY}-{SEQ:6}", by=admin
        )
        with pytest.raises(ApplicationError, match="year"):
            invoice_settings_update(
                tenant=acme, by=admin, number_format="F-{SEQ:8}", today=TODAY, confirm_format_change=True
            )


def test_redo_billing_leaves_no_hole_in_the_numbers(acme):
    with in_schema(acme):
        _pattern(acme)
        first = _finalize(draft_run("2026-12", [customer("C1")]), acme)
        assert first.last_number == "F2027-00001"
        run = draft_run("2027-01", [customer("C2"), customer("C3")])
        billing_run_redo(run=run, by=None, now=NOW)  # the drafts go: nothing was numbered
        run.refresh_from_db()
        assert not Invoice.objects.filter(run=run).exists()
        from tests.billing.issuing_helpers import draft

        for cust in ("C2", "C3"):
            from customers.models import Customer

            draft(run, Customer.objects.get(number=cust), [("Forfait", "1", "10.00", "20")])
        BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.DRAFT)
        run = _finalize(run, acme)
        numbers = sorted(Invoice.objects.exclude(number__isnull=True).values_list("sequence", flat=True))
        assert numbers == [1, 2, 3]
        with pytest.raises(ApplicationError):  # a finalized run is never redone
            billing_run_redo(run=run, by=None, now=NOW)


def test_numbering_that_fails_gives_its_numbers_back(acme, monkeypatch):
    with in_schema(acme):
        _pattern(acme)
        run = draft_run("2027-01", [customer("C1"), customer("C2")])
        from billing import issuing

        def broken(*args, **kwargs):
            raise RuntimeError("worker lost")

        monkeypatch.setattr(issuing, "_issue_batch", broken)
        with pytest.raises(RuntimeError):
            _finalize(run, acme)
        # numbered but not issued: finalizing again keeps the numbers and issues
        monkeypatch.undo()
        run = _finalize(BillingRun.objects.get(pk=run.pk), acme)
        assert (run.first_number, run.last_number) == ("F2027-00001", "F2027-00002")
        assert NumberCounter.objects.get(kind="invoice", period_key="2027").last == 2


def test_the_database_refuses_to_change_an_issued_invoice(acme):
    with in_schema(acme):
        _pattern(acme)
        run = _finalize(draft_run("2027-01", [customer("C1")]), acme)
        invoice = Invoice.objects.get(run=run)
        line = invoice.lines.first()
        refused = [
            ("UPDATE billing_invoice SET total_excl_vat = 1 WHERE id = %s", [invoice.pk]),
            ("UPDATE billing_invoice SET customer_name = 'X' WHERE id = %s", [invoice.pk]),
            ("UPDATE billing_invoice SET status = 'draft' WHERE id = %s", [invoice.pk]),
            ("UPDATE billing_invoice SET number = 'F0' WHERE id = %s", [invoice.pk]),
            ("DELETE FROM billing_invoice WHERE id = %s", [invoice.pk]),
            ("UPDATE billing_invoiceline SET amount = 0 WHERE id = %s", [line.pk]),
            ("DELETE FROM billing_invoiceline WHERE id = %s", [line.pk]),
            ("UPDATE billing_invoicevat SET vat = 0 WHERE invoice_id = %s", [invoice.pk]),
            (
                "INSERT INTO billing_invoiceline (invoice_id, position, category, label, detail, quantity, unit, "
                "unit_price, amount, vat_rate, line_ref, source_type) "
                "VALUES (%s, 9, 'service', 'x', '', 1, '', 1, 1, 20, '', '')",
                [invoice.pk],
            ),
        ]
        for sql, params in refused:
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
        # what happens to an invoice after it is issued is allowed: payment and sending state
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE billing_invoice SET amount_paid = 10, status = 'partially_paid', sent_at = now() WHERE id = %s",
                [invoice.pk],
            )
        invoice.refresh_from_db()
        assert invoice.amount_paid == Decimal("10.00")
        # a numbered draft cannot be deleted either (its number would leave a hole)
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE billing_invoice SET pdf = 'other.pdf' WHERE id = %s AND pdf <> ''", [invoice.pk]
            )
            cursor.execute("UPDATE billing_invoice SET ledger_entry_id = NULL WHERE id = %s", [invoice.pk])


def test_billing_verify_names_a_record_changed_behind_the_applications_back(acme):
    with in_schema(acme):
        _pattern(acme)
        _finalize(draft_run("2027-01", [customer("C1"), customer("C2"), customer("C3")]), acme)
        tampered = Invoice.objects.get(number="F2027-00002")
    out = StringIO()
    call_command("billing_verify", "--tenant", "acme", stdout=out)
    assert "OK: 3 records" in out.getvalue()
    with in_schema(acme), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger event before ALTER TABLE
        cursor.execute("ALTER TABLE billing_invoice DISABLE TRIGGER billing_invoice_immutable")
        cursor.execute("UPDATE billing_invoice SET total_incl_vat = 1.00 WHERE id = %s", [tampered.pk])
        cursor.execute("ALTER TABLE billing_invoice ENABLE TRIGGER billing_invoice_immutable")
    out = StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("billing_verify", "--tenant", "acme", stdout=out)
    assert exit_status.value.code == 1
    report = out.getvalue()
    assert "F2027-00002" in report and "content was changed" in report
    assert "F2027-00001" not in report and "F2027-00003" not in report
    # a record removed from the middle breaks the link of the next one
    with in_schema(acme), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger event before ALTER TABLE
        cursor.execute("ALTER TABLE billing_invoice DISABLE TRIGGER billing_invoice_immutable")
        cursor.execute("UPDATE billing_invoice SET chain_index = NULL WHERE number = 'F2027-00001'")
        cursor.execute("ALTER TABLE billing_invoice ENABLE TRIGGER billing_invoice_immutable")
        count, breaks = chain_verify()
    assert count == 2
    assert any(b.name == "F2027-00002" and "missing" in b.problem for b in breaks)


def test_credit_notes_full_and_partial_in_their_own_series(acme, make_user):
    accountant = make_user(acme, "accountant")
    with in_schema(acme):
        _pattern(acme)
        run = _finalize(draft_run("2027-01", [customer("C1"), customer("C2")]), acme)
        first, second = Invoice.objects.filter(run=run).order_by("sequence")
        forfait = first.lines.get(position=1)  # 24.90 excl. VAT at 20 %
        partial = credit_note_issue(
            invoice=first, reason="Geste commercial", items=[CreditItem(forfait.pk, "10,00")], tenant=acme,
            by=accountant, now=NOW, today=TODAY,
        )  # fmt: skip
        assert partial.number == "AV2027-00001"
        assert (partial.total_excl_vat, partial.total_vat, partial.total_incl_vat) == (
            Decimal("10.00"),
            Decimal("2.00"),
            Decimal("12.00"),
        )
        assert not partial.full
        first.refresh_from_db()
        assert first.status == InvoiceStatus.ISSUED
        # no more than what is left of the line (24.90 − 10.00)
        with pytest.raises(ApplicationError, match="14.90"):
            credit_note_issue(
                invoice=first, reason="Encore", items=[CreditItem(forfait.pk, "15")], tenant=acme, by=accountant,
                now=NOW, today=TODAY,
            )  # fmt: skip
        whole = credit_note_issue(
            invoice=second,
            reason="Facturé par erreur",
            items=None,
            tenant=acme,
            by=accountant,
            now=NOW,
            today=TODAY,
        )
        assert whole.number == "AV2027-00002" and whole.full
        assert whole.total_incl_vat == second.total_incl_vat == Decimal("41.88")
        second.refresh_from_db()
        assert second.status == InvoiceStatus.CANCELLED
        assert customer_balance(customer=second.customer) == Decimal("0.00")
        assert customer_balance(customer=first.customer) == Decimal("-29.88")  # 41.88 − 12.00
        assert CreditNote.objects.get(pk=whole.pk).pdf  # issued with its PDF
        assert chain_verify() == (4, [])
        with pytest.raises(ApplicationError):  # a cancelled invoice is not credited again
            credit_note_issue(
                invoice=second, reason="Encore", items=None, tenant=acme, by=accountant, now=NOW, today=TODAY
            )
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE billing_creditnote SET total_incl_vat = 0 WHERE id = %s", [whole.pk])


def test_a_customer_with_unpaid_invoices_cannot_be_archived(acme):
    with in_schema(acme):
        _pattern(acme)
        cust = customer("C1")
        run = _finalize(draft_run("2027-01", [cust]), acme)
        invoice = Invoice.objects.get(run=run)
        reasons = customer_archive_blockers(customer=cust)
        assert any(invoice.number in reason for reason in reasons)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE billing_invoice SET status = 'paid' WHERE id = %s", [invoice.pk])
        assert not any(invoice.number in reason for reason in customer_archive_blockers(customer=cust))
