"""Reading the audit trail."""

from datetime import date

from django.db import models
from django.db.models import Q, QuerySet

from audit.models import AuditEvent
from core.search import text_search_q


def audit_event_list(
    *,
    search: str = "",
    action: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    obj: models.Model | None = None,
) -> QuerySet[AuditEvent]:
    """Events, newest first, filtered as the audit page and the API allow."""
    events = AuditEvent.objects.all()
    if obj is not None:
        events = events.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    if search:
        events = events.filter(
            text_search_q(search, fields=("object_repr", "actor_label")) | Q(action__icontains=search)
        )
    return events


def audit_action_names() -> list[str]:
    return list(AuditEvent.objects.order_by().values_list("action", flat=True).distinct())
