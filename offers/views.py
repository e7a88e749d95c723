"""Staff pages of the catalogue: offers, options, services and hardware, terminals, rate tables,
the price simulator. Thin: they parse input, call a service or selector and render."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.permissions import staff_required, user_can
from audit.context import AuditContext
from core.downloads import attachment_response
from core.errors import ApplicationError, call_service
from core.forms import all_valid
from offers import selectors, services
from offers.forms import (
    AllowanceFormSet,
    CopyForm,
    OfferForm,
    OptionForm,
    ProductForm,
    RateFilterForm,
    RateForm,
    RateTableForm,
    SimulatorForm,
    TerminalForm,
)
from offers.models import Offer, Option, Product, Rate, RateTable, RateTableUpload, Terminal
from offers.tasks import rate_table_import_start
from offers.termination import early_termination_fee


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type[Model]
    form: type[forms.ModelForm]
    list_selector: Callable[..., QuerySet]
    title: Any
    singular: Any
    columns: tuple[str, ...]
    allowances: bool = False
    new_label: Any = ""


KINDS: dict[str, Kind] = {
    "offers": Kind(
        "offers",
        Offer,
        OfferForm,
        selectors.offer_list,
        gettext_lazy("Offers"),
        gettext_lazy("offer"),
        ("code", "label", "price", "vat_rate", "commitments", "default_rate_table", "allowances"),
        True,
        gettext_lazy("New offer"),
    ),
    "options": Kind(
        "options",
        Option,
        OptionForm,
        selectors.option_list,
        gettext_lazy("Options"),
        gettext_lazy("option"),
        ("code", "label", "price", "vat_rate", "data_speed", "allowances"),
        True,
        gettext_lazy("New option"),
    ),
    "products": Kind(
        "products",
        Product,
        ProductForm,
        selectors.product_list,
        gettext_lazy("Services and hardware"),
        gettext_lazy("service or hardware"),
        ("code", "label", "kind", "recurring", "price", "vat_rate"),
        False,
        gettext_lazy("New service or hardware"),
    ),
    "terminals": Kind(
        "terminals",
        Terminal,
        TerminalForm,
        selectors.terminal_list,
        gettext_lazy("Terminals"),
        gettext_lazy("terminal"),
        ("code", "brand", "model", "price", "instalments", "rental_price"),
        False,
        gettext_lazy("New terminal"),
    ),
}


# The typed writes of each kind: (create, update, the update's keyword for the item).
WRITES: dict[str, tuple[Callable[..., Any], Callable[..., Any], str]] = {
    "offers": (services.offer_create, services.offer_update, "offer"),
    "options": (services.option_create, services.option_update, "option"),
    "products": (services.product_create, services.product_update, "product"),
    "terminals": (services.terminal_create, services.terminal_update, "terminal"),
}


def _kind(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404
    return KINDS[slug]


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@staff_required("catalogue.view")
def catalogue_home(request: HttpRequest) -> HttpResponse:
    return redirect("offers:item_list", kind="offers")


@staff_required("catalogue.view")
def item_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    search = request.GET.get("q", "").strip()
    archived = request.GET.get("archived") == "1"
    items = spec.list_selector(search=search, archived=archived)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "offers/item_list.html",
        {
            "spec": spec,
            "page": page,
            "search": search,
            "archived": archived,
            "query": _query_without_page(request),
            "tabs": KINDS.values(),
            "can_write": user_can(request.user, "catalogue.write"),
        },
    )


@staff_required("catalogue.view")
def item_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    item = get_object_or_404(spec.model, pk=pk)
    fields = [
        (f.verbose_name, _display(item, f.name))
        for f in spec.model._meta.concrete_fields
        if f.name not in ("id", "created_at", "updated_at")
    ]
    termination = None
    if isinstance(item, Offer):
        termination = [
            (
                months,
                [
                    (
                        elapsed,
                        early_termination_fee(
                            monthly_price=item.price,
                            commitment_months=months,
                            months_elapsed=elapsed,
                            rule=item.termination_rule,
                        ),
                    )
                    for elapsed in (0, 6, 12, 18)
                    if elapsed < months
                ],
            )
            for months in item.commitment_choices
            if months
        ]
    return render(
        request,
        "offers/item_detail.html",
        {
            "spec": spec,
            "item": item,
            "fields": fields,
            "tabs": KINDS.values(),
            "allowances": item.allowances.all() if spec.allowances else None,  # type: ignore[attr-defined]
            "options": item.options.all() if isinstance(item, Offer) else None,
            "termination": termination,
            "can_write": user_can(request.user, "catalogue.write"),
        },
    )


def _display(item: Model, name: str) -> Any:
    display = getattr(item, f"get_{name}_display", None)
    value = display() if display else getattr(item, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "—" if value is None or value == "" else value


def _allowance_forms(formset: forms.BaseFormSet) -> list[forms.BaseForm]:
    """The rows of the formset that are allowances (filled, not removed), in order."""
    return [
        form
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("event_type")
    ]


def _allowance_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    return [form.cleaned_data for form in _allowance_forms(formset)]


def _call_with_allowances(
    form: forms.BaseForm, formset: forms.BaseFormSet | None, service: Callable[..., Any], **kwargs: Any
) -> Any:
    """`call_service`, with a refused allowance's reason shown on its own row."""
    try:
        return service(**kwargs)
    except ApplicationError as exc:
        row = (exc.extra or {}).get("allowance")
        rows = _allowance_forms(formset) if formset is not None else []
        if isinstance(row, int) and row < len(rows):
            target = rows[row]
            target.add_error(exc.field if exc.field in target.fields else None, exc.message)
        else:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@staff_required("catalogue.write")
