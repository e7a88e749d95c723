"""SEPA direct debits: the pain.008 file passes its XSD (both versions), FRST then RCUR, one batch
per run, settlement, rejections by hand and from the bank's return file, mandates expiring."""

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from billing.models import (
    BillingSettings,
    InvoiceStatus,
    SepaBatch,
    SepaBatchStatus,
    SepaDebit,
    SepaDebitStatus,
)
from billing.services_sepa import (
    mandates_expire,
    sepa_batch_generate,
    sepa_batch_settle,
    sepa_debit_reject,
    sepa_return_file_import,
    sepa_xml_validate,
)
from core.errors import ApplicationError
from customers.models import Mandate, MandateStatus
from tests.billing.conftest import customer
from tests.billing.issued import NOW, issued_invoice
from tests.conftest import in_schema

TODAY = dt.date(2027, 2, 1)
IBANS = ["FR1420041010050500013M02606", "FR7630006000011234567890189", "DE89370400440532013000"]
BICS = ["PSSTFRPPPAR", "AGRIFRPP", "COBADEFFXXX"]


def _creditor(tenant):
    tenant.sepa_creditor_id = "FR72ZZZ123456"
    tenant.creditor_iban = "FR7610107001011234567890129"
    tenant.creditor_bic = "BREDFRPPXXX"
    tenant.save()


def _sepa_customers(n=2, run=None):
    invoices = []
    for i in range(n):
        cust = customer(f"S{i}", payment_mode="sepa")
        Mandate.objects.create(
            customer=cust, rum=f"RUM-S{i}", iban=IBANS[i % 3], bic=BICS[i % 3], account_holder=f"Client S{i}",
            signed_on=dt.date(2026, 5, 1),
        )  # fmt: skip
        invoices.append(
            issued_invoice(
                cust,
                number=f"FA-{i + 1}",
                mode="sepa",
                debit_date=dt.date(2027, 2, 15),
                lines=[("subscription", f"{10 * (i + 1)}.00", "20"), ("usage_national", "1.05", "20")],
                run=run,
            )  # fmt: skip
        )
    return invoices


def _ns(xml: bytes) -> tuple[etree._Element, dict[str, str]]:
    root = etree.fromstring(xml)
    return root, {"p": root.nsmap[None]}


@pytest.mark.parametrize("version", ["pain.008.001.08", "pain.008.001.02"])
def test_the_pain008_file_holds_every_debit_and_passes_its_xsd(acme, version):
    _creditor(acme)
    with in_schema(acme):
        BillingSettings.objects.create(sepa_version=version)
        invoices = _sepa_customers(2)
        batch = sepa_batch_generate(tenant=acme, by=None, now=NOW, today=TODAY)
        xml = batch.file.read()
        sepa_xml_validate(xml, version=version)  # raises otherwise
        root, ns = _ns(xml)
        assert root.nsmap[None].endswith(version)
        assert root.findtext(".//p:GrpHdr/p:MsgId", namespaces=ns) == batch.message_id
        assert root.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=ns) == "2"
        assert root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == "38.52"  # 13.26 + 25.26
        assert root.findtext(".//p:CdtrSchmeId//p:Id/p:PrvtId/p:Othr/p:Id", namespaces=ns) == "FR72ZZZ123456"
        assert root.findtext(".//p:SeqTp", namespaces=ns) == "FRST"
        assert root.findtext(".//p:ReqdColltnDt", namespaces=ns).endswith("2027-02-15")
        mandates = {m.findtext("p:MndtId", namespaces=ns): m.findtext("p:DtOfSgntr", namespaces=ns)
                    for m in root.iterfind(".//p:MndtRltdInf", namespaces=ns)}  # fmt: skip
        assert mandates == {"RUM-S0": "2026-05-01", "RUM-S1": "2026-05-01"}
        amounts = sorted(Decimal(a.text) for a in root.iterfind(".//p:InstdAmt", namespaces=ns))
        assert amounts == [invoices[0].total_incl_vat, invoices[1].total_incl_vat]
        assert batch.debits_count == 2 and batch.total_incl_vat == Decimal("38.52")
        # The mandates' next debits are recurring; nothing left to collect for now.
        assert set(Mandate.objects.values_list("sequence_type", flat=True)) == {"RCUR"}
        with pytest.raises(ApplicationError):
            sepa_batch_generate(tenant=acme, by=None, now=NOW, today=TODAY)


def test_a_broken_file_fails_the_xsd_check():
    with pytest.raises(ApplicationError):
        sepa_xml_validate(
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"><CstmrDrctDbtInitn/></Document>',
            version="pain.008.001.08",
        )


def test_settlement_then_a_rejection_from_the_bank_file_puts_the_invoice_back_to_unpaid(acme, make_user):
    _creditor(acme)
    with in_schema(acme):
        invoices = _sepa_customers(2)
        batch = sepa_batch_generate(tenant=acme, by=None, now=NOW, today=TODAY)
        sepa_batch_settle(batch=batch, by=None, now=NOW, today=dt.date(2027, 2, 16))
        batch.refresh_from_db()
        assert batch.status == SepaBatchStatus.SETTLED
        for invoice in invoices:
            invoice.refresh_from_db()
            assert invoice.status == InvoiceStatus.PAID
        debit = SepaDebit.objects.get(invoice=invoices[0])
        camt = f"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn><Ntfctn><Ntry><NtryDtls>
