"""A suspended tenant's site answers 503 with a page saying so (after the tenant is resolved)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tenants.models import TenantStatus


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
