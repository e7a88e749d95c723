"""The platform admins' pages (public domain): tenants, their onboarding, documents and feed."""

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.permissions import staff_required
from audit.context import AuditContext
from audit.selectors import audit_event_list
from core.errors import ApplicationError, call_service
from tenants.models import OnboardingStep, Tenant, TenantDocument, TenantStatus
from tenants.platform import selectors, services
from tenants.platform.forms import (
    DocumentForm,
    DomainRefuseForm,
    FeedAccessForm,
    IdentityForm,
    InviteAdminForm,
    OverrideForm,
    StepForm,
    SuspendForm,
    TenantCreateForm,
    TenantFilterForm,
)


def tenant_site_url(request: HttpRequest, domain: str) -> str:
    """The tenant's site as reached from here: same scheme, same port as this request (a link on
    this page only; links in e-mails come from `tenants.links.tenant_url`)."""
    host = request.get_host()
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    return f"{request.scheme}://{domain}{':' + port if port else ''}"


def _tabs_context(request: HttpRequest, tenant: Tenant, active: str) -> dict[str, Any]:
    domain = selectors.tenant_primary_domain(tenant)
    return {
        "tenant": tenant,
        "tab": active,
        "domain": domain,
        "site_url": tenant_site_url(request, domain) if domain else "",
    }


@staff_required("platform.manage")
def tenant_list_view(request: HttpRequest) -> HttpResponse:
    form = TenantFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tenants = selectors.tenant_list_for_platform(
        search=(filters.get("q") or "").strip(),
        kind=filters.get("kind") or "",
        status=filters.get("status") or "",
        late_only=bool(filters.get("late")),
        today=timezone.localdate(),
    )
    page = Paginator(tenants, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tenants/platform/tenant_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(request.GET.get("q")),
            "pending_domains": selectors.domain_request_list().count(),
        },
    )


@staff_required("platform.manage")
def tenant_create_view(request: HttpRequest) -> HttpResponse:
    form = TenantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identity = form.identity()
        tenant = call_service(
            form,
            services.tenant_create,
            schema_name=data["schema_name"],
            kind=data["kind"],
            operator_code=data["operator_code"],
            domain=data["domain"],
            admin_email=data["admin_email"],
            admin_first_name=data["admin_first_name"],
            admin_last_name=data["admin_last_name"],
            by=cast(User, request.user),
            today=timezone.localdate(),
            context=AuditContext.from_request(request),
            **identity,
        )
        if tenant is not None:
            messages.success(
                request,
                _("%(name)s was created; its admin was sent an invitation to %(email)s.")
                % {"name": tenant.name, "email": data["admin_email"]},
            )
            return redirect("platform:tenant_detail", pk=tenant.pk)
    return render(request, "tenants/platform/tenant_create.html", {"form": form})


@staff_required("platform.manage")
def tenant_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = selectors.tenant_get(pk=pk)
    today = timezone.localdate()
    steps = list(selectors.onboarding_step_list(tenant=tenant))
    rows = [
        {"step": step, "form": StepForm(instance=step, prefix=f"s{step.pk}"), "late": step.is_late_on(today)}
        for step in steps
    ]
    automatic = selectors.automatic_steps(tenant=tenant)
    done = sum(1 for step in steps if step.is_done) + sum(1 for check in automatic if check.ok)
    total = len(steps) + len(automatic)
    context = _tabs_context(request, tenant, "onboarding")
    context.update(
        {
            "rows": rows,
            "automatic": automatic,
            "done": done,
            "total": total,
            "percent": int(100 * done / total) if total else 0,
            "late": sum(1 for row in rows if row["late"]),
            "override_form": OverrideForm(),
            "suspend_form": SuspendForm(),
            "invite_form": InviteAdminForm(),
            "can_override": tenant.status == TenantStatus.ONBOARDING,
            "events": audit_event_list(obj=tenant)[:10],
            "feed": selectors.feed_access_of(tenant=tenant),
            "domain_requests": _domain_rows(selectors.domain_request_list(status="", tenant=tenant)),
        }
    )
    return render(request, "tenants/platform/tenant_detail.html", context)


