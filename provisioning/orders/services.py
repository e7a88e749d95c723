"""Writes of line orders and service orders.

A draft order is saved and edited freely (its rules are checked on each save); validating it
reserves its SIMs (and pool numbers) with conditional updates, so two orders never take the same
SIM even when validated at the same instant, creates the pending lines and their activation or
port-in actions, hands those to the operator gateway and e-mails the customer. The gateway's
confirmation (`order_line_activation_confirmed`) then activates the line and its SIM, and completes
the order once every line is active.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import user_can
from audit.context import AuditContext
from audit.services import audit_record
from core.errors import ApplicationError, Problems
from core.money import quantize_price
from core.text import name_check
from customers.models import Customer
from customers.selectors import billing_contact_email
from offers.models import BillingTiming, Offer, Option, Product, ProductKind, RateTable, Terminal
from provisioning.models import (
    DiscountKind,
    LineAction,
    LineActionKind,
    LineActionStatus,
    LineStatus,
    MobileLine,
    Order,
    OrderLine,
    OrderLineType,
    OrderStatus,
    PoolNumber,
    PoolNumberStatus,
    ServiceOrder,
    Sim,
    SimState,
    TerminalPurchase,
)
from provisioning.orders.selectors import offer_data_speeds, order_lines_all_active
from provisioning.rio import national_mobile_number, rio_check, rio_normalise
from provisioning.selectors import provisioning_settings_get
from provisioning.services.lines import line_actions_submit
from tenants.models import EmailKind
from tenants.settings.mail import email_send

PARIS = ZoneInfo("Europe/Paris")
PRICE_OVERRIDE = "offers.price_override"


@dataclass
class OrderLineInput:
    """What the staff chose for one line of an order (the form and the API build it)."""

    offer: Offer | None
    sim: Sim | None = None
    line_type: str = OrderLineType.NEW
    msisdn: str = ""
    port_msisdn: str = ""
    rio: str = ""
    porting_date: dt.date | None = None
    user_name: str = ""
    seller: User | None = None
    commitment_months: int = 0
    terminal: Terminal | None = None
    terminal_purchase: str = ""
    price_override: Decimal | None = None
    data_speed: str = ""
    options: Sequence[Option] = field(default_factory=list)
    rate_table: RateTable | None = None
    discount_kind: str = DiscountKind.NONE
    discount_value: Decimal | None = None
    discount_months: int | None = None
    billing_start: dt.date | None = None
    billing_timing: str = BillingTiming.ADVANCE
    charge_activation_now: bool = False


def _international_msisdn(number: str) -> str:
    """`0612345678` / `+33612345678` → `33612345678`, the form SIMs and lines store."""
    national = national_mobile_number(number)
    if national is None:
        return number.strip().lstrip("+")
    return "33" + national[1:]


def _line_error(index: int, message: str, field_name: str) -> ApplicationError:
    return ApplicationError(
        _("Line %(n)s: %(message)s") % {"n": index + 1, "message": message},
        field=field_name,
        extra={"line": index + 1, "line_field": field_name},
    )


def _checked_line(index: int, data: OrderLineInput, *, by: User | None, today: dt.date) -> dict[str, Any]:
    """The line's values as stored, once every rule of an order line holds; else one error with
    every broken rule of the line (`line_field` of its `extra` naming the first)."""
    problems = Problems()
    values = _line_rules(index, data, by=by, today=today, problems=problems)
    _raise_line_problems(problems)
    return values


def _raise_line_problems(problems: Problems) -> None:
    """One error for every broken rule of the lines; `extra["line_errors"]` lists each as
    (line number, field, message) so that a page puts each on its line and field."""
    if not problems:
        return
    error = ApplicationError.many(problems.errors)
    error.extra = {
        **problems.errors[0].extra,
        "line_errors": [(e.extra.get("line"), e.extra.get("line_field"), e.message) for e in problems.errors],
    }
    raise error


def order_line_check(*, index: int, data: OrderLineInput, by: User | None, today: dt.date) -> None:
    """The rules of one order line, every broken one at once (no write): what the order form runs
    when a field of the line already failed. A rule that needs a missing choice (no offer, no
    SIM) is left out; the field's own error says what to fix first."""
    problems = Problems()
    _line_rules(index, data, by=by, today=today, problems=problems)
    problems.raise_if_any()


