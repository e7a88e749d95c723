"""Absolute links to a site, for e-mails: built from the site's primary domain and the configured
scheme and port (`ISM_SCHEME`, `ISM_PUBLIC_PORT`), never from a request's Host header, which the
sender of a request chooses (a reset link under a host of their own would leak its token)."""

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from tenants.models import Domain, DomainStatus, Tenant


def tenant_url(tenant: Tenant, path: str = "/") -> str:
    """`path` on the tenant's site (the platform's own site for the public row), e.g.
    tenant_url(acme, "/portal/") → "https://acme.example.com/portal/"."""
    domain = (
        Domain.objects.filter(tenant=tenant, is_primary=True, status=DomainStatus.ACTIVE)
        .values_list("domain", flat=True)
        .first()
    )
    if domain is None:
        raise ApplicationError(_("The site %(name)s has no main domain.") % {"name": tenant.name})
    port = str(settings.ISM_PUBLIC_PORT or "").strip()
    host = f"{domain}:{port}" if port else domain
    return f"{settings.ISM_SCHEME}://{host}/{path.lstrip('/')}"