def item_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    spec = _kind(kind)
    item = get_object_or_404(spec.model, pk=pk) if pk else None
    form = spec.form(request.POST or None, instance=item)
    initial = (
        [
            {
                "event_type": a.event_type,
                "zones": a.zones,
                "origin_zones": a.origin_zones,
                "quantity": a.quantity,
                "unit": a.unit,
                "unlimited": a.unlimited,
            }
            for a in item.allowances.all()  # type: ignore[attr-defined]
        ]
        if item is not None and spec.allowances
        else []
    )
    formset = (
        AllowanceFormSet(request.POST or None, initial=initial, prefix="allowances")
        if spec.allowances
        else None
    )
    if request.method == "POST" and all_valid(form, formset):
        create, update, item_arg = WRITES[kind]
        fields = dict(form.cleaned_data)
        if formset is not None:
            fields["allowances"] = _allowance_rows(formset)
        context = AuditContext.from_request(request)
        if item is None:
            saved = _call_with_allowances(
                form, formset, create, by=cast(User, request.user), context=context, **fields
            )
        else:
            saved = _call_with_allowances(
                form,
                formset,
                update,
                **{item_arg: item},
                by=cast(User, request.user),
                context=context,
                **fields,
            )
        if saved is not None:
            messages.success(request, _("%(item)s saved.") % {"item": saved})
            return redirect("offers:item_detail", kind=kind, pk=saved.pk)
    return render(
        request,
        "offers/item_form.html",
        {"spec": spec, "item": item, "form": form, "formset": formset, "tabs": KINDS.values()},
    )


