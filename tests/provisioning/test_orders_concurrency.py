"""Two orders validated at the same instant with the same SIM, in two real concurrent transactions
(two threads, each with its own database connection): one wins, the other is refused clearly.

The data must be committed for the other connections to see it, so the test cleans up after itself.
"""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection, connections

from tests.conftest import in_schema
from tests.provisioning.conftest import NOW, luhn_complete
from tests.provisioning.test_orders import TODAY


def _validate_in_thread(tenant, order_id, barrier, results, key):
    from core.errors import ApplicationError
    from provisioning.models import Order
    from provisioning.orders.services import order_validate

    try:
        with in_schema(tenant):
            order = Order.objects.get(pk=order_id)
            barrier.wait(timeout=10)
            try:
                order_validate(order=order, by=None, now=NOW)
                results[key] = "validated"
            except ApplicationError as exc:
                results[key] = exc
    except Exception as exc:  # noqa: BLE001 - reported by the test below
        results[key] = exc
    finally:
        connections.close_all()


def test_the_same_sim_in_two_orders_validated_at_once_goes_to_one_only(committed_db):
    from audit.models import AuditEvent
    from core.errors import ApplicationError
    from customers.models import Customer
    from offers.models import Offer
    from provisioning.models import LineAction, MobileLine, Order, OrderStatus, Sim, SimState
    from provisioning.orders.services import OrderLineInput, order_create
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    tag = uuid.uuid4().hex[:8]
    digits = str(int(tag, 16) % 10**9).zfill(9)
    with in_schema(acme):
        last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        customer = Customer.objects.create(number=f"RACE{digits[:8]}", kind="business", company_name="RACE")
        offer = Offer.objects.create(code=f"RACE-{tag}", label="Race", price=Decimal("10"))
        sim = Sim.objects.create(
            iccid=luhn_complete("893301" + digits + "0000"),
            imsi="20815" + digits[:10].ljust(10, "0"),
            msisdn="3378" + digits[:7],
            order_ref=f"RACE-{tag}",
        )
        orders = [
            order_create(
                customer=customer,
                lines=[OrderLineInput(offer=offer, sim=sim, user_name=f"USER {n}")],
                by=None,
                today=TODAY,
            )
            for n in (1, 2)
        ]
    try:
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}
        threads = [
            threading.Thread(
                target=_validate_in_thread, args=(acme, order.pk, barrier, results, str(order.pk))
            )
            for order in orders
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        connection.set_schema_to_public()
        outcomes = [results[str(order.pk)] for order in orders]
        assert sorted(o == "validated" for o in outcomes) == [False, True], outcomes
        refusal = next(o for o in outcomes if o != "validated")
        assert isinstance(refusal, ApplicationError)
        assert sim.iccid in refusal.message and "n'est plus disponible" in refusal.message
        with in_schema(acme):
            statuses = sorted(
                Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)
            )
            assert statuses == [OrderStatus.DRAFT, OrderStatus.VALIDATED]
            assert Sim.objects.get(pk=sim.pk).state == SimState.RESERVED
            assert MobileLine.objects.filter(sim=sim).count() == 1
            assert LineAction.objects.filter(sim=sim).count() == 1
    finally:
        with in_schema(acme):
            LineAction.objects.filter(sim=sim).delete()
            Order.objects.filter(pk__in=[o.pk for o in orders]).delete()
            MobileLine.objects.filter(sim=sim).delete()
            sim.delete()
            offer.delete()
            customer.delete()
            AuditEvent.objects.filter(pk__gt=last_event).delete()
        connection.set_schema_to_public()


pytestmark = pytest.mark.filterwarnings("ignore")
