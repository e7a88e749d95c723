"""Templates get `branding`: the current tenant's logo, banner, colours and welcome message."""

from typing import Any

from django.http import HttpRequest

from core.tenancy import in_public_schema
from tenants.settings.selectors import branding_for_pages


def branding(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None or in_public_schema():
        return {"branding": None}
    # Once per request, however many templates the page renders with it.
    if not hasattr(request, "_ism_branding"):
        setattr(request, "_ism_branding", branding_for_pages(tenant=tenant))  # noqa: B010
    return {"branding": getattr(request, "_ism_branding")}  # noqa: B009
