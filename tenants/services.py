"""Writes about tenants: creating one (its schema, domain) and changing its status."""

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from ism.exceptions import ApplicationError
from tenants.models import Domain, Tenant, TenantKind, TenantStatus

SCHEMA_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
RESERVED_SCHEMAS = {"public", "information_schema", "pg_catalog", "pg_toast"}


def platform_ensure(*, domain: str | None = None) -> Tenant:
    """The public tenant (the platform's own site) and its domain; created if missing."""
    domain = domain or settings.PUBLIC_DOMAIN
    platform, _created = Tenant.objects.get_or_create(
        schema_name="public", defaults={"name": "ISM", "status": TenantStatus.ACTIVE}
    )
    Domain.objects.get_or_create(domain=domain, defaults={"tenant": platform, "is_primary": True})
    return platform


def domain_validate(domain: str) -> str:
    domain = domain.strip().lower().rstrip(".")
    if not DOMAIN_RE.match(domain):
        raise ApplicationError(
            _("%(domain)s is not a valid domain name.") % {"domain": domain}, field="domain"
        )
    if Domain.objects.filter(domain=domain).exists():
        raise ApplicationError(
            _("The domain %(domain)s is already used.") % {"domain": domain}, field="domain"
        )
    return domain


def tenant_create(
    *,
    name: str,
    schema_name: str,
    kind: str,
    operator_code: str,
    domain: str,
    by: Any,
    status: str = TenantStatus.ONBOARDING,
    request: Any = None,
    **fields: Any,
) -> Tenant:
    """Create a tenant: its row, its PostgreSQL schema (migrated) and its main domain."""
    schema_name = schema_name.strip().lower()
    if not SCHEMA_RE.match(schema_name) or schema_name in RESERVED_SCHEMAS or schema_name.startswith("pg_"):
        raise ApplicationError(
            _(
                "The technical name must be 2 to 41 lower-case letters, digits or underscores, starting with a letter."
            ),
            field="schema_name",
        )
    if kind not in TenantKind.values:
        raise ApplicationError(_("Choose integrator or VNO."), field="kind")
    operator_code = operator_code.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{2,20}", operator_code):
        raise ApplicationError(
            _("The operator code is 2 to 20 capital letters or digits."), field="operator_code"
        )
    if Tenant.objects.filter(schema_name=schema_name).exists():
        raise ApplicationError(
            _("The technical name %(name)s is taken.") % {"name": schema_name}, field="schema_name"
        )
    if Tenant.objects.filter(operator_code=operator_code).exists():
        raise ApplicationError(
            _("The operator code %(code)s is already used.") % {"code": operator_code}, field="operator_code"
        )
    domain = domain_validate(domain)
    # The schema is created and migrated by Tenant.save(); DDL in PostgreSQL is transactional,
    # so a failure leaves neither a half-made schema nor a row.
    with transaction.atomic():
        tenant = Tenant(
            name=name.strip(),
            schema_name=schema_name,
            kind=kind,
            operator_code=operator_code,
            status=status,
            **fields,
        )
        tenant.save()
        Domain.objects.create(domain=domain, tenant=tenant, is_primary=True)
        audit_record(
            actor=by,
            action="tenant.created",
            obj=tenant,
            changes={"kind": kind, "operator_code": operator_code, "domain": domain},
            request=request,
        )
    return tenant


def tenant_set_status(
    *, tenant: Tenant, status: str, by: Any, reason: str = "", request: Any = None
) -> Tenant:
    if status not in TenantStatus.values:
        raise ApplicationError(_("Unknown status."), field="status")
    if tenant.status == status:
        return tenant
    old = tenant.status
    tenant.status = status
    tenant.save(update_fields=["status"])
    audit_record(
        actor=by,
        action="tenant.status_changed",
        obj=tenant,
        changes={"status": [old, status], "reason": reason},
        request=request,
    )
    return tenant
