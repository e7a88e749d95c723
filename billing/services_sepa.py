"""SEPA direct debits: the pain.008 file of a run (or of every SEPA invoice still to collect),
checked against its XSD (shipped in `billing/xsd/`) before anyone can download it; settlement;
rejected debits (R-transactions, by hand or from the bank's pain.002 / camt.054 return file);
mandates unused for 36 months expire.

No double batch: a batch is written in one transaction (its debits, its file, the mandates moved
from FRST to RCUR) while the run's row is locked; a generation killed half-way leaves nothing, and
one run has at most one live batch. An invoice is in at most one live debit (a constraint).
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from sepaxml import SepaDD

from accounts.models import User
from audit.context import AuditContext
from audit.services import audit_record
from billing.models import (
    UNPAID_STATUSES,
    BillingRun,
    Invoice,
    PaymentChannel,
    SepaBatch,
    SepaBatchStatus,
    SepaDebit,
    SepaDebitStatus,
    SepaVersion,
)
from billing.selectors import billing_settings_get
from billing.services_payments import payment_record, payment_reject, reject_fee_charge
from core.errors import ApplicationError, Problems
from core.money import ZERO
from customers.models import Mandate, MandateStatus, SequenceType
from customers.services import mandate_record_debit
from tenants.models import Tenant

XSD_DIR = Path(__file__).resolve().parent / "xsd"
MANDATE_LIFETIME_MONTHS = 36

# ISO 20022 reason codes of R-transactions a bank returns most (the list is open: any 4-character code is kept).
REJECT_REASONS = {
    "AC01": gettext_lazy("Incorrect account number"),
    "AC04": gettext_lazy("Account closed"),
    "AC06": gettext_lazy("Account blocked"),
    "AG01": gettext_lazy("Transaction forbidden on this account"),
    "AM04": gettext_lazy("Insufficient funds"),
    "AM05": gettext_lazy("Duplicate collection"),
    "MD01": gettext_lazy("No valid mandate"),
    "MD02": gettext_lazy("Missing or wrong mandate data"),
    "MD06": gettext_lazy("Refund requested by the debtor"),
    "MD07": gettext_lazy("Debtor deceased"),
    "MS02": gettext_lazy("Refused by the debtor"),
    "MS03": gettext_lazy("Reason not given"),
    "RR04": gettext_lazy("Regulatory reason"),
    "SL01": gettext_lazy("Specific service of the debtor's bank"),
}


@cache
def _schema(version: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{version}.xsd")))


def sepa_xml_validate(xml: bytes, *, version: str) -> None:
    """Check a pain.008 file against its XSD; ApplicationError with the first faults otherwise."""
    schema = _schema(version)
    document = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    if not schema.validate(document):
        faults = "; ".join(f"{e.line}: {e.message}" for e in list(schema.error_log)[:5])
        raise ApplicationError(
            _("The SEPA file does not pass its XSD check: %(faults)s") % {"faults": faults}
        )


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def mandates_expire(*, today: dt.date, now: dt.datetime) -> list[str]:
    """Active mandates with no debit presented for 36 months (nor signed within them) expire."""
    limit = _add_months(today, -MANDATE_LIFETIME_MONTHS)
    last_use = {
        row["mandate"]: row["last"]
        for row in SepaDebit.objects.values("mandate").annotate(last=Max("batch__collection_date"))
    }
    expired = []
    for mandate in Mandate.objects.filter(status=MandateStatus.ACTIVE):
        used = last_use.get(mandate.pk) or mandate.signed_on or mandate.created_at.date()
        if used < limit:
            mandate.status = MandateStatus.EXPIRED
            mandate.ended_at = now
            mandate.save(update_fields=["status", "ended_at"])
            expired.append(mandate.rum)
    if expired:
        audit_record(actor=None, action="mandate.expired", obj=None, changes={"rums": expired}, context=None)
    return expired


@dataclass(frozen=True)
class _Debit:
    invoice: Invoice
    mandate: Mandate
    amount: Decimal
    collection_date: dt.date


def _creditor(tenant: Tenant, version: str) -> dict[str, Any]:
    problems = Problems()
    if not tenant.sepa_creditor_id:
        problems.add(
            _("Enter your SEPA creditor identifier (ICS) in the company settings."), field="sepa_creditor_id"
        )
    if not tenant.creditor_iban:
        problems.add(_("Enter your bank account (IBAN) in the company settings."), field="creditor_iban")
    if version == SepaVersion.V02 and not tenant.creditor_bic:
        problems.add(_("Enter your bank's BIC in the company settings."), field="creditor_bic")
    problems.raise_if_any()
    config: dict[str, Any] = {
        "name": tenant.name,
        "IBAN": tenant.creditor_iban.replace(" ", "").upper(),
        "batch": True,
        "creditor_id": tenant.sepa_creditor_id.replace(" ", "").upper(),
        "currency": "EUR",
    }
    if tenant.creditor_bic:
        config["BIC"] = tenant.creditor_bic.upper()
    return config


def _debits_to_make(
    run: BillingRun | None, *, today: dt.date, lead_days: int
) -> tuple[list[_Debit], list[str]]:
    invoices = Invoice.objects.filter(payment_mode=PaymentChannel.SEPA, status__in=UNPAID_STATUSES).exclude(
        sepa_debits__status__in=[SepaDebitStatus.PENDING, SepaDebitStatus.COLLECTED]
    )
    if run is not None:
        invoices = invoices.filter(run=run)
    mandates = {m.customer_id: m for m in Mandate.objects.filter(status=MandateStatus.ACTIVE)}
    earliest = today + dt.timedelta(days=lead_days)
    debits, skipped = [], []
    for invoice in invoices.order_by("sequence", "id"):
        amount = invoice.amount_due
        if amount <= ZERO:
            continue
        mandate = mandates.get(invoice.customer_id)
        if mandate is None or mandate.signed_on is None:
            skipped.append(str(invoice))
            continue
        collection = max(earliest, invoice.debit_date or earliest)
        debits.append(_Debit(invoice, mandate, amount, collection))
    return debits, skipped


def sepa_file_build(
    *, debits: list[_Debit], tenant: Tenant, version: str, message_id: str
) -> tuple[bytes, dict[int, str]]:
    """The pain.008 XML of `debits` (validated against the XSD) and each invoice's end-to-end id."""
    sdd = SepaDD(_creditor(tenant, version), schema=version, clean=True)
    header = sdd._xml.find(sdd.root_el).find("GrpHdr")  # sepaxml draws a random message id
    header.find("MsgId").text = message_id
    sdd.msg_id = message_id
    ids: dict[int, str] = {}
    for debit in debits:
        end_to_end = f"{message_id[-20:]}-{debit.invoice.pk}"[-35:]
        ids[debit.invoice.pk] = end_to_end
        payment: dict[str, Any] = {
            "name": (debit.mandate.account_holder or debit.invoice.customer_name)[:70],
            "IBAN": debit.mandate.iban,
            "amount": int((debit.amount * 100).to_integral_value()),
            "type": debit.mandate.sequence_type,
            "collection_date": debit.collection_date,
            "mandate_id": debit.mandate.rum,
            "mandate_date": debit.mandate.signed_on,
            "description": _("Invoice %(number)s") % {"number": debit.invoice.number},
            "endtoend_id": end_to_end,
        }
        if debit.mandate.bic:
            payment["BIC"] = debit.mandate.bic
        sdd.add_payment(payment)
    xml: bytes = sdd.export(validate=False)
    sepa_xml_validate(xml, version=version)
    return xml, ids


