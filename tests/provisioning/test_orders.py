"""Mobile line orders: drafts and their rules (porting window, RIO, SIM, price override), validation
(SIMs reserved, lines and operator requests, confirmation e-mail), the gateway's confirmation, the
simulator's rejections on the order page, cancellation, service orders and tenant isolation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from tests.conftest import in_schema
from tests.provisioning.conftest import NOW

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 10, 21)
SIM = "8933012026100000004"  # pre-assigned 33750001000
SIM2 = "8933012026100000012"
SIM_NO_NUMBER = "8933012026100000087"
PORT_NUMBER = "0612345678"


def valid_rio(number: str = PORT_NUMBER, head: str = "01P123456") -> str:
    from provisioning.rio import rio_key

    return head + rio_key(number, head)


def make_customer(tenant, name="CLIENT ORDERS"):
    from customers.services import customer_create

    with in_schema(tenant):
        return customer_create(
            now=NOW,
            by=None,
            data={"kind": "business", "company_name": name},
            billing_contact={"name": "Paul Compta", "email": "compta@client.example", "phone": ""},
        )


def make_offer(tenant, code="PRO", **fields):
    from offers.models import Offer

    with in_schema(tenant):
        values = {"label": "Forfait Pro", "price": Decimal("19.90"), "commitment_12": True, **fields}
        return Offer.objects.create(code=code, **values)


def sim(iccid):
    from provisioning.models import Sim

    return Sim.objects.get(iccid=iccid)


def new_line(offer, iccid=SIM, **fields):
    from provisioning.orders.services import OrderLineInput

    return OrderLineInput(offer=offer, sim=sim(iccid), user_name="JEAN DUPONT", **fields)


def port_line(offer, iccid=SIM2, *, number=PORT_NUMBER, rio=None, days=10, **fields):
    from provisioning.models import OrderLineType
    from provisioning.orders.services import OrderLineInput

    return OrderLineInput(
        offer=offer,
        sim=sim(iccid),
        user_name="MARIE MARTIN",
        line_type=OrderLineType.PORT,
        port_msisdn=number,
        rio=valid_rio(number) if rio is None else rio,
        porting_date=TODAY + dt.timedelta(days=days),
        **fields,
    )


@pytest.fixture
def shop(acme, load_sample_sims):
    """acme with its sample SIM stock, a customer and an offer."""
    load_sample_sims(acme)
    return {"customer": make_customer(acme), "offer": make_offer(acme)}


def create(lines, customer, by=None, today=TODAY):
    from provisioning.orders.services import order_create

    return order_create(customer=customer, lines=lines, by=by, today=today)


def validate(order, now=NOW, by=None):
    from provisioning.orders.services import order_validate

    return order_validate(order=order, by=by, now=now)


def poll(after=0, delay=0, days=0):
    """The operator's answers `after` seconds (and `days` days) past NOW (the simulator)."""
    from provisioning.gateway import SimulatorGateway
    from provisioning.services.lines import line_actions_poll

    return line_actions_poll(
        now=NOW + dt.timedelta(days=days, seconds=after), gateway=SimulatorGateway(delay_seconds=delay)
    )


# --- drafts and their rules ----------------------------------------------------------------------


@pytest.mark.parametrize(("days", "ok"), [(4, False), (5, True), (59, True), (60, False)])
def test_the_porting_date_lies_within_the_tenant_window(shop, acme, days, ok):
    from core.errors import ApplicationError

    with in_schema(acme):
        lines = [port_line(shop["offer"], days=days)]
        if ok:
            order = create(lines, shop["customer"])
            assert order.lines.get().porting_date == TODAY + dt.timedelta(days=days)
        else:
            with pytest.raises(ApplicationError) as error:
                create(lines, shop["customer"])
            assert error.value.extra["line_field"] == "porting_date"
            assert "26/10/2026" in error.value.message and "19/12/2026" in error.value.message


def test_the_porting_window_follows_the_tenant_settings(shop, acme):
    from core.errors import ApplicationError
    from provisioning.models import ProvisioningSettings

    with in_schema(acme):
        ProvisioningSettings.objects.create(porting_min_days=2, porting_max_days=7)
        create([port_line(shop["offer"], days=2)], shop["customer"])
        with pytest.raises(ApplicationError):
            create([port_line(shop["offer"], days=8)], shop["customer"])


