"""Staff pages of the cdr_import app: the deposit console (dépôt de fichiers), the tracking of the
imports (suivi des dépôts) and an import's page, the operator feed's folders and their settings.
Thin: forms parse, services decide, tasks run the long work."""

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import staff_required, user_can
from audit.context import AuditContext
from cdr_import import selectors
from cdr_import.forms import (
    DepositFileForm,
    DepositForm,
    FeedFolderRhythmForm,
    FeedImportSettingsForm,
    ImportFilterForm,
    ReprocessForm,
)
from cdr_import.models import FeedFolder, FeedType, Import
from cdr_import.profiles import DEFAULT_PROFILE
from cdr_import.services_deposits import feed_type_detect, import_deposit, import_reprocess_refusal
from cdr_import.services_polling import (
    feed_folder_paths,
    feed_folder_rhythm_update,
    feed_folders_ensure,
    feed_import_settings_update,
)
from cdr_import.tasks import feed_folder_fetch, import_deposit_run, import_reprocess_run, queue_after_commit
from core.delimited import write_csv
from core.downloads import attachment_response
from core.errors import ApplicationError, call_service
from tenants.models import FeedAccess

REJECTED_PAGE = 100


def _import_or_404(pk: int) -> Import:
    found = selectors.import_get(import_id=pk)
    if found is None:
        raise Http404
    return found


def progress_of(feed_import: Import) -> dict[str, Any]:
    """What the console and the API show of an import while it runs."""
    return {
        "id": feed_import.pk,
        "file": feed_import.original_name,
        "status": feed_import.status,
        "status_label": str(feed_import.get_status_display()),
        "finished": feed_import.is_finished,
        "feed_type": feed_import.feed_type,
        "feed_type_label": str(feed_import.get_feed_type_display()) if feed_import.feed_type else "",
        "rows": feed_import.rows,
        "imported": feed_import.imported,
        "rejected": feed_import.rejected,
        "progress_done": feed_import.progress_done,
        "progress_total": feed_import.progress_total,
        "reason": feed_import.reason,
        "url": reverse("cdr_import:import_detail", args=[feed_import.pk]),
    }


# --- Deposit console ---------------------------------------------------------------------------
def _deposit(request: HttpRequest, *, upload: Any, values: dict[str, Any]) -> Import:
    by = cast(User, request.user)
    feed_import, to_run = import_deposit(
        data=upload,
        filename=upload.name or "",
        by=by,
        now=timezone.now(),
        feed_type=values.get("feed_type") or "",
        flow=values.get("flow") or "",
        customer=values.get("customer"),
        profile=values.get("profile") or DEFAULT_PROFILE,
        context=AuditContext.from_request(request),
    )
    if to_run:
        queue_after_commit(import_deposit_run, feed_import.pk, by.pk)
    return feed_import


@staff_required("imports.run")
def deposit(request: HttpRequest) -> HttpResponse:
    """The console: drop files (JavaScript sends each on its own), or choose them (plain form)."""
    tenant = selectors.feed_tenant()
    form = DepositForm(request.POST or None, request.FILES or None, initial={"flow": tenant.operator_code})
    deposited: list[Import] = []
    if request.method == "POST" and form.is_valid():
        for upload in form.cleaned_data["documents"]:
            try:
                deposited.append(_deposit(request, upload=upload, values=form.cleaned_data))
            except ApplicationError as exc:
                form.add_error("documents", f"{upload.name}: {exc.message}")
        if deposited and not form.errors:
            messages.success(request, _("%(count)s file(s) deposited.") % {"count": len(deposited)})
            done = ",".join(str(i.pk) for i in deposited)
            return redirect(f"{reverse('cdr_import:deposit')}?deposited={done}")
    ids = [int(i) for i in request.GET.get("deposited", "").split(",") if i.isdigit()]
    recent = Import.objects.filter(pk__in=ids) if ids else Import.objects.none()
    return render(
        request,
        "cdr_import/deposit.html",
        {
            "form": form,
            "feed_types": FeedType.choices,
            "recent": recent,
            "operator_code": tenant.operator_code,
        },
    )


@require_POST
@staff_required("imports.run")
def deposit_upload(request: HttpRequest) -> JsonResponse:
    """One file of the console (JSON): 202 with the import to follow, or 400 with the faults."""
    form = DepositFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
    try:
        feed_import = _deposit(request, upload=form.cleaned_data["file"], values=form.cleaned_data)
    except ApplicationError as exc:
        return JsonResponse({"errors": {exc.field or "file": [exc.message]}}, status=400)
    return JsonResponse(progress_of(feed_import), status=202)


@require_GET
@staff_required("imports.view")
def deposit_detect(request: HttpRequest) -> JsonResponse:
    """The feed type each name announces (`?name=…&name=…`)."""
    return JsonResponse({"types": [feed_type_detect(name) for name in request.GET.getlist("name")[:200]]})


@require_GET
@staff_required("imports.view")
def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(progress_of(_import_or_404(pk)))


# --- Tracking ----------------------------------------------------------------------------------
@staff_required("imports.view")
def import_list(request: HttpRequest) -> HttpResponse:
    filters = ImportFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    imports = selectors.import_list(
        status=values.get("status") or "",
        feed_type=values.get("feed_type") or "",
        flow=values.get("flow") or "",
        customer_number=(values.get("customer") or "").strip(),
        received_from=values.get("received_from"),
        received_to=values.get("received_to"),
    )
    page = Paginator(imports, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cdr_import/import_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "flows": selectors.import_flows(),
            "can_deposit": user_can(request.user, "imports.run"),
        },
    )


