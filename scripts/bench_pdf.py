"""`make bench` (invoice PDFs): render 1–2 page business invoices through the one PDF path
(`billing.documents.invoice_pdf`: WeasyPrint, PDF/A-3b, the Factur-X XML checked against its XSD
and written into the PDF in the same pass), in 1 then 2 processes.

No database: the documents are described as `billing.documents` describes an issued invoice (a
seller snapshot, 12 lines at two VAT rates, a page of call detail). Target (issue #13): at least
5 invoices per second per worker process, growing with the processes.
"""

import datetime as dt
import multiprocessing
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ism.settings")
PER_PROCESS = int(os.environ.get("BENCH_PDF_INVOICES", "40"))


def _facts(n: int) -> dict:
    lines = [
        {"label": f"Forfait Mobile Pro — 06 12 34 56 {i:02d}", "detail": "", "quantity": Decimal(1),
         "unit_price": Decimal("24.90"), "amount": Decimal("24.90"), "vat_rate": Decimal(20), "category": "subscription"}
        for i in range(10)
    ] + [
        {"label": "Communications nationales", "detail": "", "quantity": Decimal(42), "unit_price": Decimal("0.0850"),
         "amount": Decimal("3.57"), "vat_rate": Decimal(20), "category": "usage_national"},
        {"label": "Frais de facture papier", "detail": "", "quantity": Decimal(1), "unit_price": Decimal("2.00"),
         "amount": Decimal("2.00"), "vat_rate": Decimal("5.5"), "category": "service"},
    ]  # fmt: skip
    party = {"name": "Transports Dupont SARL", "address_lines": ["12 rue des Lilas"], "postal_code": "69003",
             "city": "Lyon", "country": "FR", "siren": "732829320", "vat_number": "FR44732829320"}  # fmt: skip
    seller = {"name": "Acme Télécom SAS", "legal_name": "Acme Télécom SAS", "address_lines": ["1 rue de la Paix"],
              "postal_code": "75002", "city": "Paris", "country": "FR", "siren": "443061841",
              "vat_number": "FR47443061841", "iban": "FR7630006000011234567890189"}  # fmt: skip
    return {
        "credit_note": False, "number": f"F2027-{n:05d}", "issue_date": dt.date(2027, 2, 3), "seller": seller,
        "buyer": party, "ship_to": None, "payment_mode": "transfer", "mandate_reference": "", "creditor_id": "",
        "seller_iban": seller["iban"], "vat_on_debits": False, "period_start": dt.date(2027, 1, 1),
        "period_end": dt.date(2027, 1, 31), "due_date": dt.date(2027, 3, 5), "total_excl_vat": Decimal("254.57"),
        "total_vat": Decimal("50.22"), "total_incl_vat": Decimal("304.79"), "lines": lines,
        "vat_lines": [{"rate": Decimal("5.5"), "base": Decimal("2.00"), "vat": Decimal("0.11")},
                      {"rate": Decimal(20), "base": Decimal("252.57"), "vat": Decimal("50.51")}],
        "invoice_reference": None, "business": True,
    }  # fmt: skip


def _context(facts: dict) -> dict:
    events = [
        {"time": dt.datetime(2027, 1, 1 + i % 28, 10, i % 60, tzinfo=dt.UTC), "event": "VOICE_MO", "called": "3361234XXXX",
         "quantity": "2 min 05 s", "destination": "Mobiles", "amount": Decimal("0.4200")}
        for i in range(40)
    ]  # fmt: skip
    return {
        "specimen": False, "credit_note": False, "brand_color": "#1f4fd1",
        "tenant": {"name": "Acme Télécom", "legal_name": "Acme Télécom SAS", "siren": "443061841"},
        "invoice": {"number": facts["number"], "date": facts["issue_date"], "due_date": facts["due_date"],
                    "period_start": facts["period_start"], "period_end": facts["period_end"], "payment_mode": "transfer",
                    "total_ht": facts["total_excl_vat"], "total_vat": facts["total_vat"],
                    "total_ttc": facts["total_incl_vat"], "category": "Prestations de services"},
        "customer": {"number": "C000123", "name": "Transports Dupont SARL", "address": ["12 rue des Lilas", "69003 Lyon"],
                     "siren": "732829320", "vat_number": "FR44732829320", "business": True},
        "lines": facts["lines"], "vat_lines": facts["vat_lines"], "payment_text": "Virement à l'échéance.",
        "late_payment_text": "Pénalités de retard : trois fois le taux d'intérêt légal ; indemnité forfaitaire de 40 €.",
        "call_detail": [{"line": "33612345600", "events": events}], "call_detail_left_out": 0,
    }  # fmt: skip


def _render(count: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for `count` invoices after a warm-up."""
    import django

    django.setup()
    from billing.documents import invoice_pdf
    from core.documents import pdf_batch

    invoice_pdf(_context(_facts(0)), _facts(0))  # warm-up: fonts, templates
    with pdf_batch():  # as billing.issuing.run_pdfs_render renders a run
        start, cpu = time.perf_counter(), time.process_time()
        for n in range(1, count + 1):
            facts = _facts(n)
            invoice_pdf(_context(facts), facts)  # the product's path: billing.documents.document_pdf
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> int:
    ok = True
    for processes in (1, 2):
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            started = time.perf_counter()
            results = pool.map(_render, [PER_PROCESS] * processes)
            wall = time.perf_counter() - started
        timings = [t for t, _cpu in results]
        per_process = [PER_PROCESS / t for t in timings]
        total = PER_PROCESS * processes / max(timings)
        cpu_each = max(cpu for _t, cpu in results) / PER_PROCESS
        print(
            f"invoice PDFs (Factur-X), {processes} process(es): {total:.1f} invoices/s in all, "
            f"{min(per_process):.1f}/s per process (wall {wall:.1f} s with start-up); "
            f"{cpu_each:.3f} CPU s per invoice, i.e. {1 / cpu_each:.1f}/s per process on a free core"
        )
        ok = ok and min(per_process) >= 5
    print("target: ≥ 5 invoices/s per process —", "met" if ok else "NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
