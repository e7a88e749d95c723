"""Reads about tenants."""

from django.db import connection
from django.db.models import QuerySet

from tenants.models import Tenant, TenantStatus


def tenant_current() -> Tenant | None:
    """The tenant of the current connection (None in the public schema)."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "schema_name", "public") == "public":
        return None
    return tenant


def tenant_list() -> QuerySet[Tenant]:
    """Every tenant, the platform's own row excluded."""
    return Tenant.objects.exclude(schema_name="public").prefetch_related("domains")


def tenant_list_active() -> QuerySet[Tenant]:
    return tenant_list().filter(status=TenantStatus.ACTIVE)


def tenant_primary_domain(tenant: Tenant) -> str | None:
    domain = tenant.domains.filter(is_primary=True).first() or tenant.domains.first()
    return domain.domain if domain else None