def _line_rules(
    index: int, data: OrderLineInput, *, by: User | None, today: dt.date, problems: Problems
) -> dict[str, Any]:
    def broken(message: str, field_name: str) -> None:
        problems.errors.append(_line_error(index, message, field_name))

    user_name = data.user_name
    try:
        user_name = name_check(data.user_name, field="user_name")
    except ApplicationError as exc:
        broken(exc.message, "user_name")
    if data.sim is None:
        broken(_("choose a SIM card from the available stock."), "sim")
    elif data.sim.state != SimState.AVAILABLE:
        broken(_("the SIM card %(iccid)s is not available.") % {"iccid": data.sim.iccid}, "sim")
    offer = data.offer
    if offer is None:
        broken(_("choose an offer."), "offer")
    elif offer.archived:
        broken(_("the offer %(offer)s is archived.") % {"offer": offer.label}, "offer")
    if offer is not None and data.commitment_months not in offer.commitment_choices:
        broken(
            _("the offer %(offer)s is not sold with a %(months)s-month commitment.")
            % {"offer": offer.label, "months": data.commitment_months},
            "commitment_months",
        )
    values: dict[str, Any] = {
        "line_type": data.line_type,
        "sim": data.sim,
        "msisdn": "",
        "port_msisdn": "",
        "rio": "",
        "porting_date": None,
        "user_name": user_name,
        "seller": data.seller,
        "commitment_months": data.commitment_months,
        "offer": offer,
    }
    if data.line_type == OrderLineType.PORT:
        national = national_mobile_number(data.port_msisdn)
        if national is None:
            broken(
                _("the number to port %(number)s is not a French mobile number (06…, 07…, +33…).")
                % {"number": data.port_msisdn},
                "port_msisdn",
            )
        else:
            result = rio_check(national, data.rio)
            if not result.valid:
                broken(result.reason, "rio")
            values.update(
                port_msisdn=national, rio=rio_normalise(data.rio), msisdn=_international_msisdn(national)
            )
        settings = provisioning_settings_get()
        earliest = today + dt.timedelta(days=settings.porting_min_days)
        latest = today + dt.timedelta(days=settings.porting_max_days)
        if data.porting_date is None or not earliest <= data.porting_date <= latest:
            broken(
                _("the porting date must be between %(earliest)s and %(latest)s.")
                % {"earliest": earliest.strftime("%d/%m/%Y"), "latest": latest.strftime("%d/%m/%Y")},
                "porting_date",
            )
        values["porting_date"] = data.porting_date
    elif data.line_type == OrderLineType.NEW:
        number = _international_msisdn(data.msisdn) if data.msisdn.strip() else ""
        if number and (data.sim is None or number != data.sim.msisdn):
            pool = PoolNumber.objects.filter(msisdn=number).first()
            if pool is None or pool.status == PoolNumberStatus.ASSIGNED:
                broken(
                    _("the number %(number)s is neither the SIM's nor a free number of the pool.")
                    % {"number": data.msisdn},
                    "msisdn",
                )
        values["msisdn"] = number
    else:
        broken(_("choose a new number or a portability."), "line_type")
    if data.terminal is not None and data.terminal_purchase not in TerminalPurchase.values:
        broken(_("choose how the terminal is bought."), "terminal_purchase")
    values["terminal"] = data.terminal
    values["terminal_purchase"] = data.terminal_purchase if data.terminal is not None else ""
    if data.price_override is not None:
        if by is not None and not user_can(by, PRICE_OVERRIDE):
            broken(_("you may not change the offer's price."), "price_override")
        elif data.price_override < 0:
            broken(_("a price cannot be negative."), "price_override")
    values["price_override"] = None if data.price_override is None else quantize_price(data.price_override)
    if offer is not None:
        speeds = offer_data_speeds(offer=offer)
        if data.data_speed and data.data_speed not in speeds:
            broken(_("the data speed %(speed)s is not offered.") % {"speed": data.data_speed}, "data_speed")
    values["data_speed"] = data.data_speed
    values["rate_table"] = data.rate_table or (offer.default_rate_table if offer is not None else None)
    try:
        values.update(_checked_discount(index, data))
    except ApplicationError as exc:
        problems.errors.append(exc)
    values["billing_start"] = data.billing_start
    values["billing_timing"] = data.billing_timing
    values["charge_activation_now"] = data.charge_activation_now
    return values


