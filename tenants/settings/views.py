"""The tenant's settings pages (“Paramètres”): bank details, branding, domains, e-mail
templates, invoicing and the team. Thin: forms parse, services decide."""

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import staff_required
from audit.context import AuditContext
from core.errors import ApplicationError, call_service
from tenants.models import EmailKind
from tenants.settings import selectors, services
from tenants.settings.forms import (
    STAFF_ROLE_CHOICES,
    ApiAccessForm,
    BankDetailsForm,
    BrandingForm,
    DomainForm,
    EmailTemplateForm,
    InviteForm,
    InvoiceSettingsForm,
)
from tenants.settings.images import MAX_FILE_BYTES
from tenants.settings.mail import email_render, email_sample_context, email_spec
from tenants.settings.numbering import invoice_number_capacity_warning


def _page(request: HttpRequest, tab: str, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"tenants/settings/{template}", {"tab": tab, **context})


@staff_required("settings.manage")
def settings_home(request: HttpRequest) -> HttpResponse:
    return redirect("tenant_settings:bank")


@staff_required("settings.manage")
def bank(request: HttpRequest) -> HttpResponse:
    tenant = selectors.tenant_current()
    initial = {k: getattr(tenant, k) for k in ("sepa_creditor_id", "creditor_iban", "creditor_bic")}
    form = BankDetailsForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            services.bank_details_update,
            tenant=tenant,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **form.cleaned_data,
        )
    ):
        messages.success(request, _("Bank details saved."))
        return redirect("tenant_settings:bank")
    return _page(request, "bank", "bank.html", {"form": form, "tenant": tenant})


def _upload(form: BrandingForm, name: str) -> bytes | None:
    upload = form.cleaned_data.get(name)
    # One byte over the limit is enough for the check to refuse it, without reading a huge file.
    return upload.read(MAX_FILE_BYTES + 1) if upload else None


@staff_required("settings.manage")
def branding(request: HttpRequest) -> HttpResponse:
    tenant = selectors.tenant_current()
    current = selectors.branding_get(tenant=tenant)
    initial = {
        "primary_color": current.primary_color,
        "ink_color": current.ink_color,
        "welcome_message": current.welcome_message,
    }
    form = BrandingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        warnings = call_service(
            form,
            services.branding_update,
            tenant=tenant,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            primary_color=data["primary_color"],
            ink_color=data["ink_color"],
            welcome_message=data["welcome_message"],
            logo=_upload(form, "logo"),
            banner=_upload(form, "banner"),
            remove_logo=data["remove_logo"],
            remove_banner=data["remove_banner"],
            low_contrast_confirmed=data["low_contrast_confirmed"],
        )
        if warnings is not None:
            for warning in warnings:
                messages.warning(request, warning)
            messages.success(request, _("Branding saved."))
            return redirect("tenant_settings:branding")
    return _page(
        request,
        "branding",
        "branding.html",
        {"form": form, "current": selectors.branding_for_pages(tenant=tenant), "tenant": tenant},
    )


@require_GET
def branding_image(request: HttpRequest, kind: str) -> HttpResponse:
    """The current site's logo or banner (public: the log-in page shows the logo)."""
    tenant = getattr(request, "tenant", None)
    found = selectors.branding_image(tenant=tenant, kind=kind) if tenant is not None else None
    if found is None:
        raise Http404
    content, digest = found
    etag = f'"{digest}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(content, content_type="image/png")
    response["ETag"] = etag
    # The URL carries the digest (?v=…), so a new image gets a new URL.
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if request.GET.get("v") == digest else "no-cache"
    )
    return response


