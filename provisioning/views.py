"""Staff pages of the provisioning app: SIM stock (list, import, a SIM and its codes), the RIO
checker and the provisioning settings. Thin: parse input, call a service or selector, render."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import staff_required, user_can
from audit.context import AuditContext
from core.errors import ApplicationError, call_service
from provisioning import selectors, services
from provisioning.forms import ProvisioningSettingsForm, RioCheckForm, SimFilterForm, SimImportForm
from provisioning.models import Sim
from provisioning.rio import rio_check


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
