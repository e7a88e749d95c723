"""Builders of the billing tests: a catalogue, lines and CDR files written in the operator's layout."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from cdr_import.services import import_file

NOW = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)
HEADER = "CDR_ID;EVENT_TYPE;MSISDN;IMSI;START_TIME;DURATION_S;VOLUME_BYTES;CALLED_NUMBER;ROAMING_COUNTRY;DESTINATION_LABEL;APN;WHOLESALE_COST"


def rate_table(code: str = "T1"):
    """National 0.30 €/min in 60/60, mobiles 0.20 €/min in 60/1, SMS 0.10, data 0.01 €/MB."""
    from offers.models import Rate, RateTable

    table = RateTable.objects.create(code=code, label=code)
    rows = [
        ("33", "France", "FR_FIXED", "VOICE", "0.30", "MIN", 60, 60),
        ("336", "Mobiles", "FR_MOBILE", "VOICE", "0.20", "MIN", 60, 1),
        ("338", "Spéciaux", "FR_SPECIAL", "VOICE", "0.80", "MIN", 60, 60),
        ("44", "Royaume-Uni", "INTL_1", "VOICE", "0.50", "MIN", 60, 60),
        ("33", "SMS", "FR_MOBILE", "SMS", "0.10", "EVENT", 1, 1),
        ("", "Data", "FR_DATA", "DATA", "0.01", "MB", 1, 1),
    ]
    for prefix, dest, zone, kind, price, unit, first, nxt in rows:
        Rate.objects.create(
            table=table, prefix=prefix, destination=dest, zone=zone, event_type=kind, price=Decimal(price),
            unit=unit, first_increment=first, next_increment=nxt, valid_from=dt.date(2020, 1, 1),
        )  # fmt: skip
    return table


def offer(code: str, price: str, *, timing: str = "arrears", table=None, vat: str = "20", **fields):
    from offers.models import Offer

    return Offer.objects.create(
        code=code, label=f"Forfait {code}", price=Decimal(price), billing_timing=timing,
        default_rate_table=table, vat_rate=Decimal(vat), **fields,
    )  # fmt: skip


def customer(number: str = "C1", **fields):
    from customers.models import Customer

    fields.setdefault("company_name", f"Client {number}")
    fields.setdefault("payment_mode", "transfer")
    return Customer.objects.create(number=number, **fields)


def line(cust, the_offer, msisdn: str, activated: dt.date, terminated: dt.date | None = None, **order_fields):
    """A mobile line, with the order line it came from (timing, discount, terminal)."""
    from provisioning.models import LineStatus, MobileLine, Order, OrderLine

    status = LineStatus.TERMINATED if terminated else LineStatus.ACTIVE
    mobile = MobileLine.objects.create(
        msisdn=msisdn,
        customer=cust,
        offer=the_offer,
        status=status,
        activated_on=activated,
        terminated_on=terminated,
    )
    order = Order.objects.create(number=f"CMD-{msisdn}", customer=cust, status="completed")
    order_fields.setdefault("billing_timing", the_offer.billing_timing)
    OrderLine.objects.create(order=order, offer=the_offer, line=mobile, msisdn=msisdn, **order_fields)
    return mobile


def cdr_file(tmp_path: Path, name: str, rows: list[tuple], *, billed_period: str = "") -> Path:
    """rows: (cdr_id, event, msisdn, 'YYYY-MM-DD HH:MM:SS', duration, bytes, called)."""
    out = [HEADER + (";BILLING_PERIOD;OPERATOR_INVOICE_REF" if billed_period else "")]
    for cdr_id, event, msisdn, start, duration, volume, called in rows:
        row = f"{cdr_id};{event};{msisdn};20815900000000;{start};{duration};{volume};{called};;;;0,0100"
        out.append(row + (f";{billed_period};FAC-OP-1" if billed_period else ""))
    out.append(f"TRAILER;{len(rows)}")
    path = tmp_path / name
    path.write_bytes(("\r\n".join(out) + "\r\n").encode())
    return path


def load(path: Path):
    done = import_file(path=path, source="command", by=None, now=NOW)
    assert done.status == "done", (done.status, done.reason)
    return done


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield
