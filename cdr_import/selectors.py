"""Reads of the cdr_import app: imports, their rejected rows, the stored CDRs."""

from django.db import connection
from django.db.models import QuerySet

from cdr_import.models import Cdr, Import, ImportStatus, RejectedRow


def import_list(*, status: str = "", feed_type: str = "", flow: str = "") -> QuerySet[Import]:
    """The imports of the current tenant, newest first, filtered by status, feed type and flow."""
    qs = Import.objects.select_related("customer", "duplicate_of")
    if status:
        qs = qs.filter(status=status)
    if feed_type:
        qs = qs.filter(feed_type=feed_type)
    if flow:
        qs = qs.filter(flow=flow)
    return qs


def import_get(*, import_id: int) -> Import | None:
    return Import.objects.filter(pk=import_id).first()


def rejected_row_list(*, feed_import: Import) -> QuerySet[RejectedRow]:
    return RejectedRow.objects.filter(feed_import=feed_import).order_by("line", "id")


def cdr_list_for_import(*, feed_import: Import) -> QuerySet[Cdr]:
    """The CDRs a file added (rated file) or confirmed (billed file)."""
    field = "billed_import" if feed_import.feed_type == "billed" else "rated_import"
    return Cdr.objects.filter(**{field: feed_import})


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