<TxDtls><Refs><EndToEndId>{debit.end_to_end_id}</EndToEndId></Refs><RtrInf><Rsn><Cd>AM04</Cd></Rsn></RtrInf></TxDtls>
<TxDtls><Refs><EndToEndId>UNKNOWN-1</EndToEndId></Refs><RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf></TxDtls>
</NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>""".encode()
        result = sepa_return_file_import(data=camt, fee="7.50", by=None, now=NOW, today=dt.date(2027, 2, 20))
        assert result == {"rejected": [debit.end_to_end_id], "already": [], "unknown": ["UNKNOWN-1"]}
        again = sepa_return_file_import(data=camt, by=None, now=NOW, today=dt.date(2027, 2, 20))
        assert again["already"] == [debit.end_to_end_id]
        debit.refresh_from_db()
        invoices[0].refresh_from_db()
        assert debit.status == SepaDebitStatus.REJECTED and debit.reject_code == "AM04"
        assert invoices[0].status == InvoiceStatus.ISSUED and invoices[0].amount_paid == Decimal("0.00")
        assert debit.payment.status == "rejected"
        fee = invoices[0].customer.ledger_entries.get(kind="charge")
        assert fee.amount_ttc == Decimal("-9.00")
        # The invoice can be debited again, in a new batch.
        second = sepa_batch_generate(tenant=acme, by=None, now=NOW, today=dt.date(2027, 2, 21))
        assert second.debits_count == 1 and second.debits.get().sequence_type == "RCUR"


def test_a_pain002_rejection_before_settlement_and_a_rejection_by_hand(acme):
    _creditor(acme)
    with in_schema(acme):
        invoices = _sepa_customers(2)
        batch = sepa_batch_generate(tenant=acme, by=None, now=NOW, today=TODAY)
        first, second = (SepaDebit.objects.get(invoice=i) for i in invoices)
        pain002 = f"""<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt><OrgnlPmtInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>{first.end_to_end_id}</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>MD01</Cd></Rsn></StsRsnInf></TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>""".encode()
        sepa_return_file_import(data=pain002, by=None, now=NOW, today=TODAY)
        sepa_debit_reject(debit=second, code="MS02", rejected_on=TODAY, by=None, now=NOW, today=TODAY)
        with pytest.raises(ApplicationError):
            sepa_debit_reject(debit=second, code="bad code", rejected_on=TODAY, by=None, now=NOW, today=TODAY)
        assert set(SepaDebit.objects.values_list("reject_code", flat=True)) == {"MD01", "MS02"}
        sepa_batch_settle(batch=batch, by=None, now=NOW, today=TODAY)
        for invoice in invoices:
            invoice.refresh_from_db()
            assert invoice.status == InvoiceStatus.ISSUED  # nothing was collected


def test_one_batch_per_run_even_asked_twice(acme):
    from billing.models import BillingRun

    _creditor(acme)
    with in_schema(acme):
        run = BillingRun.objects.create(
            period="2027-01", period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 1, 31),
            status="finalized", created_at=NOW,
        )  # fmt: skip
        _sepa_customers(2, run=run)
        first = sepa_batch_generate(tenant=acme, run=run, by=None, now=NOW, today=TODAY)
        again = sepa_batch_generate(tenant=acme, run=run, by=None, now=NOW, today=TODAY)
        assert first.pk == again.pk and SepaBatch.objects.count() == 1 and SepaDebit.objects.count() == 2


def test_missing_creditor_details_are_all_said(acme):
    with in_schema(acme):
        _sepa_customers(1)
        BillingSettings.objects.create(sepa_version="pain.008.001.02")
        with pytest.raises(ApplicationError) as refused:
            sepa_batch_generate(tenant=acme, by=None, now=NOW, today=TODAY)
        assert {f for f, _m in refused.value.field_errors} == {
            "sepa_creditor_id",
            "creditor_iban",
            "creditor_bic",
        }


def test_a_mandate_unused_for_36_months_expires(acme):
    with in_schema(acme):
        old = customer("OLD", payment_mode="sepa")
        Mandate.objects.create(
            customer=old, rum="RUM-OLD", iban=IBANS[0], bic=BICS[0], signed_on=dt.date(2023, 1, 5)
        )
        recent = customer("NEW", payment_mode="sepa")
        Mandate.objects.create(
            customer=recent, rum="RUM-NEW", iban=IBANS[1], bic=BICS[1], signed_on=dt.date(2024, 3, 1)
        )
        assert mandates_expire(today=dt.date(2027, 2, 1), now=NOW) == ["RUM-OLD"]
        assert Mandate.objects.get(rum="RUM-OLD").status == MandateStatus.EXPIRED
        assert Mandate.objects.get(rum="RUM-NEW").status == MandateStatus.ACTIVE