def sepa_batch_generate(
    *,
    tenant: Tenant,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    run: BillingRun | None = None,
    context: AuditContext | None = None,
) -> SepaBatch:
    """The SEPA batch of a run (its SEPA invoices still to collect), or of every such invoice.
    A run that already has a live batch gets it back: never two."""
    settings = billing_settings_get()
    with transaction.atomic():
        if run is not None:
            run = BillingRun.objects.select_for_update().get(pk=run.pk)
            existing = run.sepa_batches.order_by("-id").first()
            if existing is not None:
                return existing
        else:
            # By hand: one generation at a time for the schema (the head row of the chain is not
            # ours to lock; a transaction-level advisory lock is released at commit or death).
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('billing.sepa_batch'))")
        debits, skipped = _debits_to_make(run, today=today, lead_days=settings.sepa_lead_days)
        if not debits:
            raise ApplicationError(_("There is no SEPA invoice to collect (with an active signed mandate)."))
        message_id = f"ISM-{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}".upper()
        xml, ids = sepa_file_build(
            debits=debits, tenant=tenant, version=settings.sepa_version, message_id=message_id
        )
        batch = SepaBatch.objects.create(
            run=run,
            message_id=message_id,
            version=settings.sepa_version,
            collection_date=min(d.collection_date for d in debits),
            debits_count=len(debits),
            total_incl_vat=sum((d.amount for d in debits), ZERO),
            created_by=by,
            created_at=now,
        )
        SepaDebit.objects.bulk_create(
            [
                SepaDebit(
                    batch=batch,
                    invoice=d.invoice,
                    mandate=d.mandate,
                    sequence_type=d.mandate.sequence_type,
                    end_to_end_id=ids[d.invoice.pk],
                    amount_incl_vat=d.amount,
                )
                for d in debits
            ],
            batch_size=1000,
        )
        for mandate in {d.mandate.pk: d.mandate for d in debits}.values():
            if mandate.sequence_type == SequenceType.FIRST:
                mandate_record_debit(mandate=mandate)
        batch.file.save(f"{message_id}.xml", ContentFile(xml), save=True)
        audit_record(
            actor=by,
            action="sepa_batch.generated",
            obj=batch,
            changes={
                "debits": batch.debits_count,
                "total": str(batch.total_incl_vat),
                "without_mandate": skipped[:50],
            },
            context=context,
        )
    return batch


