from rest_framework import generics, serializers

from accounts.permissions import HasCapability
from audit.models import AuditEvent
from audit.selectors import audit_event_list


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor_label", "action", "object_type", "object_id", "object_repr", "changes"]
        read_only_fields = fields


class AuditEventList(generics.ListAPIView):
    """The audit trail, newest first. Filters: `action` (prefix), `actor`, `q`."""

    serializer_class = AuditEventSerializer
    permission_classes = [HasCapability("audit.view")]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        return audit_event_list(
            search=params.get("q", ""), action=params.get("action", ""), actor=params.get("actor", "")
        )