def test_a_wrong_rio_says_whether_its_format_or_its_key_is_wrong(shop, acme):
    from core.errors import ApplicationError

    with in_schema(acme):
        with pytest.raises(ApplicationError) as short:
            create([port_line(shop["offer"], rio="01P12345")], shop["customer"])
        assert "format du RIO" in short.value.message.lower() or "Format du RIO" in short.value.message
        assert short.value.extra["line_field"] == "rio"
        other_number_rio = valid_rio("0698765432")
        with pytest.raises(ApplicationError) as key:
            create([port_line(shop["offer"], rio=other_number_rio)], shop["customer"])
        assert "Clé du RIO erronée" in key.value.message and key.value.message.startswith("Ligne 1")
        with pytest.raises(ApplicationError) as number:
            create([port_line(shop["offer"], number="0123456789")], shop["customer"])
        assert number.value.extra["line_field"] == "port_msisdn"


def test_a_draft_accepts_the_number_forms_and_stores_the_national_one(shop, acme):
    with in_schema(acme):
        order = create(
            [port_line(shop["offer"], number="+33 6 12 34 56 78", rio=valid_rio())], shop["customer"]
        )
        line = order.lines.get()
        assert line.port_msisdn == PORT_NUMBER and line.msisdn == "33612345678"
        assert order.number.startswith("CMD-2026-")


def test_the_user_name_follows_the_operator_rule(shop, acme):
    from core.errors import ApplicationError

    with in_schema(acme):
        with pytest.raises(ApplicationError) as error:
            create([_named(shop["offer"], "Jean-Éric")], shop["customer"])
        assert error.value.extra["line_field"] == "user_name" and "JEAN ERIC" in error.value.message


def test_every_broken_rule_of_every_line_is_reported_at_once(shop, acme):
    """Issue 10: one error names each line's every broken rule (user name, RIO, porting window),
    each with its line and field; nothing is saved."""
    from core.errors import ApplicationError
    from provisioning.models import Order

    with in_schema(acme):
        first = _named(shop["offer"], "Jean-Éric")
        second = port_line(shop["offer"], days=1, rio="01P123456ABC")
        second.user_name = "Marie@"
        with pytest.raises(ApplicationError) as error:
            create([first, second], shop["customer"])
        assert {(line, field) for line, field, _message in error.value.extra["line_errors"]} == {
            (1, "user_name"),
            (2, "user_name"),
            (2, "rio"),
            (2, "porting_date"),
        }
        assert all(
            message.startswith(f"Ligne {line} :") for line, _f, message in error.value.extra["line_errors"]
        )
        assert not Order.objects.exists()


def _named(offer, name):
    line = new_line(offer)
    line.user_name = name
    return line


def test_one_sim_cannot_be_on_two_lines_of_an_order(shop, acme):
    from core.errors import ApplicationError

    with in_schema(acme), pytest.raises(ApplicationError) as error:
        create([new_line(shop["offer"]), new_line(shop["offer"])], shop["customer"])
    assert "ligne 1" in error.value.message and error.value.extra["line"] == 2


def test_a_commitment_the_offer_does_not_sell_is_refused(shop, acme):
    from core.errors import ApplicationError

    with in_schema(acme), pytest.raises(ApplicationError) as error:
        create([new_line(shop["offer"], commitment_months=24)], shop["customer"])
    assert error.value.extra["line_field"] == "commitment_months"


def test_a_price_override_needs_the_capability(shop, acme, make_user):
    from accounts.permissions import user_can
    from core.errors import ApplicationError

    sales, admin = make_user(acme, "sales"), make_user(acme, "admin")
    assert user_can(admin, "offers.price_override") and not user_can(sales, "offers.price_override")
    with in_schema(acme):
        with pytest.raises(ApplicationError) as error:
            create([new_line(shop["offer"], price_override=Decimal("9.99"))], shop["customer"], by=sales)
        assert error.value.extra["line_field"] == "price_override"
        order = create([new_line(shop["offer"], price_override=Decimal("9.994"))], shop["customer"], by=admin)
        assert order.lines.get().price_override == Decimal("9.99")


