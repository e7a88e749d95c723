"""`make bench` (SEPA): the pain.008 file of 10,000 debits built with sepaxml and checked against
its XSD, timed (issue #13: under 10 s). The debits are in memory: building and checking the file
is what is measured, not the database.
"""

import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ism.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ism_bench")

DEBITS = 10_000
TARGET_SECONDS = 10.0
IBANS = ["FR1420041010050500013M02606", "FR7630006000011234567890189", "DE89370400440532013000"]
BICS = ["PSSTFRPPPAR", "AGRIFRPP", "COBADEFFXXX"]


def sepa_debits(count: int) -> list:
    from billing.models import Invoice
    from billing.services_sepa import _Debit
    from customers.models import Mandate

    debits = []
    for i in range(count):
        invoice = Invoice(pk=i + 1, number=f"FA2027-{i + 1:06d}", customer_name=f"Client {i}")
        mandate = Mandate(
            rum=f"RUM-{i:06d}",
            iban=IBANS[i % 3],
            bic=BICS[i % 3],
            account_holder=f"Client numéro {i}",
            signed_on=dt.date(2025, 1, 1),
            sequence_type="RCUR" if i % 4 else "FRST",
        )
        amount = Decimal(10 + i % 90) + Decimal("0.99")
        debits.append(_Debit(invoice, mandate, amount, dt.date(2027, 2, 10)))
    return debits


def main() -> int:
    import django

    django.setup()
    from billing.models import SepaVersion
    from billing.services_sepa import sepa_file_build
    from tenants.models import Tenant

    tenant = Tenant(
        name="Bench Télécom",
        sepa_creditor_id="FR72ZZZ123456",
        creditor_iban="FR7610107001011234567890129",
        creditor_bic="BREDFRPPXXX",
    )
    debits = sepa_debits(DEBITS)
    ok = True
    for version in (SepaVersion.V08, SepaVersion.V02):
        started = time.perf_counter()
        xml, ids = sepa_file_build(debits=debits, tenant=tenant, version=version, message_id="BENCH-1")
        elapsed = time.perf_counter() - started
        good = elapsed < TARGET_SECONDS and len(ids) == DEBITS
        ok = ok and good
        print(
            f"SEPA {version}: {DEBITS:,} debits, {len(xml) / 1e6:.1f} MB, built and XSD-checked in "
            f"{elapsed:.2f} s (target < {TARGET_SECONDS:.0f} s) {'OK' if good else 'TOO SLOW'}",
            flush=True,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
