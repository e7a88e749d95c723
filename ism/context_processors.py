"""What every page's shell needs: the site's name, the navigation this user may see."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.permissions import is_staff_here, user_can
from core.registry import registry
from core.tenancy import in_public_schema


def shell(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    public = in_public_schema()
    user = getattr(request, "user", None)
    nav = []
    if user is not None and is_staff_here(user):
        items = registry.public_nav if public else registry.tenant_nav
        path = request.path
        for item in items:
            if item.capability and not user_can(user, item.capability):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            nav.append(
                {
                    "label": item.label,
                    "url": url,
                    "active": url != "/" and path.startswith(url),
                    "key": item.key,
                }
            )
    settings_tabs = []
    if user is not None and not public and is_staff_here(user):
        for item in registry.settings_tabs:
            if item.capability and not user_can(user, item.capability):
                continue
            try:
                settings_tabs.append({"label": item.label, "url": reverse(item.url_name), "key": item.key})
            except NoReverseMatch:
                continue
    return {
        "settings_tabs": settings_tabs,
        "site_tenant": None if public else tenant,
        "brand_name": "ISM" if public or tenant is None else tenant.name,
        "is_platform_site": public,
        "nav_items": nav,
        "is_staff_here": bool(user is not None and is_staff_here(user)),
    }