def test_a_line_keeps_its_conditions_and_the_offer_rate_table_by_default(shop, acme):
    from offers.models import BillingTiming, Option, RateTable, Terminal
    from provisioning.models import DiscountKind, TerminalPurchase

    with in_schema(acme):
        table = RateTable.objects.create(code="STD", label="Standard")
        shop["offer"].default_rate_table = table
        shop["offer"].save()
        data = Option.objects.create(code="DATA5G", label="Data 5G", data_speed="5G 1 Gbit/s")
        terminal = Terminal.objects.create(
            code="PH1", label="Phone", brand="X", model="1", price=Decimal("300")
        )
        order = create(
            [
                new_line(
                    shop["offer"],
                    options=[data],
                    data_speed="5G 1 Gbit/s",
                    terminal=terminal,
                    terminal_purchase=TerminalPurchase.INSTALMENTS,
                    discount_kind=DiscountKind.PERCENT,
                    discount_value=Decimal("10"),
                    discount_months=6,
                    billing_start=TODAY,
                    billing_timing=BillingTiming.ARREARS,
                    charge_activation_now=True,
                    commitment_months=12,
                )
            ],
            shop["customer"],
        )
        line = order.lines.get()
        assert line.rate_table == table and list(line.options.all()) == [data]
        assert (line.discount_kind, line.discount_value, line.discount_months) == (
            "percent",
            Decimal("10.00"),
            6,
        )
        assert line.terminal_purchase == "instalments" and line.charge_activation_now
        assert line.billing_timing == BillingTiming.ARREARS


def test_a_draft_is_edited_until_validated(shop, acme):
    from core.errors import ApplicationError
    from provisioning.orders.services import order_update

    with in_schema(acme):
        order = create([new_line(shop["offer"])], shop["customer"])
        order_update(
            order=order, lines=[new_line(shop["offer"]), port_line(shop["offer"])], by=None, today=TODAY
        )
        assert order.lines.count() == 2
        validate(order)
        with pytest.raises(ApplicationError):
            order_update(
                order=order, lines=[new_line(shop["offer"], iccid=SIM_NO_NUMBER)], by=None, today=TODAY
            )


# --- validation and the operator -----------------------------------------------------------------


def test_validating_reserves_the_sims_creates_pending_lines_sends_requests_and_mails(shop, acme):
    from audit.models import AuditEvent
    from provisioning.models import LineActionKind, LineActionStatus, LineStatus, OrderStatus, SimState

    with in_schema(acme):
        order = create([new_line(shop["offer"]), port_line(shop["offer"])], shop["customer"])
        mail.outbox = []
        validate(order)
        order.refresh_from_db()
        assert order.status == OrderStatus.VALIDATED and order.validated_at == NOW
        assert {sim(SIM).state, sim(SIM2).state} == {SimState.RESERVED}
        new, port = order.lines.order_by("id")
        assert new.line.msisdn == "33750001000" and port.line.msisdn == "33612345678"
        assert {new.line.status, port.line.status} == {LineStatus.PENDING}
        assert new.actions.get().kind == LineActionKind.ACTIVATE
        assert port.actions.get().kind == LineActionKind.PORT_IN
        assert {a.status for a in [new.actions.get(), port.actions.get()]} == {LineActionStatus.SENT}
        assert port.actions.get().parameters["rio"] == valid_rio()
        assert AuditEvent.objects.filter(action="order.validated", object_id=str(order.pk)).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["compta@client.example"] and order.number in message.subject
    assert "portabilité du 0612345678" in message.body and "+33750001000" in message.body


def test_a_new_line_without_a_sim_number_takes_one_from_the_pool(shop, acme):
    from provisioning.models import PoolNumber, PoolNumberStatus

    with in_schema(acme):
        PoolNumber.objects.create(msisdn="33780000002")
        PoolNumber.objects.create(msisdn="33780000001")
        order = create([new_line(shop["offer"], iccid=SIM_NO_NUMBER)], shop["customer"])
        validate(order)
        assert order.lines.get().line.msisdn == "33780000001"
        assert PoolNumber.objects.get(msisdn="33780000001").status == PoolNumberStatus.RESERVED
        poll()
        assert PoolNumber.objects.get(msisdn="33780000001").status == PoolNumberStatus.ASSIGNED


