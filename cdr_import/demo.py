"""Demo feed of a tenant: the operator files of last month and of the month before (the month the
demo bills, so that its revenue faces its cost), and this month's daily ones until yesterday, for
its real demo lines, in its local feed folder, taken by the same poller as a real feed (so
imports, CDRs and consumption are visible).

One RatedCDRs file per day and the month's BilledCDRs file (which confirms them, corrects one cost
and lacks one CDR, flagged "not billed by the operator"), named as FORMATS.md says. A few thousand
CDRs per tenant, so the demo stays fast. The first lines use a lot of data on the 20th, so the
month brings consumption alerts (80 % and 100 % of their data allowance) through the real path.
`Factures/Intégrateur/` receives the operator's PDF invoice to the tenant and, for the integrator,
an operator invoice export (`.mdb`, the Northwind sample of the tests) read through a saved
operator-invoice profile, one of its references attached to the portal's demo customer.
Idempotent: files are written once, taken once.
"""

import datetime as dt
import random
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from cdr_import.models import FeedFolder, FeedFolderKey
from cdr_import.selectors import feed_import_settings_get
from cdr_import.services_polling import RETOURS, feed_folder_paths, feed_folder_poll, feed_folders_ensure
from cdr_import.store import PARIS
from provisioning.models import LineStatus, MobileLine
from tenants.models import FeedAccess, TenantKind
from tenants.platform.feed_access import expected_folders

DEMO_LINES = 80
HEAVY_LINES = 5  # lines with a heavy data day (consumption alerts)
HEAVY_BYTES = 6_000_000_000
MDB_SAMPLE = Path(settings.BASE_DIR) / "tests" / "cdr_import" / "data" / "mdb" / "nwind.mdb"
DEMO_INVOICE_PROFILE: dict[str, Any] = {
    "code": "sofia-demo",
    "label": "SOFIA (export de démonstration)",
    "operator_code": "SOFIA",
    "line_table": "Order Details",
    "joins": [{"table": "Orders", "on": "OrderID", "to": "OrderID"}],
    "columns": {
        "INVOICE_REF": "Orders.OrderID",
        "INVOICE_DATE": "Orders.OrderDate",
        "ACCOUNT_REF": "Orders.CustomerID",
        "CHARGE_TYPE": "=USAGE",
        "DESCRIPTION": "ProductID",
        "PERIOD_START": "Orders.OrderDate",
        "PERIOD_END": "Orders.RequiredDate",
        "QUANTITY": "Quantity",
    },
    "unit_price": "UnitPrice",
    "default_vat_rate": Decimal("20"),
    "is_default": True,
}
HEADER = (
    "CDR_ID;EVENT_TYPE;MSISDN;IMSI;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;ROAMING_COUNTRY;"
    "DESTINATION_LABEL;APN;WHOLESALE_COST"
)
EVENTS = [  # (type, weight)
    ("VOICE_MO", 40),
    ("VOICE_MT", 15),
    ("SMS_MO", 20),
    ("DATA", 25),
]
DESTINATIONS = [
    ("336", "MOBILE FRANCE"),
    ("331", "FIXE FRANCE"),
    ("3491", "FIXE ESPAGNE"),
    ("447", "MOBILE UK"),
]


def _cost(value: Decimal) -> str:
    return f"{value:.4f}".replace(".", ",")


def _month_before(today: dt.date) -> tuple[dt.date, int]:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.replace(day=1), first.day