@staff_required("settings.manage")
def domains(request: HttpRequest) -> HttpResponse:
    tenant = selectors.tenant_current()
    form = DomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = call_service(
            form,
            services.tenant_domain_add,
            tenant=tenant,
            domain=form.cleaned_data["domain"],
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        if added:
            messages.success(
                request,
                _(
                    "The domain %(domain)s is awaiting approval by the platform: it serves your site once approved."
                )
                % {"domain": added.domain},
            )
            return redirect("tenant_settings:domains")
    return _page(
        request,
        "domains",
        "domains.html",
        {"form": form, "domains": selectors.tenant_domain_list(tenant=tenant)},
    )


@require_POST
@staff_required("settings.manage")
def domain_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.tenant_domain_remove(
        tenant=selectors.tenant_current(),
        domain_id=pk,
        by=cast(User, request.user),
        context=AuditContext.from_request(request),
    )
    messages.success(request, _("Domain removed."))
    return redirect("tenant_settings:domains")


@staff_required("settings.manage")
def emails(request: HttpRequest) -> HttpResponse:
    rows = selectors.email_template_list(tenant=selectors.tenant_current())
    return _page(request, "emails", "emails.html", {"rows": rows})


@staff_required("settings.manage")
def email_edit(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in EmailKind.values:
        raise Http404
    tenant = selectors.tenant_current()
    spec = email_spec(kind)
    saved = selectors.email_template_get(tenant=tenant, kind=kind)
    initial = {
        "subject": saved.subject if saved else spec.default_subject,
        "body": saved.body if saved else spec.default_body,
    }
    form = EmailTemplateForm(request.POST or None, initial=initial, kind=kind)
    action = request.POST.get("action", "save")
    preview = None
    if request.method == "POST" and action == "reset":
        services.email_template_reset(
            tenant=tenant, kind=kind, by=cast(User, request.user), context=AuditContext.from_request(request)
        )
        messages.success(request, _("The default wording is back."))
        return redirect("tenant_settings:email_edit", kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if action == "test":
            sent_to = call_service(
                form,
                services.email_template_send_test,
                tenant=tenant,
                kind=kind,
                by=cast(User, request.user),
                context=AuditContext.from_request(request),
                **data,
            )
            if sent_to:
                messages.success(request, _("A test e-mail was sent to %(email)s.") % {"email": sent_to})
        elif action == "preview":
            preview = call_service(form, services.email_template_preview, tenant=tenant, kind=kind, **data)
        elif call_service(
            form,
            services.email_template_save,
            tenant=tenant,
            kind=kind,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **data,
        ):
            messages.success(request, _("E-mail template saved."))
            return redirect("tenant_settings:email_edit", kind=kind)
    if preview is None and not form.errors:
        preview = email_render(
            kind=kind, context=email_sample_context(kind=kind, tenant=tenant), tenant=tenant
        )
    return _page(
        request,
        "emails",
        "email_edit.html",
        {
            "form": form,
            "kind": EmailKind(kind),
            "spec": spec,
            "preview": preview,
            "customised": saved is not None,
        },
    )


@staff_required("settings.manage")
def invoicing(request: HttpRequest) -> HttpResponse:
    tenant = selectors.tenant_current()
    current = selectors.invoice_settings_get(tenant=tenant)
    fields = ("number_format", *services.INVOICE_TEXT_FIELDS)
    form = InvoiceSettingsForm(request.POST or None, initial={k: getattr(current, k) for k in fields})
    pattern = current.number_format
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            services.invoice_settings_update,
            tenant=tenant,
            by=cast(User, request.user),
            today=timezone.localdate(),
            context=AuditContext.from_request(request),
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, _("Invoice settings saved."))
            warning = invoice_number_capacity_warning(saved.number_format)
            if warning:
                messages.warning(request, warning)
            return redirect("tenant_settings:invoicing")
    next_number = selectors.invoice_number_preview(pattern=pattern, today=timezone.localdate())
    return _page(
        request,
        "invoicing",
        "invoicing.html",
        {
            "form": form,
            "next_number": next_number,
            "pattern": pattern,
            "warning": invoice_number_capacity_warning(pattern),
        },
    )


@require_GET
@staff_required("settings.manage")
def invoice_number_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the next invoice number the typed pattern would give, or why it is refused."""
    try:
        number = selectors.invoice_number_preview(
            pattern=request.GET.get("number_format", ""), today=timezone.localdate()
        )
        return render(
            request,
            "tenants/settings/_number_preview.html",
            {
                "next_number": number,
                "warning": invoice_number_capacity_warning(request.GET.get("number_format", "")),
            },
        )
    except ApplicationError as exc:
        return render(request, "tenants/settings/_number_preview.html", {"error": exc.message})


@staff_required("staff.manage")
def team(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = call_service(
            form,
            services.staff_invite,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            tenant=selectors.tenant_current(),
            **form.cleaned_data,
        )
        if user:
            messages.success(
                request,
                _("%(user)s is invited: an e-mail was sent to %(email)s.")
                % {"user": user.username, "email": user.email},
            )
            return redirect("tenant_settings:team")
    return _page(
        request,
        "team",
        "team.html",
        {
            "form": form,
            "members": selectors.staff_list(),
            "roles": STAFF_ROLE_CHOICES,
            "api_access_form": ApiAccessForm(
                initial={"api_token_days": selectors.tenant_current().api_token_days}
            ),
        },
    )


@require_POST
@staff_required("settings.manage")
def api_access(request: HttpRequest) -> HttpResponse:
    """How long the staff's API tokens work."""
    form = ApiAccessForm(request.POST)
    if form.is_valid():
        saved = call_service(
            form,
            services.api_access_update,
            tenant=selectors.tenant_current(),
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, _("API access saved."))
            return redirect("tenant_settings:team")
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("tenant_settings:team")


@require_POST
@staff_required("staff.manage")
def team_member(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action")
    if action == "role":
        user = services.staff_set_role(
            user_id=pk,
            role=request.POST.get("role", ""),
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        messages.success(
            request, _("%(user)s is now %(role)s.") % {"user": user, "role": user.get_role_display()}
        )
    elif action in ("deactivate", "activate"):
        user = services.staff_set_active(
            user_id=pk,
            active=action == "activate",
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        messages.success(
            request,
            (_("%(user)s can log in again.") if user.is_active else _("%(user)s can no longer log in."))
            % {"user": user},
        )
    else:
        raise ApplicationError(_("Unknown action."))
    return redirect("tenant_settings:team")