def test_the_operator_confirmation_activates_the_lines_and_completes_the_order(shop, acme):
    from provisioning.models import LineStatus, OrderStatus, SimState

    with in_schema(acme):
        order = create(
            [new_line(shop["offer"], commitment_months=12), port_line(shop["offer"])], shop["customer"]
        )
        validate(order)
        new, port = order.lines.order_by("id")
        # the new number at once; the port-in waits for its porting date, as at a real operator
        assert [a.order_line_id for a in poll()] == [new.pk]
        assert poll(days=9, after=39_599) == []  # 30/10 23:59:59 in Paris (winter time), the day before
        order.refresh_from_db()
        assert order.status == OrderStatus.VALIDATED
        port.line.refresh_from_db()
        assert port.line.status == LineStatus.PENDING
        at = NOW + dt.timedelta(days=9, seconds=39_600)  # 31/10 00:00 in Paris: the porting date
        assert [a.order_line_id for a in poll(days=9, after=39_600)] == [port.pk]
        order.refresh_from_db()
        assert order.status == OrderStatus.COMPLETED and order.completed_at == at
        new, port = order.lines.order_by("id")
        new.line.refresh_from_db()
        assert new.line.status == LineStatus.ACTIVE and new.line.activated_on == TODAY
        assert new.line.commitment_end == dt.date(2027, 10, 21)
        assert port.line.status == LineStatus.ACTIVE and port.line.activated_on == TODAY + dt.timedelta(
            days=10
        )
        assert {sim(SIM).state, sim(SIM2).state} == {SimState.ACTIVE}


def test_the_order_is_completed_only_when_all_its_lines_are_active(shop, acme):
    from provisioning.models import OrderStatus

    with in_schema(acme):
        order = create([new_line(shop["offer"]), port_line(shop["offer"])], shop["customer"])
        validate(order)
        port_action = order.lines.order_by("id")[1].actions.get()
        port_action.parameters["rio"] = valid_rio("0698765432")
        port_action.save()
        poll()
        order.refresh_from_db()
        assert order.status == OrderStatus.VALIDATED


def _order_page(client, order):
    return client.get(f"/lines/orders/{order.pk}/").content.decode()


def test_simulator_rejections_are_shown_in_plain_french_on_the_order_page(shop, acme, client_for, make_user):
    from provisioning.models import LineActionStatus, Sim, SimState

    user = make_user(acme, "sales")
    with in_schema(acme):
        order = create(
            [
                new_line(shop["offer"]),  # its ICCID will be unknown to the operator
                port_line(shop["offer"]),  # its RIO will not match at the operator
                new_line(shop["offer"], iccid="8933012026100000020"),  # its SIM is already active
            ],
            shop["customer"],
        )
        validate(order)
        first, second, third = order.lines.order_by("id")
        action = second.actions.get()
        action.parameters["rio"] = valid_rio("0698765432")
        action.save()
        Sim.objects.filter(pk=third.sim_id).update(state=SimState.ACTIVE)
        # an ICCID the operator never received
        first.actions.update(parameters={"iccid": "8933012026199999999"})
        poll()
        assert {a.status for line in (first, second, third) for a in line.actions.all()} == {
            LineActionStatus.FAILED
        }
    page = _order_page(client_for(acme, user), order)
    assert "ICCID 8933012026199999999 inconnu de l&#x27;opérateur." in page
    assert "Le RIO ne correspond pas au numéro à porter" in page and "Clé du RIO erronée" in page
    assert "La carte SIM 8933012026100000020 est déjà active." in page
    assert page.count('data-testid="failure-reason"') == 3


def test_two_validations_of_one_order_reserve_once(shop, acme):
    from core.errors import ApplicationError

    with in_schema(acme):
        order = create([new_line(shop["offer"])], shop["customer"])
        validate(order)
        with pytest.raises(ApplicationError):
            validate(order)


def test_a_sim_taken_by_another_order_cannot_be_validated_again(shop, acme):
    from core.errors import ApplicationError
    from provisioning.models import OrderStatus, SimState

    with in_schema(acme):
        first = create([new_line(shop["offer"])], shop["customer"])
        second = create([new_line(shop["offer"])], shop["customer"])
        validate(first)
        with pytest.raises(ApplicationError) as error:
            validate(second)
        assert SIM in error.value.message and "n'est plus disponible" in error.value.message
        second.refresh_from_db()
        assert second.status == OrderStatus.DRAFT and sim(SIM).state == SimState.RESERVED