def sepa_batch_settle(
    *,
    batch: SepaBatch,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    context: AuditContext | None = None,
) -> SepaBatch:
    """The bank credited the batch: each pending debit becomes a payment of its invoice."""
    with transaction.atomic():
        batch = SepaBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == SepaBatchStatus.SETTLED:
            raise ApplicationError(_("This batch is already settled."))
        collected = 0
        for debit in batch.debits.filter(status=SepaDebitStatus.PENDING).select_related(
            "invoice", "invoice__customer"
        ):
            debit.payment = payment_record(
                customer=debit.invoice.customer,
                channel=PaymentChannel.SEPA,
                amount=debit.amount_incl_vat,
                received_on=min(batch.collection_date, today),
                reference=debit.end_to_end_id,
                external_id=f"sepa:{debit.end_to_end_id}",
                invoices=[debit.invoice],
                by=by,
                now=now,
                today=today,
                context=context,
            )
            debit.status = SepaDebitStatus.COLLECTED
            debit.save(update_fields=["payment", "status"])
            collected += 1
        batch.status = SepaBatchStatus.SETTLED
        batch.settled_at = now
        batch.save(update_fields=["status", "settled_at"])
        audit_record(
            actor=by,
            action="sepa_batch.settled",
            obj=batch,
            changes={"collected": collected},
            context=context,
        )
    return batch


def sepa_debit_reject(
    *,
    debit: SepaDebit,
    code: str,
    rejected_on: dt.date,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    fee: Any = None,
    context: AuditContext | None = None,
) -> SepaDebit:
    """A debit the bank returned (R-transaction): the invoice is unpaid again, an optional fee."""
    code = (code or "").strip().upper()
    if len(code) != 4 or not code.isalnum():
        raise ApplicationError(_("A reason code has 4 letters or digits (e.g. AM04)."), field="code")
    with transaction.atomic():
        debit = SepaDebit.objects.select_for_update().get(pk=debit.pk)
        if debit.status == SepaDebitStatus.REJECTED:
            raise ApplicationError(_("This debit is already rejected."))
        if debit.payment is not None:
            payment_reject(
                payment=debit.payment,
                code=code,
                rejected_on=rejected_on,
                fee=fee,
                by=by,
                now=now,
                today=today,
                context=context,
            )
        elif fee not in (None, "", "0", 0):
            # Rejected before settlement: nothing was credited; only the fee is charged.
            reject_fee_charge(
                customer=debit.invoice.customer, fee=fee, code=code, on=rejected_on, by=by, now=now
            )
        debit.status = SepaDebitStatus.REJECTED
        debit.reject_code = code
        debit.rejected_on = rejected_on
        debit.save(update_fields=["status", "reject_code", "rejected_on"])
        audit_record(
            actor=by,
            action="sepa_debit.rejected",
            obj=debit.invoice,
            changes={"end_to_end_id": debit.end_to_end_id, "code": code, "fee": str(fee or "")},
            context=context,
        )
    return debit


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def sepa_return_file_read(data: bytes) -> list[tuple[str, str]]:
    """(end-to-end id, reason code) of each rejected transaction of a pain.002 status report or a
    camt.054 notification (the subset banks send for R-transactions)."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        raise ApplicationError(_("This is not a readable XML file."), field="file") from None
    found: list[tuple[str, str]] = []
    for element in root.iter():
        name = _local(element.tag)
        if name not in ("TxInfAndSts", "TxDtls"):
            continue
        end_to_end, code = "", ""
        for child in element.iter():
            child_name = _local(child.tag)
            if child_name in ("OrgnlEndToEndId", "EndToEndId") and not end_to_end:
                end_to_end = (child.text or "").strip()
            if child_name == "Cd" and _local(child.getparent().tag) == "Rsn" and not code:
                code = (child.text or "").strip()
        if end_to_end and code:
            found.append((end_to_end, code))
    return found


def sepa_return_file_import(
    *,
    data: bytes,
    by: User | None,
    now: dt.datetime,
    today: dt.date,
    fee: Any = None,
    context: AuditContext | None = None,
) -> dict[str, list[str]]:
    """Record the rejections of a bank return file; a rejection already recorded is skipped, an
    unknown end-to-end id reported."""
    result: dict[str, list[str]] = {"rejected": [], "already": [], "unknown": []}
    for end_to_end, code in sepa_return_file_read(data):
        debit = SepaDebit.objects.filter(end_to_end_id=end_to_end).first()
        if debit is None:
            result["unknown"].append(end_to_end)
        elif debit.status == SepaDebitStatus.REJECTED:
            result["already"].append(end_to_end)
        else:
            sepa_debit_reject(
                debit=debit,
                code=code,
                rejected_on=today,
                fee=fee,
                by=by,
                now=now,
                today=today,
                context=context,
            )
            result["rejected"].append(end_to_end)
    if not any(result.values()):
        raise ApplicationError(_("The file holds no rejected debit."), field="file")
    return result