@staff_required("imports.view")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feed_import = _import_or_404(pk)
    rows = Paginator(selectors.rejected_row_list(feed_import=feed_import), REJECTED_PAGE)
    page = rows.get_page(request.GET.get("page"))
    return render(
        request,
        "cdr_import/import_detail.html",
        {
            "imp": feed_import,
            "page": page,
            "query": "",
            "timings": sorted((feed_import.timings or {}).items()),
            "can_reprocess": user_can(request.user, "imports.run"),
            "reprocess_refusal": import_reprocess_refusal(feed_import),
            "reprocess_form": ReprocessForm(),
        },
    )


@staff_required("imports.view")
def import_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The archived original, as received."""
    feed_import = _import_or_404(pk)
    if not feed_import.archived_file:
        raise Http404
    with feed_import.archived_file.open("rb") as handle:
        content = handle.read()
    return attachment_response(content, feed_import.original_name, "application/octet-stream")


REJECTED_HEADER = ("LINE", "FIELD", "REASON", "RAW")


def rejected_rows_csv(feed_import: Import) -> bytes:
    rows = selectors.rejected_row_list(feed_import=feed_import).values_list("line", "field", "reason", "raw")
    return write_csv(REJECTED_HEADER, rows.iterator(), numeric=("LINE",))


def rejected_csv_name(feed_import: Import) -> str:
    return f"rejets_{feed_import.pk}_{feed_import.original_name.rsplit('.', 1)[0]}.csv"


@staff_required("imports.view")
def import_rejected_csv(request: HttpRequest, pk: int) -> HttpResponse:
    feed_import = _import_or_404(pk)
    return attachment_response(rejected_rows_csv(feed_import), rejected_csv_name(feed_import), "text/csv")


@require_POST
@staff_required("imports.run")
def import_reprocess_view(request: HttpRequest, pk: int) -> HttpResponse:
    feed_import = _import_or_404(pk)
    form = ReprocessForm(request.POST)
    refusal = import_reprocess_refusal(feed_import)
    if refusal or not form.is_valid():
        messages.error(request, refusal or _("Choose a known feed type."))
    else:
        queue_after_commit(
            import_reprocess_run, feed_import.pk, request.user.pk, form.cleaned_data.get("feed_type") or ""
        )
        messages.success(request, _("The file is being read again."))
    return redirect("cdr_import:import_detail", pk=feed_import.pk)


# --- The operator feed -------------------------------------------------------------------------
@staff_required("imports.view")
def feed_folders(request: HttpRequest) -> HttpResponse:
    tenant = selectors.feed_tenant()
    folders = feed_folders_ensure(kind=tenant.kind)
    rows = [{"folder": f, "paths": feed_folder_paths(f.key, kind=tenant.kind)} for f in folders]
    return render(
        request,
        "cdr_import/feed_folders.html",
        {
            "rows": rows,
            "has_access": FeedAccess.objects.filter(tenant=tenant).exists(),
            "can_fetch": user_can(request.user, "imports.run"),
            "can_configure": user_can(request.user, "settings.manage"),
            "settings": selectors.feed_import_settings_get(),
        },
    )


@require_POST
@staff_required("imports.run")
def feed_folder_fetch_now(request: HttpRequest, key: str) -> HttpResponse:
    folder = selectors.feed_folder_get(key=key)
    if folder is None:
        raise Http404
    queue_after_commit(feed_folder_fetch, folder.pk, request.user.pk)
    messages.success(request, _("%(folder)s: fetching now.") % {"folder": folder.get_key_display()})
    return redirect("cdr_import:feed_folders")


@staff_required("settings.manage")
def feed_settings(request: HttpRequest) -> HttpResponse:
    """The feed's rhythms and import settings, a tab of the tenant's settings."""
    tenant = selectors.feed_tenant()
    folders = feed_folders_ensure(kind=tenant.kind)
    by, context = cast(User, request.user), AuditContext.from_request(request)
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    general = FeedImportSettingsForm(
        request.POST if posted == "general" else None,
        instance=selectors.feed_import_settings_get(),
        prefix="general",
    )
    forms = [
        FeedFolderRhythmForm(request.POST if posted == f.key else None, instance=f, prefix=f.key)
        for f in folders
    ]
    if (
        posted == "general"
        and general.is_valid()
        and call_service(
            general, feed_import_settings_update, data=general.cleaned_data, by=by, context=context
        )
        is not None
    ):
        messages.success(request, _("Feed settings saved."))
        return redirect("cdr_import:feed_settings")
    for form in forms:
        if (
            posted == form.instance.key
            and form.is_valid()
            and call_service(
                form,
                feed_folder_rhythm_update,
                folder=FeedFolder.objects.get(pk=form.instance.pk),  # the form changed its instance
                data=form.cleaned_data,
                by=by,
                context=context,
            )
            is not None
        ):
            label = form.instance.get_key_display()
            messages.success(request, _("%(folder)s: rhythm saved.") % {"folder": label})
            return redirect("cdr_import:feed_settings")
    return render(
        request,
        "cdr_import/feed_settings.html",
        {"tab": "feeds", "general": general, "forms": forms},
    )
