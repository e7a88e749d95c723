"""The order journey, clicked through in Chromium: a sales user orders two lines for a customer (one
ported, one new), validates the order after the confirmation; the operator (the simulator, run
synchronously here with no delay) confirms the new number at once and the port-in on its porting
date (the poll is run at that date); then both lines are active and the order completed."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD, in_schema
from tests.provisioning.conftest import luhn_complete
from tests.provisioning.test_orders import valid_rio

pytestmark = pytest.mark.browser


def test_sales_orders_a_ported_and_a_new_line_and_sees_them_active(committed_db, page, site_url):
    from django.utils import timezone

    from accounts.models import User
    from customers.models import Contact, ContactRole, Customer
    from offers.models import Offer
    from provisioning.gateway import SimulatorGateway
    from provisioning.models import LineStatus, Order, OrderStatus, Sim, SimState
    from provisioning.orders.services import PARIS
    from provisioning.services.lines import line_actions_poll
    from tenants.models import Tenant

    acme = Tenant.objects.get(schema_name="acme")
    tag = uuid.uuid4().hex[:8]
    digits = str(int(tag, 16) % 10**9).zfill(9)
    port_number = "06" + digits[:8]
    with in_schema(acme):
        user = User(username=f"sales-{tag}", role="sales", first_name="Julien", last_name="Bernard")
        user.set_password(PASSWORD)
        user.save()
        customer = Customer.objects.create(
            number=f"B{digits}", kind="business", company_name=f"BROWSER {tag}"
        )
        Contact.objects.create(
            customer=customer, role=ContactRole.BILLING, email=f"compta-{tag}@client.example"
        )
        offer = Offer.objects.create(code=f"WEB-{tag}", label=f"Forfait Web {tag}", price=Decimal("19.90"))
        new_sim, port_sim = (
            Sim.objects.create(
                iccid=luhn_complete("893301" + digits + f"000{n}"),
                imsi="20816" + digits[:9] + str(n),
                msisdn="3377" + digits[:6] + str(n) if n == 1 else "",
                order_ref=f"WEB-{tag}",
            )
            for n in (1, 2)
        )
    porting_date = timezone.now().astimezone(PARIS).date() + dt.timedelta(days=10)

    page.goto(site_url("acme.localhost", "/login/"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Tableau de bord')")
    page.goto(site_url("acme.localhost", f"/lines/orders/?customer={customer.pk}"))
    page.click("[data-testid=new-order]")
    page.wait_for_selector("h1:has-text('Nouvelle commande de lignes')")
    # line 1: a new number, the SIM's own
    page.select_option("#id_lines-0-sim", str(new_sim.pk))
    page.select_option("#id_lines-0-offer", str(offer.pk))
    page.fill("#id_lines-0-user_name", "JEAN DUPONT")
    # line 2: a portability
    page.click("[data-testid=add-line]")
    page.select_option("#id_lines-1-line_type", "port")
    page.select_option("#id_lines-1-sim", str(port_sim.pk))
    page.select_option("#id_lines-1-offer", str(offer.pk))
    page.fill("#id_lines-1-user_name", "MARIE MARTIN")
    page.fill("#id_lines-1-port_msisdn", port_number)
    page.fill("#id_lines-1-rio", valid_rio(port_number))
    page.fill("#id_lines-1-porting_date", porting_date.isoformat())
    page.click("[data-testid=save-order]")
    page.wait_for_selector("[data-testid=validate-order]")
    assert "Brouillon" in page.inner_text("[data-testid=order-status]")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=validate-order]")
    page.wait_for_selector("[data-testid=order-status][data-status=validated]")
    assert page.locator("[data-testid=action-status]").count() == 2
    with in_schema(acme):
        order = Order.objects.get(customer=customer)
        assert Sim.objects.get(pk=port_sim.pk).state == SimState.RESERVED
        # The operator answers (the simulator, with no delay): the new number now, the port-in
        # on its porting date and not before.
        gateway = SimulatorGateway(delay_seconds=0)
        assert len(line_actions_poll(now=timezone.now(), gateway=gateway)) == 1
    page.reload()
    page.wait_for_selector("[data-testid=order-status][data-status=validated]")
    statuses = page.locator("[data-testid=line-status]").evaluate_all("els => els.map(e => e.dataset.status)")
    assert sorted(statuses) == sorted([LineStatus.ACTIVE, LineStatus.PENDING])
    with in_schema(acme):
        porting_day = dt.datetime.combine(porting_date, dt.time(8), tzinfo=PARIS)
        assert len(line_actions_poll(now=porting_day, gateway=gateway)) == 1

    page.reload()
    page.wait_for_selector("[data-testid=order-status][data-status=completed]")
    statuses = page.locator("[data-testid=line-status]").evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses == [LineStatus.ACTIVE, LineStatus.ACTIVE]
    text = page.inner_text("main")
    assert "Confirmée" in text and port_number in text
    with in_schema(acme):
        order.refresh_from_db()
        assert order.status == OrderStatus.COMPLETED
        lines = {line.line_type: line.line for line in order.lines.select_related("line")}
        assert lines["port"].msisdn == "33" + port_number[1:] and lines["new"].msisdn == new_sim.msisdn
        assert {Sim.objects.get(pk=s.pk).state for s in (new_sim, port_sim)} == {SimState.ACTIVE}
