"""Periodic work of the catalogue, run in each tenant's schema by the beat's dispatcher."""

from celery import shared_task
from django.utils import timezone

from audit.services import audit_record
from core.errors import ApplicationError
from core.tenancy import current_schema
from offers.services import wholesale_tables_fetch


@shared_task(name="offers.tasks.fetch_wholesale_tables")
def fetch_wholesale_tables() -> int:
    """Take the operator's new wholesale tables from a VNO's feed; a refusal is put in the audit
    trail with its reason (the staff see it there and on the table's page)."""
    from tenants.models import FeedAccess, Tenant, TenantKind

    tenant = Tenant.objects.filter(schema_name=current_schema()).exclude(schema_name="public").first()
    if (
        tenant is None
        or tenant.kind != TenantKind.VNO
        or not FeedAccess.objects.filter(tenant=tenant).exists()
    ):
        return 0
    try:
        return len(wholesale_tables_fetch(tenant=tenant, by=None, today=timezone.localdate()))
    except ApplicationError as exc:
        audit_record(
            actor=None,
            action="rate_table.wholesale_fetch_refused",
            object_type="offers.ratetable",
            object_repr="WHOLESALE",
            changes={"reason": exc.message, "errors": exc.extra.get("errors", [])[:50]},
        )
        return 0