@staff_required("catalogue.write")
def item_archive(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    item = get_object_or_404(spec.model, pk=pk)
    if request.method != "POST":
        return redirect("offers:item_detail", kind=kind, pk=pk)
    archived = request.POST.get("archived", "1") == "1"
    services.catalogue_item_archive(  # type: ignore[type-var]
        item=item, by=cast(User, request.user), archived=archived, context=AuditContext.from_request(request)
    )
    messages.success(
        request,
        _("%(item)s archived.") % {"item": item} if archived else _("%(item)s restored.") % {"item": item},
    )
    return redirect("offers:item_detail", kind=kind, pk=pk)


# --- Rate tables -----------------------------------------------------------------------------
@staff_required("catalogue.view")
def table_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    archived = request.GET.get("archived") == "1"
    page = Paginator(selectors.rate_table_list(search=search, archived=archived), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "offers/table_list.html",
        {
            "page": page,
            "search": search,
            "archived": archived,
            "query": _query_without_page(request),
            "tabs": KINDS.values(),
            "can_write": user_can(request.user, "catalogue.write"),
        },
    )


@staff_required("catalogue.view")
def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_object_or_404(RateTable.objects.select_related("base_table"), pk=pk)
    filters = RateFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    on = values.get("on") or timezone.localdate()
    rates = selectors.rate_list_in_force(
        table=table,
        on=on,
        prefix=values.get("prefix") or "",
        destination=values.get("destination") or "",
        event_type=values.get("event_type") or "",
    )
    effective = request.GET.get("effective") == "1" and table.kind == "markup" and table.base_table_id
    if effective:
        rows: Any = selectors.rate_effective_list(
            table=table,
            on=on,
            prefix=values.get("prefix") or "",
            destination=values.get("destination") or "",
            event_type=values.get("event_type") or "",
        )
        page = Paginator(rows, 100).get_page(request.GET.get("page"))
    else:
        page = Paginator(rates, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "offers/table_detail.html",
        {
            "table": table,
            "effective": effective,
            "filters": filters,
            "on": on,
            "page": page,
            "query": _query_without_page(request),
            "uploads": table.uploads.select_related("uploaded_by")[:10],
            "tabs": KINDS.values(),
            "copy_form": CopyForm(initial={"code": f"{table.code}-COPY", "label": table.label}),
            "can_write": user_can(request.user, "catalogue.write"),
        },
    )


@staff_required("catalogue.write")
def table_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    table = get_object_or_404(RateTable, pk=pk) if pk else None
    form = RateTableForm(request.POST or None, instance=table)
    if table is not None:
        form.fields["base_table"].queryset = RateTable.objects.exclude(pk=table.pk)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        context = AuditContext.from_request(request)
        if table is None:
            saved = call_service(
                form, services.rate_table_create, data=data, by=cast(User, request.user), context=context
            )
        else:
            fresh = RateTable.objects.get(pk=table.pk)  # the bound form already changed `table`
            saved = call_service(
                form,
                services.rate_table_update,
                table=fresh,
                data=data,
                by=cast(User, request.user),
                context=context,
            )
        if saved is not None:
            messages.success(request, _("Rate table %(code)s saved.") % {"code": saved.code})
            return redirect("offers:table_detail", pk=saved.pk)
    return render(request, "offers/table_form.html", {"form": form, "table": table, "tabs": KINDS.values()})


@staff_required("catalogue.write")
def table_upload(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_object_or_404(RateTable, pk=pk)
    upload = request.FILES.get("file")
    if request.method != "POST" or upload is None:
        messages.error(request, _("Choose a CSV or XLSX file."))
        return redirect("offers:table_detail", pk=pk)
    try:
        if selectors.rate_file_goes_to_worker(upload=upload):
            # A large file is read by a worker: the page follows its job.
            job = rate_table_import_start(
                table=table,
                upload=upload,
                by=cast(User, request.user),
                now=timezone.now(),
                context=AuditContext.from_request(request),
            )
            return redirect("jobs:detail", job_id=job.pk)
        result = services.rate_table_import(
            table=table,
            data=services.rate_file_read(upload=upload),
            filename=upload.name or "rates.csv",
            by=cast(User, request.user),
            today=timezone.localdate(),
            context=AuditContext.from_request(request),
        )
    except ApplicationError as exc:
        return render(
            request,
            "offers/upload_refused.html",
            {
                "table": table,
                "message": exc.message,
                "errors": exc.extra.get("errors", []),
                "error_count": exc.extra.get("error_count", 0),
                "errors_token": exc.extra.get("errors_token", ""),
                "filename": upload.name,
                "tabs": KINDS.values(),
            },
            status=400,
        )
    messages.success(
        request,
        _("%(count)s rows applied from %(file)s.") % {"count": result.row_count, "file": result.filename},
    )
    for note in getattr(result, "notes", []):
        messages.warning(request, note)
    return redirect("offers:table_detail", pk=pk)


@staff_required("catalogue.write")
def upload_errors(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The whole list of a refused upload's faults, as CSV."""
    table = get_object_or_404(RateTable, pk=pk)
    content = selectors.rate_errors_csv_get(token=token)
    if content is None:
        raise Http404
    return attachment_response(content, f"{table.code}-errors.csv", "text/csv; charset=utf-8")


@staff_required("catalogue.view")
def table_export(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    table = get_object_or_404(RateTable, pk=pk)
    if file_format not in ("csv", "xlsx"):
        raise Http404
    content, name, content_type = selectors.rate_table_export(table=table, file_format=file_format)
    return attachment_response(content, name, content_type)


@staff_required("catalogue.view")
def upload_download(request: HttpRequest, pk: int, upload_pk: int) -> HttpResponse:
    """The archived original of an uploaded rate file (from this tenant's own storage)."""
    upload = get_object_or_404(RateTableUpload, pk=upload_pk, table_id=pk)
    with upload.file.open("rb") as handle:
        return attachment_response(handle.read(), upload.filename, "application/octet-stream")


@staff_required("catalogue.write")
def table_copy(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_object_or_404(RateTable, pk=pk)
    form = CopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        copy = services.rate_table_copy(
            table=table,
            code=form.cleaned_data["code"],
            label=form.cleaned_data["label"],
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        messages.success(request, _("Table copied as %(code)s.") % {"code": copy.code})
        return redirect("offers:table_detail", pk=copy.pk)
    messages.error(request, _("Give a code and a label for the copy."))
    return redirect("offers:table_detail", pk=pk)


@staff_required("catalogue.write")
def table_archive(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_object_or_404(RateTable, pk=pk)
    if request.method == "POST":
        archived = request.POST.get("archived", "1") == "1"
        services.rate_table_archive(
            table=table,
            by=cast(User, request.user),
            archived=archived,
            context=AuditContext.from_request(request),
        )
        messages.success(request, _("Table archived.") if archived else _("Table restored."))
    return redirect("offers:table_detail", pk=pk)


@staff_required("catalogue.write")
def rate_edit(request: HttpRequest, pk: int, rate_pk: int | None = None) -> HttpResponse:
    table = get_object_or_404(RateTable, pk=pk)
    rate = get_object_or_404(Rate, pk=rate_pk, table=table) if rate_pk else None
    form = RateForm(
        request.POST or None,
        instance=rate,
        initial={"valid_from": timezone.localdate(), "origin_zone": "HOME"},
    )
    form.instance.table = table  # its rules (one row per prefix and date) are the table's
    if request.method == "POST" and form.is_valid():
        fresh = Rate.objects.get(pk=rate.pk) if rate else None  # the bound form already changed `rate`
        saved = call_service(
            form,
            services.rate_save,
            table=table,
            rate=fresh,
            data=dict(form.cleaned_data),
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        if saved is not None:
            messages.success(request, _("Row %(prefix)s saved.") % {"prefix": saved.prefix or "*"})
            return redirect("offers:table_detail", pk=pk)
    return render(
        request, "offers/rate_form.html", {"form": form, "table": table, "rate": rate, "tabs": KINDS.values()}
    )


# --- Simulator -------------------------------------------------------------------------------
@staff_required("catalogue.view")
def simulator(request: HttpRequest) -> HttpResponse:
    form = SimulatorForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        volume = data.get("volume_mb") or Decimal(0)
        result = selectors.rating_simulate(
            table=data.get("table"),
            offer=data.get("offer"),
            event_type=data["event_type"],
            called=data.get("called") or "",
            duration_s=data.get("duration_s") or 0,
            volume_bytes=int(volume * 1024 * 1024),
            country=(data.get("country") or "").upper(),
            on=data.get("on") or timezone.localdate(),
        )
    template = "offers/_simulation.html" if request.htmx else "offers/simulator.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "result": result, "tabs": KINDS.values()})
