"""Request middleware of the tenants: which site a host name serves, and suspended sites.

- `ApprovedDomainTenantMiddleware` (in place of django-tenants' `TenantMainMiddleware`) resolves
  the request's host from *active* domains only: a custom domain a tenant asked for serves nothing
  until a platform admin approves it (a pending or refused host is a 404 like an unknown one).
- A suspended tenant's site answers 503 with a page saying so (after the tenant is resolved).
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware

from tenants.models import DomainStatus, TenantStatus


class ApprovedDomainTenantMiddleware(TenantMainMiddleware):
    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        domain = domain_model.objects.select_related("tenant").get(
            domain=hostname, status=DomainStatus.ACTIVE
        )
        return domain.tenant


class SuspendedTenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.schema_name != "public" and tenant.status == TenantStatus.SUSPENDED:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "This site is suspended."}, status=503)
            return render(request, "suspended.html", {"tenant": tenant}, status=503)
        return self.get_response(request)
