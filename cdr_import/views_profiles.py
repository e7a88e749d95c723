"""Staff pages of the tenant's reading profiles of CDR files (list, create, edit, try on a file) and
of the usage settings (prepaid VAT rate, consumption alerts, roaming data cap). Thin: forms parse,
services decide."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import staff_required, user_can
from audit.context import AuditContext
from cdr_import import usage
from cdr_import.forms_profiles import ReadingProfileForm, ReadingProfileTryForm, UsageSettingsForm
from cdr_import.models import Import, ReadingProfile
from cdr_import.profiles import DEFAULT_PROFILE, PROFILES
from cdr_import.services_profiles import (
    ProfileTrial,
    reading_profile_create,
    reading_profile_try,
    reading_profile_update,
)
from core.errors import ApplicationError, call_service, form_add_errors
from core.money import format_amount


@staff_required("imports.view")
def profile_list(request: HttpRequest) -> HttpResponse:
    profiles = ReadingProfile.objects.order_by("label", "id")
    return render(
        request,
        "cdr_import/reading_profile_list.html",
        {
            "profiles": profiles,
            "builtin": sorted(PROFILES),
            "default": DEFAULT_PROFILE,
            "perms_run": user_can(request.user, "imports.run"),
            "section": "profiles",
        },
    )


@staff_required("imports.run")
def profile_edit(request: HttpRequest, profile_id: int | None = None) -> HttpResponse:
    profile = get_object_or_404(ReadingProfile, pk=profile_id) if profile_id else None
    form = ReadingProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        common: dict[str, Any] = {
            "values": form.values(),
            "by": request.user,
            "context": AuditContext.from_request(request),
        }
        saved = (
            call_service(form, reading_profile_update, profile=profile, **common)
            if profile is not None
            else call_service(form, reading_profile_create, **common)
        )
        if saved is not None:
            messages.success(request, _("The reading profile is saved."))
            return redirect("cdr_import:reading_profile_edit", saved.pk)
    used = Import.objects.filter(profile=profile.code).count() if profile is not None else 0
    return render(
        request,
        "cdr_import/reading_profile_form.html",
        {
            "form": form,
            "profile": profile,
            "used": used,
            "try_form": ReadingProfileTryForm() if profile is not None else None,
            "section": "profiles",
        },
    )


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_amount(value, places=max(2, -int(value.normalize().as_tuple().exponent)), currency="")
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    return str(value)


@staff_required("imports.run")
def profile_try(request: HttpRequest, profile_id: int) -> HttpResponse:
    """ "Try on a file": the first rows of an uploaded sample read with the profile, or its faults."""
    profile = get_object_or_404(ReadingProfile, pk=profile_id)
    form = ReadingProfileTryForm(request.POST or None, request.FILES or None)
    trial: ProfileTrial | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            trial = reading_profile_try(
                profile=profile,
                data=upload.file,
                filename=str(upload.name or "")[:200],
                feed_type=form.cleaned_data.get("feed_type") or "",
            )
        except ApplicationError as exc:
            form_add_errors(form, exc)
    rows = [[_shown(v) for v in row.values()] for row in trial.rows] if trial is not None else []
    return render(
        request,
        "cdr_import/reading_profile_try.html",
        {"profile": profile, "form": form, "trial": trial, "rows": rows, "section": "profiles"},
        status=400 if request.method == "POST" and (trial is None or not trial.ok) else 200,
    )


@staff_required("settings.manage")
def usage_settings(request: HttpRequest) -> HttpResponse:
    """Prepaid usage and consumption alerts, a tab of the tenant's settings."""
    current = usage.usage_settings_get()
    form = UsageSettingsForm(
        request.POST or None,
        initial={
            "roaming_data_cap": current.roaming_data_cap,
            "prepaid_vat_rate": current.prepaid_vat_rate,
            "alerts_enabled": current.alerts_enabled,
        },
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            usage.usage_settings_update,
            by=request.user,
            context=AuditContext.from_request(request),
            **form.cleaned_data,
        )
        is not None
    ):
        messages.success(request, _("Usage settings saved."))
        return redirect("cdr_import:usage_settings")
    return render(request, "cdr_import/usage_settings.html", {"form": form, "tab": "usage"})
