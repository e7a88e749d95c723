"""Reads of the cdr_import app: imports, their rejected rows, the stored CDRs, the feed's folders."""

import datetime as dt

from django.db import connection
from django.db.models import QuerySet

from cdr_import.models import Cdr, FeedFolder, FeedImportSettings, Import, ImportStatus, RejectedRow
from core.tenancy import current_schema
from tenants.models import Tenant


def import_list(
    *,
    status: str = "",
    feed_type: str = "",
    flow: str = "",
    customer_number: str = "",
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
) -> QuerySet[Import]:
    """The imports of the current tenant, newest first, filtered by status, feed type, flow,
    customer (number) and day of reception (inclusive bounds, Europe/Paris)."""
    qs = Import.objects.select_related("customer", "duplicate_of")
    if status:
        qs = qs.filter(status=status)
    if feed_type:
        qs = qs.filter(feed_type=feed_type)
    if flow:
        qs = qs.filter(flow__iexact=flow)
    if customer_number:
        qs = qs.filter(customer__number=customer_number)
    if received_from:
        qs = qs.filter(received_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__date__lte=received_to)
    return qs


def import_get(*, import_id: int) -> Import | None:
    return Import.objects.filter(pk=import_id).first()


def import_flows() -> list[str]:
    """The flows (operator codes) imports came under, for the tracking page's filter."""
    return sorted(f for f in Import.objects.values_list("flow", flat=True).distinct() if f)


def rejected_row_list(*, feed_import: Import) -> QuerySet[RejectedRow]:
    return RejectedRow.objects.filter(feed_import=feed_import).order_by("line", "id")


def cdr_list_for_import(*, feed_import: Import) -> QuerySet[Cdr]:
    """The CDRs a file added (rated file) or confirmed (billed file)."""
    field = "billed_import" if feed_import.feed_type == "billed" else "rated_import"
    return Cdr.objects.filter(**{field: feed_import})


def feed_import_settings_get() -> FeedImportSettings:
    """The tenant's feed import settings (created with the defaults on first read)."""
    settings = FeedImportSettings.objects.order_by("id").first()
    return settings or FeedImportSettings.objects.create()


def feed_tenant() -> Tenant:
    """The tenant whose schema the connection is in (its kind and feed access)."""
    return Tenant.objects.get(schema_name=current_schema())


def feed_folder_list() -> QuerySet[FeedFolder]:
    return FeedFolder.objects.order_by("id")


def feed_folder_get(*, key: str) -> FeedFolder | None:
    return FeedFolder.objects.filter(key=key).first()


def imports_unfinished_free() -> list[int]:
    """The unfinished imports no session is processing (their worker died): to be taken up again."""
    found = []
    unfinished = Import.objects.filter(
        status__in=[ImportStatus.RECEIVED, ImportStatus.PARSING, ImportStatus.RATING]
    ).values_list("pk", flat=True)
    with connection.cursor() as cursor:
        for pk in unfinished.order_by("pk"):
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(current_schema() || ':import'), %s)", [pk])
            if cursor.fetchone()[0]:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(current_schema() || ':import'), %s)", [pk])
                found.append(pk)
    return found