@staff_required("platform.manage")
@require_POST
def onboarding_step_update_view(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    tenant = selectors.tenant_get(pk=pk)
    step = get_object_or_404(OnboardingStep, pk=step_pk, tenant=tenant)
    form = StepForm(request.POST, instance=OnboardingStep.objects.get(pk=step.pk), prefix=f"s{step.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.onboarding_step_update(
                step=step,
                by=cast(User, request.user),
                today=timezone.localdate(),
                status=data["status"],
                done_on=data["done_on"],
                due_date=data["due_date"],
                note=data["note"] or "",
                context=AuditContext.from_request(request),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Step “%(step)s” saved.") % {"step": step.title})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("platform:tenant_detail", kwargs={"pk": tenant.pk}) + f"#step-{step.pk}")


@staff_required("platform.manage")
@require_POST
def tenant_override_view(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = selectors.tenant_get(pk=pk)
    form = OverrideForm(request.POST)
    if form.is_valid() and form.cleaned_data["reason"].strip() and not form.cleaned_data["confirmed"]:
        # The reason first, then the confirmation, on a page that says what is still missing.
        context = _tabs_context(request, tenant, "onboarding")
        context.update(
            {
                "form": form,
                "pending": services.onboarding_steps_pending(tenant=tenant),
                "red": [check for check in selectors.automatic_steps(tenant=tenant) if not check.ok],
            }
        )
        return render(request, "tenants/platform/tenant_override_confirm.html", context)
    if form.is_valid() and call_service(
        form,
        services.tenant_activate_override,
        tenant=tenant,
        reason=form.cleaned_data["reason"],
        by=cast(User, request.user),
        today=timezone.localdate(),
        context=AuditContext.from_request(request),
    ):
        messages.success(request, _("%(name)s is active.") % {"name": tenant.name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("platform:tenant_detail", pk=tenant.pk)


@staff_required("platform.manage")
@require_POST
def tenant_suspension_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend a live tenant's site, or reopen a suspended one (with a reason)."""
    tenant = selectors.tenant_get(pk=pk)
    form = SuspendForm(request.POST)
    reopen = request.POST.get("action") == "reactivate"
    service = services.tenant_reactivate if reopen else services.tenant_suspend
    if form.is_valid() and call_service(
        form,
        service,
        tenant=tenant,
        reason=form.cleaned_data["reason"],
        by=cast(User, request.user),
        context=AuditContext.from_request(request),
    ):
        if reopen:
            messages.success(request, _("%(name)s's site is open again.") % {"name": tenant.name})
        else:
            messages.success(request, _("%(name)s's site is suspended.") % {"name": tenant.name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("platform:tenant_detail", pk=tenant.pk)


@staff_required("platform.manage")
@require_POST
def tenant_invite_admin_view(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = selectors.tenant_get(pk=pk)
    form = InviteAdminForm(request.POST)
    domain = selectors.tenant_primary_domain(tenant)
    if domain and form.is_valid():
        data = form.cleaned_data
        user = call_service(
            form,
            services.tenant_invite_admin,
            tenant=tenant,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        if user is not None:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": data["email"]})
            return redirect("platform:tenant_detail", pk=tenant.pk)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("platform:tenant_detail", pk=tenant.pk)


@staff_required("platform.manage")
def tenant_identity_view(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = selectors.tenant_get(pk=pk)
    initial = {name: getattr(tenant, name) for name in services.IDENTITY_FIELDS}
    form = IdentityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form,
            services.tenant_update_identity,
            tenant=tenant,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **form.identity(),
        )
        if updated is not None:
            messages.success(request, _("The identity of %(name)s was saved.") % {"name": updated.name})
            return redirect("platform:tenant_identity", pk=tenant.pk)
    context = _tabs_context(request, tenant, "identity")
    context["form"] = form
    return render(request, "tenants/platform/tenant_identity.html", context)


@staff_required("platform.manage")
def tenant_documents_view(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = selectors.tenant_get(pk=pk)
    form = DocumentForm(request.POST or None, request.FILES or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = call_service(
            form,
            services.tenant_document_add,
            tenant=tenant,
            file=data["file"],
            title=data["title"],
            kind=data["kind"],
            step=data["step"],
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        if document is not None:
            messages.success(request, _("“%(title)s” was added.") % {"title": document.title})
            return redirect("platform:tenant_documents", pk=tenant.pk)
    context = _tabs_context(request, tenant, "documents")
    context.update({"form": form, "documents": selectors.tenant_document_list(tenant=tenant)})
    return render(request, "tenants/platform/tenant_documents.html", context)


@staff_required("platform.manage")
def tenant_document_download_view(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    tenant = selectors.tenant_get(pk=pk)
    document = get_object_or_404(TenantDocument, pk=document_pk, tenant=tenant)
    with schema_context("public"):
        handle = document.file.open("rb")
    # A streamed response: the decorator's type speaks of HttpResponse, which it behaves as here.
    return cast(HttpResponse, FileResponse(handle, as_attachment=True, filename=document.original_name))


@staff_required("platform.manage")
@require_POST
def tenant_document_delete_view(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    tenant = selectors.tenant_get(pk=pk)
    document = get_object_or_404(TenantDocument, pk=document_pk, tenant=tenant)
    services.tenant_document_delete(
        document=document, by=cast(User, request.user), context=AuditContext.from_request(request)
    )
    messages.success(request, _("“%(title)s” was deleted.") % {"title": document.title})
    return redirect("platform:tenant_documents", pk=tenant.pk)


@staff_required("platform.manage")
def tenant_feed_view(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = selectors.tenant_get(pk=pk)
    access = selectors.feed_access_of(tenant=tenant)
    initial = {}
    if access is not None:
        initial = {
            "protocol": access.protocol,
            "host": access.host,
            "port": access.port,
            "username": access.username,
            "auth": access.auth,
            "root_path": access.root_path,
        }
    form = FeedAccessForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = call_service(
            form,
            services.feed_access_set,
            tenant=tenant,
            by=cast(User, request.user),
            protocol=data["protocol"],
            host=data["host"],
            port=data["port"],
            username=data["username"],
            auth=data["auth"],
            secret=data["secret"],
            root_path=data["root_path"],
            clear_host_key=data["clear_host_key"],
            context=AuditContext.from_request(request),
        )
        if saved is not None:
            messages.success(request, _("The feed access was saved."))
            return redirect("platform:tenant_feed", pk=tenant.pk)
    context = _tabs_context(request, tenant, "feed")
    context.update({"form": form, "access": access})
    return render(request, "tenants/platform/tenant_feed.html", context)


@staff_required("platform.manage")
@require_POST
def tenant_feed_test_view(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = selectors.tenant_get(pk=pk)
    report = services.feed_access_test(
        tenant=tenant,
        by=cast(User, request.user),
        now=timezone.now(),
        context=AuditContext.from_request(request),
    )
    if report["ok"]:
        messages.success(request, _("Connected: every expected folder is there."))
    elif report["connected"]:
        messages.warning(
            request,
            _("Connected, but %(count)s expected folder(s) are missing.") % {"count": len(report["missing"])},
        )
    else:
        messages.error(request, _("The connection failed: %(error)s") % {"error": report["error"]})
    return redirect("platform:tenant_feed", pk=tenant.pk)


# --- Custom domains awaiting approval ----------------------------------------------------------
def _domain_rows(domains: Any) -> list[dict[str, Any]]:
    return [
        {
            "domain": domain,
            "warnings": selectors.domain_warnings(domain=domain) if domain.status == "pending" else [],
        }
        for domain in domains
    ]


@staff_required("platform.manage")
def domain_request_list_view(request: HttpRequest) -> HttpResponse:
    """Custom domains tenants asked for, each with its look-alike warnings, to approve or refuse."""
    return render(
        request,
        "tenants/platform/domain_requests.html",
        {"rows": _domain_rows(selectors.domain_request_list()), "refuse_form": DomainRefuseForm()},
    )


@staff_required("platform.manage")
@require_POST
def domain_decide_view(request: HttpRequest, domain_pk: int) -> HttpResponse:
    form = DomainRefuseForm(request.POST)
    approve = request.POST.get("action") == "approve"
    kwargs: dict[str, Any] = (
        {} if approve else {"reason": form.cleaned_data["reason"] if form.is_valid() else ""}
    )
    domain = call_service(
        form,
        services.domain_approve if approve else services.domain_refuse,
        domain_id=domain_pk,
        by=cast(User, request.user),
        now=timezone.now(),
        context=AuditContext.from_request(request),
        **kwargs,
    )
    if domain is None:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    elif approve:
        messages.success(
            request,
            _("%(domain)s now serves %(name)s's site.")
            % {"domain": domain.domain, "name": domain.tenant.name},
        )
    else:
        messages.success(request, _("%(domain)s was refused.") % {"domain": domain.domain})
    back = request.POST.get("next", "")
    if back == "tenant" and domain is not None:
        return redirect("platform:tenant_detail", pk=domain.tenant_id)
    return redirect("platform:domain_requests")
