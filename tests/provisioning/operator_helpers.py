"""Helpers of the operator-link tests: a customer, an offer and lines on the sample SIMs."""

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.provisioning.conftest import NOW, SAMPLES

SAMPLE_STATUS = SAMPLES / "AccountStatus_ACME_20261021150000.csv"
SAMPLE_VGA = SAMPLES / "Account_VGA_NOVA_20261021.csv"
LATER = NOW + dt.timedelta(hours=3)


def customer(number: str = "C900001") -> Any:
    from customers.models import Customer

    return Customer.objects.get_or_create(
        number=number, defaults={"kind": "business", "company_name": "CLIENT TEST"}
    )[0]


def offer(code: str = "ORG-5GO") -> Any:
    from offers.models import Offer

    return Offer.objects.get_or_create(code=code, defaults={"label": code, "price": Decimal("10.00")})[0]


def line(msisdn: str, *, iccid: str = "", who: Any = None, **fields: Any) -> Any:
    from provisioning.models import MobileLine, Sim

    sim = Sim.objects.get(iccid=iccid) if iccid else None
    if sim is not None and fields.get("status", "active") in ("active", "suspended"):
        Sim.objects.filter(pk=sim.pk).update(
            state="active" if fields.get("status", "active") == "active" else "suspended"
        )
    return MobileLine.objects.create(
        msisdn=msisdn,
        sim=sim,
        customer=who or customer(),
        offer=offer(),
        **{"status": "active", "international": "EUROPE", **fields},
    )


def action(kind: str, *, at: dt.datetime = NOW, **fields: Any) -> Any:
    from provisioning.models import LineAction

    return LineAction.objects.create(kind=kind, requested_at=at, **fields)


def snapshot(*rows: str) -> bytes:
    header = "ICCID;IMSI;MSISDN;STATUS;STATUS_DATE;OFFER_CODE;INTERNATIONAL"
    return ("\n".join([header, *rows]) + "\n").encode()


def status_row(iccid: str, imsi: str, msisdn: str, status: str, international: str = "EUROPE") -> str:
    return f"{iccid};{imsi};{msisdn};{status};2026-10-21 14:00:00;ORG-5GO;{international}"