def _events(tenant: Any, numbers: list[str], month: dt.date, days: int) -> dict[int, list[list[str]]]:
    """The month's events per day (deterministic for the tenant)."""
    rng = random.Random(f"feed-{tenant.schema_name}-{month:%Y%m}")  # noqa: S311 (demo data)
    types = [t for t, w in EVENTS for _ in range(w)]
    by_day: dict[int, list[list[str]]] = {}
    serial = 0
    for day in range(1, days + 1):
        rows = []
        for number in numbers:
            for _event in range(rng.choice((0, 1, 1, 2))):
                serial += 1
                kind = rng.choice(types)
                start = dt.datetime(
                    month.year,
                    month.month,
                    day,
                    rng.randint(7, 21),
                    rng.randint(0, 59),
                    rng.randint(0, 59),
                    tzinfo=PARIS,
                )
                roaming = rng.choice(["", "", "", "", "", "", "ES", "IT"])
                prefix, label = rng.choice(DESTINATIONS[:2] if not roaming else DESTINATIONS)
                called = prefix + "".join(str(rng.randint(0, 9)) for _d in range(11 - len(prefix)))
                duration, volume, apn = "0", "0", ""
                if kind in ("VOICE_MO", "VOICE_MT"):
                    duration = str(rng.randint(5, 900))
                    cost = Decimal(duration) * Decimal("0.0002")
                elif kind == "SMS_MO":
                    cost = Decimal("0.0100")
                else:
                    called, label, apn = "", "DATA", "internet"
                    volume = str(rng.randint(100_000, 60_000_000))
                    cost = Decimal(volume) / Decimal(1_000_000_000)
                rows.append(
                    [
                        f"DEMO-{tenant.operator_code}-{month:%Y%m}-{serial:06d}",
                        kind,
                        number,
                        "",
                        f"{start:%Y-%m-%d %H:%M:%S}",
                        duration,
                        volume,
                        called if kind != "VOICE_MT" else "33" + called[-9:],
                        roaming,
                        label,
                        apn,
                        _cost(cost),
                    ]
                )
        if day == min(20, days):
            for index, number in enumerate(numbers[:HEAVY_LINES]):  # a heavy data day
                serial += 1
                rows.append(
                    [
                        f"DEMO-{tenant.operator_code}-{month:%Y%m}-{serial:06d}",
                        "DATA",
                        number,
                        "",
                        f"{month:%Y-%m}-{day:02d} 18:{index:02d}:00",
                        "0",
                        str(HEAVY_BYTES),
                        "",
                        "",
                        "DATA",
                        "internet",
                        _cost(Decimal(HEAVY_BYTES) / Decimal(1_000_000_000)),
                    ]
                )
        by_day[day] = sorted(rows, key=lambda r: r[4])
    return by_day


def _write(path: Path, header: str, rows: list[list[str]]) -> None:
    lines = [header, *(";".join(r) for r in rows), f"TRAILER;{len(rows)}"]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def _write_month(tenant: Any, root: Path, *, today: dt.date) -> None:
    numbers = list(
        MobileLine.objects.filter(status=LineStatus.ACTIVE)
        .order_by("id")
        .values_list("msisdn", flat=True)[:DEMO_LINES]
    )
    if not numbers:
        return
    rated = root / feed_folder_paths(FeedFolderKey.RATED, kind=tenant.kind)[0]
    billed = root / feed_folder_paths(FeedFolderKey.BILLED, kind=tenant.kind)[0]
    _write_current_month(tenant, rated, numbers, today=today)
    last, _days = _month_before(today)
    # The month before last too: the month the demo's billing run invoices (billing/demo.py), so
    # that the financial report faces its revenue with the cost of its CDRs. In one RatedCDRs file
    # (the operator's catch-up), not thirty: each import holds locks until the end of a seeding
    # run in one transaction (the tests), and the server's lock table is shared.
    before, before_days = _month_before(last)
    _write_past_month(tenant, rated, billed, numbers, month=before, days=before_days, daily=False)
    month, days = _month_before(today)
    _write_past_month(tenant, rated, billed, numbers, month=month, days=days, daily=True)


def _write_past_month(
    tenant: Any, rated: Path, billed: Path, numbers: list[str], *, month: dt.date, days: int, daily: bool
) -> None:
    """A past month's RatedCDRs files (one a day, or one for the month) and its BilledCDRs file
    (written once)."""
    billed_name = billed / f"BilledCDRs_MOBILE_{tenant.operator_code}_{month:%Y%m}.csv"
    if billed_name.exists():
        return
    everything: list[list[str]] = []
    for day, rows in _events(tenant, numbers, month, days).items():
        if daily:
            stamp = dt.datetime(month.year, month.month, day, 23, 30, tzinfo=PARIS)
            _write(rated / f"RatedCDRs_MOBILE_{tenant.operator_code}_{stamp:%Y%m%d%H%M%S}.csv", HEADER, rows)
        everything += rows
    if not daily:
        stamp = dt.datetime(month.year, month.month, days, 23, 59, tzinfo=PARIS)
        _write(
            rated / f"RatedCDRs_MOBILE_{tenant.operator_code}_{stamp:%Y%m%d%H%M%S}.csv", HEADER, everything
        )
    # The operator's month: every event but one, one cost corrected.
    billed_rows = [[*r, f"{month:%Y-%m}", f"FAC-{tenant.operator_code}-{month:%Y%m}"] for r in everything[1:]]
    if billed_rows:
        billed_rows[0][11] = _cost(Decimal(billed_rows[0][11].replace(",", ".")) + Decimal("0.0100"))
    _write(billed_name, HEADER + ";BILLING_PERIOD;OPERATOR_INVOICE_REF", billed_rows)


def _write_current_month(tenant: Any, rated: Path, numbers: list[str], *, today: dt.date) -> None:
    """This month's daily files until yesterday (the operator sends each day's the next day), so
    that the consumption charts of this month are not empty; a day's file is written once."""
    month = today.replace(day=1)
    if today.day == 1:
        return
    for day, rows in _events(tenant, numbers, month, today.day - 1).items():
        stamp = dt.datetime(month.year, month.month, day, 23, 30, tzinfo=PARIS)
        path = rated / f"RatedCDRs_MOBILE_{tenant.operator_code}_{stamp:%Y%m%d%H%M%S}.csv"
        if not path.exists():
            _write(path, HEADER, rows)


def seed_tenant(tenant: Any) -> None:
    """Fill the tenant's local feed folder with the past months' files and take them like the poller."""
    root = Path(settings.STATE_DIR) / "feeds" / tenant.schema_name
    for name in [*expected_folders(tenant.kind), RETOURS]:
        (root / name).mkdir(parents=True, exist_ok=True)
    access, _created = FeedAccess.objects.get_or_create(
        tenant=tenant, defaults={"protocol": "local", "root_path": str(root)}
    )
    if access.protocol != "local":
        return
    root = Path(access.root_path)
    (root / RETOURS).mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    _write_month(tenant, root, today=now.astimezone(PARIS).date())
    feed_folders_ensure(kind=tenant.kind)
    report = feed_import_settings_get()
    if tenant.schema_name == "acme" and not report.report_to_retours:
        report.report_to_retours = True
        report.save(update_fields=["report_to_retours"])
    stable = dt.timedelta(seconds=report.stable_seconds + 1)
    _write_invoices(tenant, root, today=now.astimezone(PARIS).date())
    for key in (FeedFolderKey.RATED, FeedFolderKey.BILLED, FeedFolderKey.OPERATOR_INVOICE):
        folder = FeedFolder.objects.get(key=key)
        # Two listings, the second after the stability delay: each complete file is taken once.
        feed_folder_poll(folder=folder, tenant=tenant, by=None, now=now - stable)
        feed_folder_poll(folder=folder, tenant=tenant, by=None, now=now)
    _attach_demo_reference(now)


def _write_invoices(tenant: Any, root: Path, *, today: dt.date) -> None:
    """Last month's operator PDF invoice and, for an integrator, an operator invoice export (.mdb)."""
    from core.documents import render_pdf
    from core.money import format_amount

    folder = root / feed_folder_paths(FeedFolderKey.OPERATOR_INVOICE, kind=tenant.kind)[0]
    folder.mkdir(parents=True, exist_ok=True)
    month, _days = _month_before(today)
    pdf = folder / f"Facture_{tenant.operator_code}_{month:%Y%m}.pdf"
    if not pdf.exists():
        amount = format_amount(Decimal(1234) + Decimal(len(tenant.schema_name)) / 100)
        pdf.write_bytes(
            render_pdf("cdr_import/operator_pdf_demo.html", {"month": f"{month:%m/%Y}", "amount": amount})
        )
    if tenant.kind == TenantKind.VNO or not MDB_SAMPLE.exists():
        return
    from cdr_import.models_invoices import OperatorInvoiceProfile
    from cdr_import.operator_invoices import operator_invoice_profile_create

    if not OperatorInvoiceProfile.objects.filter(code=DEMO_INVOICE_PROFILE["code"]).exists():
        operator_invoice_profile_create(values=dict(DEMO_INVOICE_PROFILE), by=None)
    export = folder / f"SOFIA_{month:%Y%m}.mdb"
    if not export.exists():
        shutil.copyfile(MDB_SAMPLE, export)


def _attach_demo_reference(now: dt.datetime) -> None:
    """One operator reference attached to the portal's demo customer (its invoices then show there)."""
    from cdr_import.models_invoices import OperatorReference
    from cdr_import.operator_invoices import operator_reference_assign
    from customers.models import Customer

    customer = Customer.objects.filter(number="C000001").first()
    if customer is None or OperatorReference.objects.filter(customer=customer).exists():
        return
    reference = OperatorReference.objects.filter(customer__isnull=True).order_by("value").first()
    if reference is not None:
        operator_reference_assign(reference=reference, customer=customer, by=None, now=now)