def test_cancelling_a_validated_order_gives_its_sims_and_numbers_back(shop, acme):
    from core.errors import ApplicationError
    from provisioning.models import LineActionStatus, LineStatus, OrderStatus, SimState
    from provisioning.orders.services import order_cancel

    with in_schema(acme):
        order = create([new_line(shop["offer"])], shop["customer"])
        validate(order)
        order_cancel(order=order, by=None, now=NOW)
        order.refresh_from_db()
        line = order.lines.get()
        assert order.status == OrderStatus.CANCELLED and sim(SIM).state == SimState.AVAILABLE
        assert line.line.status == LineStatus.TERMINATED
        assert line.actions.get().status == LineActionStatus.FAILED
        with pytest.raises(ApplicationError):
            order_cancel(order=order, by=None, now=NOW)
        done = create([new_line(shop["offer"])], shop["customer"])
        validate(done)
        poll()
        with pytest.raises(ApplicationError):
            order_cancel(order=done, by=None, now=NOW)


# --- pages ---------------------------------------------------------------------------------------


def _line_post(prefix, **values):
    defaults = {
        "line_type": "new",
        "user_name": "",
        "commitment_months": "0",
        "billing_timing": "advance",
        "discount_kind": "",
    }
    return {f"{prefix}-{key}": value for key, value in {**defaults, **values}.items()}


def test_the_order_form_saves_a_draft_with_a_formset_of_lines(shop, acme, client_for, make_user):
    from provisioning.models import Order

    client = client_for(acme, make_user(acme, "sales"))
    customer = shop["customer"]
    with in_schema(acme):
        sim1, sim2 = sim(SIM).pk, sim(SIM2).pk
    assert client.get(f"/lines/orders/new/{customer.pk}/").status_code == 200
    form = {
        "note": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        **_line_post("lines-0", sim=sim1, offer=shop["offer"].pk, user_name="JEAN DUPONT"),
        **_line_post(
            "lines-1",
            line_type="port",
            sim=sim2,
            offer=shop["offer"].pk,
            port_msisdn="06 12 34 56 78",
            rio="01P123456XXX",
            porting_date=(dt.date.today() + dt.timedelta(days=10)).isoformat(),
            price_override="9,90",  # ignored: a sales user may not change the price
        ),
    }
    refused = client.post(f"/lines/orders/new/{customer.pk}/", form)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Clé du RIO erronée" in body or "Format du RIO" in body
    form["lines-1-rio"] = valid_rio()
    saved = client.post(f"/lines/orders/new/{customer.pk}/", form)
    assert saved.status_code == 302
    with in_schema(acme):
        order = Order.objects.get(customer=customer)
        assert order.lines.count() == 2 and order.lines.get(line_type="port").price_override is None
    detail = client.get(saved["Location"]).content.decode()
    assert order.number in detail and "JEAN DUPONT" in detail and 'data-testid="validate-order"' in detail
    edit = client.get(f"/lines/orders/{order.pk}/edit/")
    assert edit.status_code == 200 and "JEAN DUPONT" in edit.content.decode()
    listing = client.get(f"/lines/orders/?customer={customer.pk}&status=draft").content.decode()
    assert order.number in listing
    assert order.number not in client.get("/lines/orders/?status=completed").content.decode()


def test_validate_and_cancel_buttons_ask_first_and_act(shop, acme, client_for, make_user):
    from provisioning.models import OrderStatus

    client = client_for(acme, make_user(acme, "sales"))
    with in_schema(acme):
        order = create([new_line(shop["offer"])], shop["customer"])
    page = _order_page(client, order)
    assert page.count("data-confirm=") == 2
    assert client.get(f"/lines/orders/{order.pk}/validate/").status_code == 405
    assert client.post(f"/lines/orders/{order.pk}/validate/").status_code == 302
    with in_schema(acme):
        order.refresh_from_db()
        assert order.status == OrderStatus.VALIDATED
    assert 'data-testid="action-status"' in _order_page(client, order)
    assert client.post(f"/lines/orders/{order.pk}/cancel/").status_code == 302
    with in_schema(acme):
        order.refresh_from_db()
        assert order.status == OrderStatus.CANCELLED


