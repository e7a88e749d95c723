"""The one permission check: may this user do this here?

Capabilities are named `<area>.<verb>`; each maps to the roles that have it. Pages use
`staff_required`, the API uses `HasCapability`, templates use `user_can` through the shell.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from rest_framework.permissions import BasePermission

from accounts.models import STAFF_ROLES, Role
from core.tenancy import in_public_schema

_ALL_STAFF = STAFF_ROLES
CAPABILITIES: dict[str, frozenset[str]] = {
    # platform
    "platform.manage": frozenset({Role.PLATFORM_ADMIN}),
    # tenant administration
    "audit.view": frozenset({Role.ADMIN, Role.PLATFORM_ADMIN}),
    "settings.manage": frozenset({Role.ADMIN}),
    "staff.manage": frozenset({Role.ADMIN}),
    # customers
    "customers.view": _ALL_STAFF,
    "customers.write": frozenset({Role.ADMIN, Role.SALES, Role.SUPPORT}),
    "payments.write": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
    # catalogue and rate tables
    "catalogue.view": _ALL_STAFF,
    "catalogue.write": frozenset({Role.ADMIN}),
    "offers.price_override": frozenset({Role.ADMIN}),
    # lines, SIMs and orders
    "lines.view": _ALL_STAFF,
    "lines.write": frozenset({Role.ADMIN, Role.SALES, Role.SUPPORT}),
    "secrets.reveal": frozenset({Role.ADMIN, Role.SUPPORT}),
    # feeds and imports
    "imports.view": _ALL_STAFF,
    "imports.run": frozenset({Role.ADMIN, Role.SUPPORT, Role.ACCOUNTANT}),
    # billing and accounting
    "billing.view": frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.SUPPORT}),
    "billing.run": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
    "exports.accounting": frozenset({Role.ADMIN, Role.ACCOUNTANT}),
    # reports and dashboards
    "reports.view": _ALL_STAFF,
}


def user_can(user: Any, capability: str) -> bool:
    """Whether `user` has `capability` (unknown capabilities are refused)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    roles = CAPABILITIES.get(capability)
    if roles is None:
        raise KeyError(f"unknown capability {capability!r}")
    return user.role in roles


def is_staff_here(user: Any) -> bool:
    """Staff of this site: platform admins on the public domain, tenant staff on a tenant's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if in_public_schema():
        return user.role == Role.PLATFORM_ADMIN
    return user.role in STAFF_ROLES


def staff_required(
    capability: str | None = None,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Page decorator: log in first; then a 403 page unless staff here (and `capability`)."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_staff_here(request.user):
                raise PermissionDenied
            if capability and not user_can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def portal_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Page decorator for the end-customer portal."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="portal:login")
        if request.user.role != Role.CUSTOMER or in_public_schema():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class IsStaffMember(BasePermission):
    """API default: tenant staff on a tenant domain, platform admins on the public one."""

    message = "This API is for staff accounts of this site."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_staff_here(request.user)


class IsPortalCustomer(BasePermission):
    message = "This API is for end-customer accounts."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.CUSTOMER and not in_public_schema())


def HasCapability(capability: str, *, read: str | None = None) -> type[BasePermission]:  # noqa: N802
    """API permission: staff here with `capability` (or `read` for safe methods, when given)."""

    class _HasCapability(BasePermission):
        message = f"Your role does not allow this ({capability})."

        def has_permission(self, request: Any, view: Any) -> bool:
            if not is_staff_here(request.user):
                return False
            needed = read if read and request.method in ("GET", "HEAD", "OPTIONS") else capability
            return user_can(request.user, needed)

    _HasCapability.__name__ = f"HasCapability_{capability.replace('.', '_')}"
    return _HasCapability
