"""Staff pages of the provisioning app: SIM stock (list, import, a SIM and its codes), the RIO
checker, the provisioning settings, lines (list, detail with history, actions one and bulk, the
customer's tabs), fixed numbers and the operator disagreements. Thin: parse input, call a service
or selector, render."""

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import staff_required, user_can
from audit.context import AuditContext
from core.errors import ApplicationError, call_service
from provisioning import selectors, services
from provisioning.forms import (
    BULK_CHOICES,
    ONE_LINE_KINDS,
    BulkActionForm,
    DisagreementFilterForm,
    FixedAssignForm,
    FixedNumberForm,
    LineActionForm,
    LineFilterForm,
    ProvisioningSettingsForm,
    RioCheckForm,
    SimFilterForm,
    SimImportForm,
)
from provisioning.models import FixedNumber, LineActionKind, MobileLine, Order, Sim
from provisioning.rio import rio_check
from provisioning.services import fixed as fixed_services
from provisioning.services import lines as line_services
from provisioning.tasks import line_actions_bulk_start


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context["can_settings"] = user_can(request.user, "settings.manage")
    return render(request, f"provisioning/{template}", context, status=status)


@staff_required("lines.view")
def sim_list(request: HttpRequest) -> HttpResponse:
    filters = SimFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    sims = selectors.sim_list(
        search=values.get("q") or "", state=values.get("state") or "", order_ref=values.get("order_ref") or ""
    )
    page = Paginator(sims, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "sim_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "stock": selectors.sim_stock_summary(),
            "can_import": user_can(request.user, "lines.write"),
            "import_form": SimImportForm(),
        },
    )


@staff_required("lines.write")
def sim_import(request: HttpRequest) -> HttpResponse:
    form = SimImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _page(request, "sim_import.html", {"form": form})
    upload = form.cleaned_data["file"]
    try:
        result = services.sim_import(
            data=upload.read(),
            filename=upload.name or "sims.csv",
            by=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
    except ApplicationError as exc:
        return _page(
            request,
            "sim_import.html",
            {
                "form": form,
                "message": exc.message,
                "errors": exc.extra.get("errors", []),
                "filename": upload.name,
            },
            status=400,
        )
    messages.success(
        request,
        _("%(count)s SIM card(s) added to the stock (%(refs)s).")
        % {"count": result.count, "refs": ", ".join(result.order_refs)},
    )
    return redirect("provisioning:sim_list")


@staff_required("lines.view")
def sim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sim = get_object_or_404(Sim.objects.select_related("profile"), pk=pk)
    codes = None
    if request.method == "POST":
        codes = services.sim_codes_reveal(
            sim=sim,
            by=request.user,  # type: ignore[arg-type]
            context=AuditContext.from_request(request),
        )
    return _page(
        request,
        "sim_detail.html",
        {
            "sim": sim,
            "codes": codes,
            "can_reveal": user_can(request.user, "secrets.reveal"),
            "lines": sim.lines.select_related("customer").order_by("-created_at")[:20],
        },
    )


@staff_required("lines.view")
def rio_checker(request: HttpRequest) -> HttpResponse:
    form = RioCheckForm(request.POST or request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = rio_check(form.cleaned_data["number"], form.cleaned_data["rio"])
    return _page(request, "rio_check.html", {"form": form, "result": result})


@staff_required("settings.manage")
def settings_edit(request: HttpRequest) -> HttpResponse:
    current = selectors.provisioning_settings_get()
    form = ProvisioningSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            services.provisioning_settings_update,
            data=form.cleaned_data,
            by=request.user,
            context=AuditContext.from_request(request),
        )
        if saved is not None:
            messages.success(request, _("Provisioning settings saved."))
            return redirect("provisioning:settings")
    return _page(request, "settings.html", {"form": form})


# --- lines ------------------------------------------------------------------------------------


def _line(pk: int) -> MobileLine:
    try:
        return selectors.line_get(pk=pk)
    except MobileLine.DoesNotExist as exc:
        raise Http404 from exc


def _fixed(pk: int) -> FixedNumber:
    try:
        return selectors.fixed_number_get(pk=pk)
    except FixedNumber.DoesNotExist as exc:
        raise Http404 from exc


@staff_required("lines.view")
def line_list(request: HttpRequest) -> HttpResponse:
    form = LineFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "search": data["q"] or "",
            "status": data["status"] or "",
            "customer_id": data["customer"],
            "offer_id": data["offer"].pk if data["offer"] else None,
        }
    page = selectors.line_page(selectors.line_list(**filters), after=request.GET.get("after", ""))
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "provisioning/line_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "bulk_choices": BULK_CHOICES,
            "can_write": user_can(request.user, "lines.write"),
        },
    )


@staff_required("lines.view")
def line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(pk)
    return render(
        request,
        "provisioning/line_detail.html",
        {
            "line": line,
            "history": selectors.line_history(line=line),
            "kinds": ONE_LINE_KINDS,
            "form": LineActionForm(
                initial={"user_name": line.user_name, "international": line.international}
            ),
            "can_write": user_can(request.user, "lines.write"),
        },
    )