def _checked_discount(index: int, data: OrderLineInput) -> dict[str, Any]:
    if not data.discount_kind:
        return {"discount_kind": DiscountKind.NONE, "discount_value": None, "discount_months": None}
    value = data.discount_value
    if value is None or value <= 0:
        raise _line_error(index, _("give the discount's value."), "discount_value")
    if data.discount_kind == DiscountKind.PERCENT and value > 100:
        raise _line_error(index, _("a discount cannot exceed 100 %."), "discount_value")
    if data.discount_months is not None and data.discount_months <= 0:
        raise _line_error(
            index, _("a discount lasts at least one month (or leave it empty: for good)."), "discount_months"
        )
    return {
        "discount_kind": data.discount_kind,
        "discount_value": quantize_price(value),
        "discount_months": data.discount_months,
    }


def _save_lines(order: Order, lines: Sequence[OrderLineInput], *, by: User | None, today: dt.date) -> None:
    if not lines:
        raise ApplicationError(_("An order has at least one line."))
    problems = Problems()
    checked = [_line_rules(i, data, by=by, today=today, problems=problems) for i, data in enumerate(lines)]
    _raise_line_problems(problems)
    seen: dict[int, int] = {}
    numbers: dict[str, int] = {}
    for i, values in enumerate(checked):
        sim = values["sim"]
        if sim.pk in seen:
            raise _line_error(
                i,
                _("the SIM card %(iccid)s is already on line %(other)s.")
                % {"iccid": sim.iccid, "other": seen[sim.pk] + 1},
                "sim",
            )
        seen[sim.pk] = i
        number = values["msisdn"]
        if number and number in numbers:
            raise _line_error(
                i, _("the number is already on line %(other)s.") % {"other": numbers[number] + 1}, "msisdn"
            )
        if number:
            numbers[number] = i
    order.lines.all().delete()
    for data, values in zip(lines, checked, strict=True):
        line = OrderLine.objects.create(order=order, **values)
        line.options.set(data.options)


def _order_changes(order: Order) -> dict[str, Any]:
    return {
        "customer": order.customer.number,
        "lines": [
            {
                "type": line.line_type,
                "iccid": line.sim.iccid if line.sim else "",
                "number": line.port_msisdn or line.msisdn,
                "offer": line.offer.code,
            }
            for line in order.lines.select_related("sim", "offer")
        ],
    }


def order_create(
    *,
    customer: Customer,
    lines: Sequence[OrderLineInput],
    by: User | None,
    today: dt.date,
    note: str = "",
    context: AuditContext | None = None,
) -> Order:
    """Save a draft order of `lines` for `customer` (each line's rules checked; nothing reserved yet)."""
    if customer.is_archived:
        raise ApplicationError(_("The customer %(name)s is archived.") % {"name": customer.display_name})
    with transaction.atomic():
        order = Order.objects.create(
            number=f"TMP-{uuid.uuid4().hex[:24]}", customer=customer, created_by=by, note=note
        )
        order.number = f"CMD-{today:%Y}-{order.pk:06d}"
        order.save(update_fields=["number"])
        _save_lines(order, lines, by=by, today=today)
        audit_record(
            actor=by, action="order.created", obj=order, changes=_order_changes(order), context=context
        )
    return order


