"""Reads of line orders and service orders."""

from django.db.models import Prefetch, Q, QuerySet

from customers.models import Customer
from offers.models import Offer, Option, Product, ProductKind
from provisioning.models import (
    LineAction,
    LineStatus,
    Order,
    OrderLine,
    ServiceOrder,
    Sim,
    SimState,
)


def order_list(*, status: str = "", customer: Customer | None = None, search: str = "") -> QuerySet[Order]:
    """Orders, newest first, filtered by status, customer or a part of their number."""
    orders = Order.objects.select_related("customer", "created_by")
    if status:
        orders = orders.filter(status=status)
    if customer is not None:
        orders = orders.filter(customer=customer)
    if search.strip():
        text = search.strip()
        orders = orders.filter(Q(number__icontains=text) | Q(customer__number__iexact=text))
    return orders.order_by("-created_at", "-id")


def order_detail(*, pk: int) -> Order:
    """One order with its lines, their SIMs, offers, resulting lines and actions (raises DoesNotExist)."""
    return (
        Order.objects.select_related("customer", "created_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related(
                    "sim", "offer", "terminal", "rate_table", "line", "seller"
                )
                .prefetch_related(
                    "options",
                    Prefetch("actions", queryset=LineAction.objects.order_by("requested_at", "id")),
                )
                .order_by("id"),
            )
        )
        .get(pk=pk)
    )


def order_lines_all_active(*, order: Order) -> bool:
    """Whether every line of the order has become an active line."""
    return not order.lines.exclude(line__status=LineStatus.ACTIVE).exists()


def order_sims_available() -> QuerySet[Sim]:
    """The SIM cards an order may take: those still available in the stock."""
    return Sim.objects.filter(state=SimState.AVAILABLE).order_by("iccid")


def order_offers() -> QuerySet[Offer]:
    return Offer.objects.filter(archived=False).order_by("label")


def order_options() -> QuerySet[Option]:
    return Option.objects.filter(archived=False).order_by("label")


def offer_data_speeds(*, offer: Offer | None) -> list[str]:
    """The data speeds a line of `offer` may have: those of the catalogue's data options.

    A choice is offered only where there are several; an empty speed is the offer's own."""
    return sorted(
        set(Option.objects.filter(archived=False).exclude(data_speed="").values_list("data_speed", flat=True))
    )


def service_order_list(*, customer: Customer | None = None) -> QuerySet[ServiceOrder]:
    """Service orders, latest start first (a customer's only, when given)."""
    orders = ServiceOrder.objects.select_related("customer", "product", "created_by")
    if customer is not None:
        orders = orders.filter(customer=customer)
    return orders.order_by("-start_date", "-id")


def service_products() -> QuerySet[Product]:
    """The services of the catalogue one may order."""
    return Product.objects.filter(kind=ProductKind.SERVICE, archived=False).order_by("label")
