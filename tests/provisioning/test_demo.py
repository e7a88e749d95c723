"""The provisioning demo: a SIM stock, a few hundred lines over the demo customers in every state,
pending portability orders, actions in each state, disagreements, fixed numbers for the VNO;
fast and idempotent."""

import datetime as dt
import time

import pytest

from tests.conftest import in_schema

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _counts():
    from provisioning.models import FixedNumber, LineAction, MobileLine, OperatorDisagreement, Order, Sim

    return [
        m.objects.count() for m in (Sim, MobileLine, Order, LineAction, OperatorDisagreement, FixedNumber)
    ]


@pytest.mark.parametrize("schema", ["acme", "nova"])
def test_demo_lines_are_varied_valid_and_seeded_once(request, schema):
    from customers.demo import seed_tenant as seed_customers
    from offers.demo import seed_tenant as seed_offers
    from provisioning.demo import seed_tenant
    from provisioning.models import LineAction, MobileLine, OrderLine, Sim
    from provisioning.rio import rio_check

    tenant = request.getfixturevalue(schema)
    with in_schema(tenant):
        seed_customers(tenant)
        seed_offers(tenant)
        started = time.monotonic()
        seed_tenant(tenant, now=NOW)
        assert time.monotonic() - started < 10
        counts = _counts()
        seed_tenant(tenant, now=NOW + dt.timedelta(days=1))
        assert _counts() == counts
        sims, lines, orders, actions, disagreements, fixed = counts
        assert sims >= 300 and lines >= 300 and orders > 0 and disagreements > 0
        assert set(Sim.objects.values_list("state", flat=True)) >= {
            "available",
            "reserved",
            "active",
            "suspended",
        }
        assert set(MobileLine.objects.values_list("status", flat=True)) == {
            "active",
            "suspended",
            "terminated",
        }
        assert MobileLine.objects.filter(status="active").count() >= 250
        assert MobileLine.objects.values("customer").distinct().count() >= 250
        assert set(LineAction.objects.values_list("status", flat=True)) == {
            "requested",
            "sent",
            "confirmed",
            "failed",
        }
        for order_line in OrderLine.objects.filter(line_type="port"):
            assert rio_check(order_line.port_msisdn, order_line.rio).valid
            assert order_line.sim.state == "reserved"
        assert (fixed > 0) == (tenant.kind == "vno")


def test_the_demo_portability_orders_stay_pending_until_their_porting_date(acme):
    """The operator (the simulator, here with no delay) ports on the porting date: polled on the
    demo's day, the pending portability orders stay pending; on the latest porting date, the
    port-ins are all answered."""
    from customers.demo import seed_tenant as seed_customers
    from offers.demo import seed_tenant as seed_offers
    from provisioning.demo import seed_tenant
    from provisioning.gateway import SimulatorGateway
    from provisioning.models import LineAction, Order, OrderLine

    with in_schema(acme):
        seed_customers(acme)
        seed_offers(acme)
        seed_tenant(acme, now=NOW)
        port_ins = LineAction.objects.filter(kind="port_in")
        assert port_ins.count() > 0 and set(port_ins.values_list("status", flat=True)) == {"sent"}
        gateway = SimulatorGateway(delay_seconds=0)
        answered = {outcome.action_id for outcome in gateway.poll(now=NOW)}
        assert answered.isdisjoint(port_ins.values_list("pk", flat=True))
        assert set(Order.objects.filter(number__startswith="CMD-DEMO-").values_list("status", flat=True)) == {
            "validated"
        }
        last = max(OrderLine.objects.filter(line_type="port").values_list("porting_date", flat=True))
        on_the_day = dt.datetime.combine(last, dt.time(9), tzinfo=dt.UTC)
        answered = {outcome.action_id for outcome in gateway.poll(now=on_the_day)}
        assert set(port_ins.values_list("pk", flat=True)) <= answered