def test_an_accountant_sees_orders_but_cannot_validate(shop, acme, client_for, make_user):
    client = client_for(acme, make_user(acme, "accountant"))
    with in_schema(acme):
        order = create([new_line(shop["offer"])], shop["customer"])
    page = _order_page(client, order)
    assert order.number in page and "validate-order" not in page
    assert client.post(f"/lines/orders/{order.pk}/validate/").status_code == 403


# --- service orders ------------------------------------------------------------------------------


def test_service_orders_for_a_customer(shop, acme, client_for, make_user):
    from core.errors import ApplicationError
    from offers.models import Product, ProductKind
    from provisioning.models import ServiceOrder
    from provisioning.orders.services import service_order_create

    with in_schema(acme):
        once = Product.objects.create(code="SETUP", label="Mise en service", price=Decimal("49.00"))
        monthly = Product.objects.create(code="SUPPORT", label="Support", price=Decimal("15"), recurring=True)
        hardware = Product.objects.create(code="CABLE", label="Cable", kind=ProductKind.HARDWARE)
        customer = shop["customer"]
        so = service_order_create(customer=customer, product=once, quantity=2, start_date=TODAY, by=None)
        assert so.unit_price == Decimal("49.00")
        with pytest.raises(ApplicationError) as error:
            service_order_create(
                customer=customer, product=once, quantity=1, start_date=TODAY, end_date=TODAY, by=None
            )
        assert error.value.field == "end_date"
        with pytest.raises(ApplicationError):
            service_order_create(
                customer=customer,
                product=monthly,
                quantity=1,
                start_date=TODAY,
                end_date=TODAY - dt.timedelta(days=1),
                by=None,
            )
        with pytest.raises(ApplicationError):
            service_order_create(customer=customer, product=hardware, quantity=1, start_date=TODAY, by=None)
    sales = make_user(acme, "sales")
    with in_schema(acme), pytest.raises(ApplicationError) as price:
        service_order_create(
            customer=customer,
            product=monthly,
            quantity=1,
            start_date=TODAY,
            unit_price=Decimal("1"),
            by=sales,
        )
    assert price.value.field == "unit_price"
    client = client_for(acme, sales)
    posted = client.post(
        f"/lines/customers/{customer.pk}/services/",
        {"product": monthly.pk, "quantity": "3", "start_date": "2026-11-01", "end_date": "2027-10-31"},
    )
    assert posted.status_code == 302
    page = client.get(f"/lines/customers/{customer.pk}/services/").content.decode()
    assert "Support" in page and "Mise en service" in page and "31/10/2027" in page
    with in_schema(acme):
        assert ServiceOrder.objects.filter(customer=customer).count() == 2


# --- API -----------------------------------------------------------------------------------------


