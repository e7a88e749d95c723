"""Fixtures of the line tests: customers, offers, SIMs and active lines created directly (the
orders that normally create lines are another part's job)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import in_schema

NOW = timezone.make_aware(dt.datetime(2026, 11, 10, 10, 0))
TODAY = dt.date(2026, 11, 10)


def make_customer(number: str, **fields: Any) -> Any:
    from customers.models import Customer

    return Customer.objects.create(number=number, kind="business", company_name=f"CLIENT {number}", **fields)


def make_offer(code: str = "MOB20", price: str = "20.00", rule: str = "remaining") -> Any:
    from offers.models import Offer

    return Offer.objects.get_or_create(
        code=code, defaults={"label": f"Offer {code}", "price": Decimal(price), "termination_rule": rule}
    )[0]


def make_sim(iccid: str, state: str = "available") -> Any:
    from provisioning.models import Sim

    return Sim.objects.create(iccid=iccid, imsi="2080" + iccid[-11:], order_ref="CMD1", state=state)


def make_line(msisdn: str, customer: Any, offer: Any, **fields: Any) -> Any:
    from provisioning.models import MobileLine

    sim = fields.pop("sim", None) or make_sim("8933" + msisdn[-11:].rjust(15, "0"), state="active")
    return MobileLine.objects.create(
        msisdn=msisdn,
        customer=customer,
        offer=offer,
        sim=sim,
        status=fields.pop("status", "active"),
        activated_on=fields.pop("activated_on", dt.date(2026, 1, 10)),
        **fields,
    )


@pytest.fixture
def acme_line(acme: Any) -> Callable[..., Any]:
    """`acme_line()` → an active line of a new acme customer (created in acme's schema)."""

    def _make(msisdn: str = "33612345678", **fields: Any) -> Any:
        with in_schema(acme):
            customer = fields.pop("customer", None) or make_customer(f"C{msisdn[-6:]}")
            return make_line(msisdn, customer, fields.pop("offer", None) or make_offer(), **fields)

    return _make


def confirm_all(now: dt.datetime = NOW) -> list[Any]:
    """The operator confirms every sent action (in the current schema)."""
    from provisioning.gateway import ActionOutcome
    from provisioning.models import LineAction, LineActionStatus
    from provisioning.services.lines import line_action_outcome_record

    sent = LineAction.objects.filter(status=LineActionStatus.SENT).order_by("pk")
    return [
        line_action_outcome_record(outcome=ActionOutcome(pk, confirmed=True, at=now), now=now)
        for pk in sent.values_list("pk", flat=True)
    ]
