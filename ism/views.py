"""The shell's own pages: the staff dashboard, the search box, the error pages."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import staff_required, user_can
from audit.selectors import audit_event_list
from core.registry import SearchHit, registry
from jobs.selectors import heartbeat_latest, job_list_recent, worker_is_alive
from reports.views import dashboard_context


def home(request: HttpRequest) -> HttpResponseBase:
    """The root of a tenant's site: staff dashboard, or the portal for an end customer."""
    if request.user.is_authenticated and request.user.role == Role.CUSTOMER:
        return redirect("portal:home")
    return dashboard(request)


@staff_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    heartbeat = heartbeat_latest()
    context: dict[str, Any] = {
        "jobs": job_list_recent(limit=5),
        "heartbeat": heartbeat,
        "worker_alive": worker_is_alive(now=timezone.now(), beat=heartbeat),
        "recent_events": audit_event_list()[:8] if user_can(request.user, "audit.view") else [],
    }
    if user_can(request.user, "reports.view"):
        context.update(dashboard_context(today=timezone.localdate()))
        context["can_billing"] = user_can(request.user, "billing.view")
    return render(request, "dashboard.html", context)


@staff_required()
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    hits: list[SearchHit] = []
    if len(query) >= 2:
        for provider in registry.search_providers:
            hits.extend(provider(request, query))
    elif query:
        return render(request, "search.html", {"query": query, "hits": [], "too_short": True})
    return render(request, "search.html", {"query": query, "hits": hits})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"message": _("You are not allowed to see this page.")}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