@staff_required("lines.write")
def line_action(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    line = _line(pk)
    if kind not in dict(ONE_LINE_KINDS):
        raise Http404
    now = timezone.now()
    today = timezone.localdate(now)
    fee = (
        line_services.line_termination_fee(line=line, today=today)
        if kind == LineActionKind.TERMINATE
        else None
    )
    form = LineActionForm(request.POST if request.method == "POST" else None, initial={"fee": fee})
    if request.method == "POST" and form.is_valid():
        action = call_service(
            form,
            line_services.line_action_perform,
            line=line,
            kind=kind,
            data=form.service_data(),
            by=request.user,
            now=now,
            today=today,
            context=AuditContext.from_request(request),
        )
        if action is not None:
            messages.success(
                request,
                _("%(action)s requested: it is sent to the operator.")
                % {"action": action.get_kind_display()},
            )
            return redirect("provisioning:line_detail", pk=line.pk)
    return render(
        request,
        "provisioning/line_action.html",
        {"line": line, "kind": kind, "kind_label": LineActionKind(kind).label, "form": form, "fee": fee},
    )


@staff_required("lines.write")
@require_POST
def line_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkActionForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("lines") if i.isdigit()]
    if form.is_valid():
        job = call_service(
            form,
            line_actions_bulk_start,
            line_ids=ids,
            kind=form.cleaned_data["kind"],
            by=request.user,
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        if job is not None:
            return redirect("jobs:detail", job_id=job.pk)
    for error in form.errors.values():
        messages.error(request, " ".join(str(e) for e in error))
    return redirect("provisioning:line_list")


# --- the customer's tabs (customers' hook) ----------------------------------------------------


def customer_lines_tab(request: HttpRequest, customer: Any) -> str:
    return render_to_string(
        "provisioning/customer_lines_tab.html",
        {
            "customer": customer,
            "lines": selectors.lines_of_customer(customer_id=customer.pk),
            "numbers": selectors.fixed_number_list(customer_id=customer.pk)[:200],
            "list_url": reverse("provisioning:line_list") + f"?customer={customer.pk}",
        },
        request=request,
    )


def customer_orders_tab(request: HttpRequest, customer: Any) -> str:
    orders = Order.objects.filter(customer_id=customer.pk).order_by("-created_at", "-id")[:200]
    return render_to_string(
        "provisioning/customer_orders_tab.html", {"customer": customer, "orders": orders}, request=request
    )


# --- fixed numbers ----------------------------------------------------------------------------


@staff_required("lines.view")
def fixed_list(request: HttpRequest) -> HttpResponse:
    numbers = selectors.fixed_number_list(
        search=request.GET.get("q", ""), status=request.GET.get("status", "")
    )
    page = Paginator(numbers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "provisioning/fixed_list.html",
        {
            "page": page,
            "query": f"q={request.GET.get('q', '')}",
            "can_write": user_can(request.user, "lines.write"),
        },
    )


@staff_required("lines.write")
def fixed_create(request: HttpRequest) -> HttpResponse:
    form = FixedNumberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fixed = call_service(
            form,
            fixed_services.fixed_number_create,
            number=form.cleaned_data["number"],
            offer=form.cleaned_data["offer"],
            rate_table=form.cleaned_data["rate_table"],
            by=request.user,
            context=AuditContext.from_request(request),
        )
        if fixed is not None:
            return redirect("provisioning:fixed_detail", pk=fixed.pk)
    return render(request, "provisioning/fixed_form.html", {"form": form})


@staff_required("lines.view")
def fixed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fixed = _fixed(pk)
    return render(
        request,
        "provisioning/fixed_detail.html",
        {
            "fixed": fixed,
            "history": selectors.fixed_number_history(number=fixed)[:200],
            "assign_form": FixedAssignForm(),
            "can_write": user_can(request.user, "lines.write"),
        },
    )


@staff_required("lines.write")
@require_POST
def fixed_assign(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    fixed = _fixed(pk)
    context = AuditContext.from_request(request)
    today = timezone.localdate()
    by = cast(User, request.user)
    if verb == "unassign":
        fixed_services.fixed_number_unassign(fixed=fixed, by=by, today=today, context=context)
    else:
        form = FixedAssignForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a customer."))
            return redirect("provisioning:fixed_detail", pk=fixed.pk)
        service = fixed_services.fixed_number_move if verb == "move" else fixed_services.fixed_number_assign
        service(fixed=fixed, customer=form.cleaned_data["customer"], by=by, today=today, context=context)
    messages.success(request, _("The number %(number)s is updated.") % {"number": fixed.number})
    return redirect("provisioning:fixed_detail", pk=fixed.pk)


# --- the operator link ------------------------------------------------------------------------


@staff_required("lines.view")
def disagreement_list(request: HttpRequest) -> HttpResponse:
    filters = DisagreementFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    state = values.get("state") or "open"
    rows = selectors.disagreement_list(
        state="" if state == "all" else state,
        subject=values.get("subject") or "",
        search=values.get("q") or "",
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "provisioning/disagreement_list.html",
        {
            "filters": filters,
            "page": page,
            "state": state,
            "query": query.urlencode(),
            "can_settings": user_can(request.user, "settings.manage"),
        },
    )