def test_the_api_creates_validates_and_reads_an_order(shop, acme, api_for, make_user):
    api = api_for(acme, make_user(acme, "sales"))
    with in_schema(acme):
        sim1, sim2 = sim(SIM).pk, sim(SIM2).pk
    porting = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    body = {
        "customer": shop["customer"].pk,
        "lines": [
            {"sim": sim1, "offer": shop["offer"].pk, "user_name": "JEAN DUPONT"},
            {
                "sim": sim2,
                "offer": shop["offer"].pk,
                "line_type": "port",
                "port_msisdn": "+33612345678",
                "rio": valid_rio("0698765432"),
                "porting_date": porting,
            },
        ],
    }
    refused = api.post("/api/v1/orders/", body, format="json")
    assert refused.status_code == 400 and "Clé du RIO erronée" in refused.json()["detail"]
    assert refused.json()["line"] == 2 and refused.json()["line_field"] == "rio"
    body["lines"][1]["rio"] = valid_rio()
    created = api.post("/api/v1/orders/", body, format="json")
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["status"] == "draft" and len(order["lines"]) == 2
    validated = api.post(f"/api/v1/orders/{order['id']}/validate/")
    assert validated.status_code == 200 and validated.json()["status"] == "validated"
    assert [line["actions"][0]["status"] for line in validated.json()["lines"]] == ["sent", "sent"]
    assert api.post(f"/api/v1/orders/{order['id']}/validate/").status_code == 400
    listed = api.get("/api/v1/orders/", {"customer": shop["customer"].pk, "status": "validated"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["number"] for row in rows] == [order["number"]]
    assert api.get(f"/api/v1/orders/{order['id']}/").json()["lines"][0]["iccid"] == SIM
    cancelled = api.post(f"/api/v1/orders/{order['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_the_api_orders_a_service(shop, acme, api_for, make_user):
    from offers.models import Product

    with in_schema(acme):
        product = Product.objects.create(code="SETUP", label="Mise en service", price=Decimal("49.00"))
    api = api_for(acme, make_user(acme, "sales"))
    created = api.post(
        "/api/v1/service-orders/",
        {"customer": shop["customer"].pk, "product": product.pk, "quantity": 2, "start_date": "2026-11-01"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["unit_price"] == "49.00"
    listed = api.get("/api/v1/service-orders/", {"customer": shop["customer"].pk}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["product_code"] for row in rows] == ["SETUP"]


# --- tenants -------------------------------------------------------------------------------------


def test_acme_cannot_see_or_validate_novas_orders(shop, acme, nova, client_for, api_for, make_user):
    from provisioning.models import Order, OrderStatus

    nova_customer = make_customer(nova, "NOVA CLIENT")
    nova_offer = make_offer(nova, code="NOVA")
    with in_schema(nova):
        nova_order = Order.objects.create(number="CMD-NOVA-1", customer=nova_customer)
        from provisioning.models import OrderLine

        OrderLine.objects.create(order=nova_order, offer=nova_offer, user_name="NOVA USER")
    with in_schema(acme):
        assert not Order.objects.filter(pk=nova_order.pk).exists()
    acme_admin = make_user(acme, "admin")
    client, api = client_for(acme, acme_admin), api_for(acme, acme_admin)
    assert client.get(f"/lines/orders/{nova_order.pk}/").status_code == 404
    assert client.post(f"/lines/orders/{nova_order.pk}/validate/").status_code == 404
    assert client.post(f"/lines/orders/{nova_order.pk}/cancel/").status_code == 404
    assert "CMD-NOVA-1" not in client.get("/lines/orders/").content.decode()
    assert api.get(f"/api/v1/orders/{nova_order.pk}/").status_code == 404
    assert api.post(f"/api/v1/orders/{nova_order.pk}/validate/").status_code == 404
    assert "CMD-NOVA-1" not in api.get("/api/v1/orders/").content.decode()
    with in_schema(nova):
        nova_order.refresh_from_db()
        assert nova_order.status == OrderStatus.DRAFT


def test_the_order_api_is_in_the_openapi_schema(acme, client_for, make_user):
    client = client_for(acme, make_user(acme, "admin"))
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    assert {"/api/v1/orders/", "/api/v1/orders/{id}/validate/", "/api/v1/orders/{id}/cancel/"} <= set(paths)
    assert "/api/v1/service-orders/" in paths


def test_editing_a_draft_on_its_page_keeps_the_untouched_lines_and_deletes_the_ticked_ones(
    shop, acme, client_for, make_user
):
    client = client_for(acme, make_user(acme, "sales"))
    with in_schema(acme):
        order = create([new_line(shop["offer"]), new_line(shop["offer"], iccid=SIM2)], shop["customer"])
        first, second = order.lines.order_by("id")
        sim1, sim2 = first.sim_id, second.sim_id
    form = {
        "note": "rappeler le client",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "2",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        **_line_post("lines-0", sim=sim1, offer=shop["offer"].pk, user_name="JEAN DUPONT"),
        **_line_post("lines-1", sim=sim2, offer=shop["offer"].pk, user_name="PAUL RENAMED"),
        **_line_post("lines-2"),
    }
    assert client.post(f"/lines/orders/{order.pk}/edit/", form).status_code == 302
    with in_schema(acme):
        assert list(order.lines.order_by("id").values_list("user_name", flat=True)) == [
            "JEAN DUPONT",
            "PAUL RENAMED",
        ]
    form["lines-0-DELETE"] = "on"
    assert client.post(f"/lines/orders/{order.pk}/edit/", form).status_code == 302
    with in_schema(acme):
        order.refresh_from_db()
        assert list(order.lines.values_list("user_name", flat=True)) == ["PAUL RENAMED"]
        assert order.note == "rappeler le client"
