"""Staff pages of line orders and service orders. Thin: parse input, call a service or selector, render."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import staff_required, user_can
from audit.context import AuditContext
from core.errors import ApplicationError
from core.forms import all_valid
from customers.models import Customer
from provisioning.models import Order, OrderStatus
from provisioning.orders import selectors, services
from provisioning.orders.forms import (
    BaseOrderLineFormSet,
    OrderFilterForm,
    OrderForm,
    OrderLineFormSet,
    ServiceOrderForm,
    order_line_initial,
)

PARIS_TODAY = services.PARIS


def _today() -> Any:
    return timezone.now().astimezone(PARIS_TODAY).date()


def _order(pk: int) -> Order:
    try:
        return selectors.order_detail(pk=pk)
    except Order.DoesNotExist:
        raise Http404 from None


@staff_required("lines.view")
def order_list(request: HttpRequest) -> HttpResponse:
    filters = OrderFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    customer = None
    if values.get("customer"):
        customer = (
            Customer.objects.filter(pk=values["customer"]).first() if values["customer"].isdigit() else None
        )
    orders = selectors.order_list(
        status=values.get("status") or "", customer=customer, search=values.get("q") or ""
    )
    page = Paginator(orders, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "provisioning/order_list.html",
        {"filters": filters, "page": page, "query": query.urlencode(), "customer": customer},
    )


def _order_form_page(
    request: HttpRequest, *, customer: Customer, order: Order | None, initial: list[dict[str, Any]] | None
) -> HttpResponse:
    can_override = user_can(request.user, "offers.price_override")
    form = OrderForm(request.POST or None, initial={"note": order.note} if order else None)
    formset: BaseOrderLineFormSet = OrderLineFormSet(  # type: ignore[call-arg,assignment]
        request.POST or None, initial=initial, prefix="lines", can_override_price=can_override
    )
    status = 200
    if request.method == "POST" and all_valid(form, formset):
        by = request.user
        context = AuditContext.from_request(request)
        try:
            if order is None:
                order = services.order_create(
                    customer=customer,
                    lines=formset.line_inputs(),
                    by=by,  # type: ignore[arg-type]
                    today=_today(),
                    note=form.cleaned_data["note"],
                    context=context,
                )
                messages.success(request, _("Order %(number)s saved as a draft.") % {"number": order.number})
            else:
                services.order_update(
                    order=order,
                    lines=formset.line_inputs(),
                    by=by,  # type: ignore[arg-type]
                    today=_today(),
                    note=form.cleaned_data["note"],
                    context=context,
                )
                messages.success(request, _("Order %(number)s saved.") % {"number": order.number})
            return redirect("provisioning:order_detail", pk=order.pk)
        except ApplicationError as exc:
            _attach(formset, form, exc)
            status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "provisioning/order_form.html",
        {
            "customer": customer,
            "order": order,
            "form": form,
            "formset": formset,
            "can_override_price": can_override,
        },
        status=status,
    )


def _attach(formset: BaseOrderLineFormSet, form: OrderForm, exc: ApplicationError) -> None:
    """Show each rule violation on the line and field it names (or on the whole order)."""
    forms = formset.kept_forms()
    broken = exc.extra.get("line_errors") or [
        (exc.extra.get("line"), exc.extra.get("line_field"), exc.message)
    ]
    for index, field, message in broken:
        if isinstance(index, int) and 0 < index <= len(forms):
            target = forms[index - 1]
            name = field if field in target.fields else None
            if message not in target.errors.get(name or "__all__", []):
                target.add_error(name, message)
        else:
            form.add_error(None, message)


@staff_required("lines.write")
def order_new(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_pk)
    return _order_form_page(request, customer=customer, order=None, initial=None)


@staff_required("lines.write")
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    if order.status != OrderStatus.DRAFT:
        messages.error(request, _("Only a draft order can be changed."))
        return redirect("provisioning:order_detail", pk=order.pk)
    initial = [order_line_initial(line) for line in order.lines.all()]
    return _order_form_page(request, customer=order.customer, order=order, initial=initial)


@staff_required("lines.view")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    return render(
        request,
        "provisioning/order_detail.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "can_write": user_can(request.user, "lines.write"),
            "is_draft": order.status == OrderStatus.DRAFT,
            "can_cancel": order.status in (OrderStatus.DRAFT, OrderStatus.VALIDATED),
        },
    )


@require_POST
@staff_required("lines.write")
def order_validate(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    services.order_validate(
        order=order,
        by=request.user,  # type: ignore[arg-type]
        now=timezone.now(),
        context=AuditContext.from_request(request),
    )
    messages.success(
        request,
        _("Order %(number)s validated: the requests went to the operator.") % {"number": order.number},
    )
    return redirect("provisioning:order_detail", pk=order.pk)


@require_POST
@staff_required("lines.write")
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    services.order_cancel(
        order=order,
        by=request.user,  # type: ignore[arg-type]
        now=timezone.now(),
        context=AuditContext.from_request(request),
    )
    messages.success(request, _("Order %(number)s cancelled.") % {"number": order.number})
    return redirect("provisioning:order_detail", pk=order.pk)


@staff_required("lines.view")
def service_order_list(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_pk)
    can_write = user_can(request.user, "lines.write")
    can_override = user_can(request.user, "offers.price_override")
    form = ServiceOrderForm(request.POST or None, can_override_price=can_override)
    status = 200
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.service_order_create(
                    customer=customer,
                    product=data["product"],
                    quantity=data["quantity"],
                    unit_price=data.get("unit_price"),
                    start_date=data["start_date"],
                    end_date=data.get("end_date"),
                    by=request.user,  # type: ignore[arg-type]
                    context=AuditContext.from_request(request),
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Service ordered."))
                return redirect("provisioning:service_order_list", customer_pk=customer.pk)
        status = 400
    return render(
        request,
        "provisioning/order_services.html",
        {
            "customer": customer,
            "service_orders": selectors.service_order_list(customer=customer),
            "form": form,
            "can_write": can_write,
        },
        status=status,
    )