def order_update(
    *,
    order: Order,
    lines: Sequence[OrderLineInput],
    by: User | None,
    today: dt.date,
    note: str | None = None,
    context: AuditContext | None = None,
) -> Order:
    """Replace the lines of a draft order (a validated order no longer changes)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
        if order.status != OrderStatus.DRAFT:
            raise ApplicationError(_("Only a draft order can be changed."))
        _save_lines(order, lines, by=by, today=today)
        if note is not None:
            order.note = note
            order.save(update_fields=["note"])
        audit_record(
            actor=by, action="order.updated", obj=order, changes=_order_changes(order), context=context
        )
    return order


def _reserve_sim(line: OrderLine, now: dt.datetime) -> None:
    """Take the line's SIM from the stock: a conditional update, so of two orders validated at the
    same instant the second finds the SIM no longer available (its UPDATE waits for the first)."""
    assert line.sim is not None
    taken = Sim.objects.filter(pk=line.sim.pk, state=SimState.AVAILABLE).update(
        state=SimState.RESERVED, state_changed_at=now
    )
    if taken != 1:
        raise ApplicationError(
            _("The SIM card %(iccid)s is no longer available: another order took it. Choose another one.")
            % {"iccid": line.sim.iccid},
            field="sim",
        )


def _reserve_number(line: OrderLine) -> str:
    """The new line's number: the one chosen, the SIM's own, or the first free number of the pool."""
    assert line.sim is not None
    number = line.msisdn
    if number and number == line.sim.msisdn:
        return number
    if number:
        taken = PoolNumber.objects.filter(msisdn=number, status=PoolNumberStatus.AVAILABLE).update(
            status=PoolNumberStatus.RESERVED
        )
        if taken != 1:
            raise ApplicationError(
                _("The number %(number)s of the pool is no longer free.") % {"number": number}, field="msisdn"
            )
        return number
    if line.sim.msisdn:
        return line.sim.msisdn
    free = (
        PoolNumber.objects.select_for_update(skip_locked=True)
        .filter(status=PoolNumberStatus.AVAILABLE)
        .order_by("msisdn")
        .first()
    )
    if free is None:
        raise ApplicationError(
            _("The number pool is empty: add numbers or choose a SIM with its own number.")
        )
    free.status = PoolNumberStatus.RESERVED
    free.save(update_fields=["status", "updated_at"])
    return free.msisdn


def _order_summary(order: Order) -> str:
    rows = []
    for line in order.lines.select_related("offer"):
        if line.line_type == OrderLineType.PORT:
            what = _("portability of %(number)s on %(date)s") % {
                "number": line.port_msisdn,
                "date": line.porting_date.strftime("%d/%m/%Y") if line.porting_date else "",
            }
        else:
            what = _("new line %(number)s") % {"number": "+" + line.msisdn if line.msisdn else ""}
        rows.append(f"- {what} · {line.offer.label}")
    return "\n".join(rows)


def order_validate(
    *,
    order: Order,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> Order:
    """Validate a draft order: reserve its SIMs and numbers, create its pending lines and their
    activation or port-in actions, send those to the operator and the confirmation e-mail.

    The rules of each line are checked again (a draft may be old: the porting window moves).
    """
    today = now.astimezone(PARIS).date()
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
        if order.status != OrderStatus.DRAFT:
            raise ApplicationError(
                _("The order %(number)s is not a draft any more.") % {"number": order.number}
            )
        lines = list(
            order.lines.select_related("sim", "offer", "terminal", "rate_table").prefetch_related("options")
        )
        if not lines:
            raise ApplicationError(_("An order has at least one line."))
        for i, line in enumerate(lines):
            if line.line_type == OrderLineType.PORT:
                _checked_line(i, _line_input(line), by=None, today=today)
        actions = []
        for line in lines:
            _reserve_sim(line, now)
            number = line.msisdn if line.line_type == OrderLineType.PORT else _reserve_number(line)
            if MobileLine.objects.filter(msisdn=number).exclude(status=LineStatus.TERMINATED).exists():
                raise ApplicationError(
                    _("The number %(number)s already belongs to a line.") % {"number": number}, field="msisdn"
                )
            mobile = MobileLine.objects.create(
                msisdn=number,
                customer=order.customer,
                sim=line.sim,
                user_name=line.user_name,
                offer=line.offer,
                rate_table=line.rate_table,
                data_speed=line.data_speed,
                commitment_months=line.commitment_months,
                seller=line.seller,
                status=LineStatus.PENDING,
            )
            mobile.options.set(line.options.all())
            line.msisdn, line.line = number, mobile
            line.save(update_fields=["msisdn", "line"])
            port = line.line_type == OrderLineType.PORT
            parameters: dict[str, Any] = {"iccid": line.sim.iccid if line.sim else "", "msisdn": number}
            if port:
                parameters.update(
                    port_msisdn=line.port_msisdn,
                    rio=line.rio,
                    porting_date=line.porting_date.isoformat() if line.porting_date else "",
                )
            actions.append(
                LineAction.objects.create(
                    line=mobile,
                    sim=line.sim,
                    order_line=line,
                    kind=LineActionKind.PORT_IN if port else LineActionKind.ACTIVATE,
                    parameters=parameters,
                    requested_by=by,
                    requested_at=now,
                    batch_reference=order.number,
                    effective_date=line.porting_date if port else today,
                )
            )
        order.status, order.validated_at = OrderStatus.VALIDATED, now
        order.save(update_fields=["status", "validated_at"])
        audit_record(
            actor=by,
            action="order.validated",
            obj=order,
            changes={"lines": len(lines), "iccids": [line.sim.iccid for line in lines if line.sim]},
            context=context,
        )
    line_actions_submit(actions=actions, now=now, by=by, context=context)
    _confirmation_send(order, today=today, by=by, context=context)
    return order


def _line_input(line: OrderLine) -> OrderLineInput:
    return OrderLineInput(
        offer=line.offer,
        sim=line.sim,
        line_type=line.line_type,
        msisdn=line.msisdn,
        port_msisdn=line.port_msisdn,
        rio=line.rio,
        porting_date=line.porting_date,
        user_name=line.user_name,
        seller=line.seller,
        commitment_months=line.commitment_months,
        terminal=line.terminal,
        terminal_purchase=line.terminal_purchase,
        price_override=line.price_override,
        data_speed=line.data_speed,
        options=list(line.options.all()),
        rate_table=line.rate_table,
        discount_kind=line.discount_kind,
        discount_value=line.discount_value,
        discount_months=line.discount_months,
        billing_start=line.billing_start,
        billing_timing=line.billing_timing,
        charge_activation_now=line.charge_activation_now,
    )


def _confirmation_send(
    order: Order, *, today: dt.date, by: User | None, context: AuditContext | None
) -> None:
    """E-mail the order confirmation (the tenant's template); an order without an address is still valid."""
    address = billing_contact_email(customer=order.customer)
    if not address:
        return
    email_send(
        kind=EmailKind.ORDER_CONFIRMATION,
        to=[address],
        context={
            "customer_name": order.customer.display_name,
            "order_number": order.number,
            "order_date": today.strftime("%d/%m/%Y"),
            "order_summary": _order_summary(order),
        },
    )
    audit_record(
        actor=by, action="order.confirmation_sent", obj=order, changes={"to": address}, context=context
    )


def order_cancel(
    *,
    order: Order,
    by: User | None,
    now: dt.datetime,
    context: AuditContext | None = None,
) -> Order:
    """Cancel a draft or validated order: its SIMs and pool numbers go back to the stock, its pending
    lines are terminated and its unanswered actions failed. An order with an active line cannot be."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
        if order.status not in (OrderStatus.DRAFT, OrderStatus.VALIDATED):
            raise ApplicationError(
                _("The order %(number)s can no longer be cancelled.") % {"number": order.number}
            )
        lines = list(order.lines.select_related("sim", "line"))
        if any(line.line is not None and line.line.status != LineStatus.PENDING for line in lines):
            raise ApplicationError(
                _("A line of this order is already active: it cannot be cancelled any more.")
            )
        if order.status == OrderStatus.VALIDATED:
            for line in lines:
                if line.sim_id:
                    Sim.objects.filter(pk=line.sim_id, state=SimState.RESERVED).update(
                        state=SimState.AVAILABLE, state_changed_at=now
                    )
                if line.line is not None:
                    PoolNumber.objects.filter(
                        msisdn=line.line.msisdn, status=PoolNumberStatus.RESERVED
                    ).update(status=PoolNumberStatus.AVAILABLE)
                    MobileLine.objects.filter(pk=line.line.pk).update(
                        status=LineStatus.TERMINATED, terminated_on=now.astimezone(PARIS).date()
                    )
            LineAction.objects.filter(
                order_line__order=order, status__in=(LineActionStatus.REQUESTED, LineActionStatus.SENT)
            ).update(
                status=LineActionStatus.FAILED, failed_at=now, failure_reason=_("Cancelled with the order.")
            )
        order.status, order.cancelled_at = OrderStatus.CANCELLED, now
        order.save(update_fields=["status", "cancelled_at"])
        audit_record(
            actor=by, action="order.cancelled", obj=order, changes={"lines": len(lines)}, context=context
        )
    return order


def order_line_activation_confirmed(*, action: LineAction, now: dt.datetime) -> None:
    """The operator confirmed a line's activation or port-in: the line and its SIM become active,
    a pool number is assigned, and the order is completed once all its lines are active."""
    if action.kind not in (LineActionKind.ACTIVATE, LineActionKind.PORT_IN) or action.order_line_id is None:
        return
    if action.status != LineActionStatus.CONFIRMED:
        return
    with transaction.atomic():
        order_line = OrderLine.objects.select_related("order", "line", "sim").get(pk=action.order_line_id)
        order = Order.objects.select_for_update().get(pk=order_line.order_id)
        mobile = order_line.line
        if mobile is None or mobile.status != LineStatus.PENDING:
            return
        activated_on = action.effective_date or now.astimezone(PARIS).date()
        mobile.status = LineStatus.ACTIVE
        mobile.activated_on = (
            max(activated_on, now.astimezone(PARIS).date())
            if action.kind == LineActionKind.ACTIVATE
            else activated_on
        )
        if mobile.commitment_months:
            mobile.commitment_end = _months_after(mobile.activated_on, mobile.commitment_months)
        mobile.save(update_fields=["status", "activated_on", "commitment_end", "updated_at"])
        if order_line.sim_id:
            Sim.objects.filter(pk=order_line.sim_id).update(state=SimState.ACTIVE, state_changed_at=now)
        PoolNumber.objects.filter(msisdn=mobile.msisdn).update(status=PoolNumberStatus.ASSIGNED)
        audit_record(
            actor=None,
            action="line.activated",
            obj=mobile,
            changes={"order": order.number, "kind": action.kind, "msisdn": mobile.msisdn},
        )
        if order.status == OrderStatus.VALIDATED and order_lines_all_active(order=order):
            order.status, order.completed_at = OrderStatus.COMPLETED, now
            order.save(update_fields=["status", "completed_at"])
            audit_record(actor=None, action="order.completed", obj=order, changes={"number": order.number})


def _months_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    return dt.date(year, month, 28)


def line_action_outcome_applied(action: LineAction, now: dt.datetime) -> None:
    """The outcome handler registered with the gateway's processing (`provisioning.apps`)."""
    order_line_activation_confirmed(action=action, now=now)


# --- service orders -----------------------------------------------------------------------------


def service_order_create(
    *,
    customer: Customer,
    product: Product,
    quantity: int,
    start_date: dt.date,
    by: User | None,
    unit_price: Decimal | None = None,
    end_date: dt.date | None = None,
    context: AuditContext | None = None,
) -> ServiceOrder:
    """Order a service for a customer: a quantity at the catalogue's price (or another, with the
    permission), from a date; a recurring one may end on a later date."""
    if customer.is_archived:
        raise ApplicationError(_("The customer %(name)s is archived.") % {"name": customer.display_name})
    if product.kind != ProductKind.SERVICE or product.archived:
        raise ApplicationError(_("Choose a service of the catalogue."), field="product")
    if quantity < 1:
        raise ApplicationError(_("The quantity is at least 1."), field="quantity")
    price = product.price if unit_price is None else unit_price
    if (
        unit_price is not None
        and unit_price != product.price
        and by is not None
        and not user_can(by, PRICE_OVERRIDE)
    ):
        raise ApplicationError(_("You may not change the service's price."), field="unit_price")
    if price < 0:
        raise ApplicationError(_("A price cannot be negative."), field="unit_price")
    if end_date is not None:
        if not product.recurring:
            raise ApplicationError(_("Only a recurring service has an end date."), field="end_date")
        if end_date < start_date:
            raise ApplicationError(_("The end date comes after the start date."), field="end_date")
    with transaction.atomic():
        service_order = ServiceOrder.objects.create(
            customer=customer,
            product=product,
            quantity=quantity,
            unit_price=quantize_price(price),
            start_date=start_date,
            end_date=end_date,
            created_by=by,
        )
        audit_record(
            actor=by,
            action="service_order.created",
            obj=service_order,
            changes={
                "customer": customer.number,
                "service": product.code,
                "quantity": quantity,
                "unit_price": str(service_order.unit_price),
                "start_date": start_date.isoformat(),
                "end_date": end_date.isoformat() if end_date else "",
            },
            context=context,
        )
    return service_order
