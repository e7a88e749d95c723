"""The API of accounts: the caller's own account, and the audit trail (read here because the
permission check lives in accounts; audit sits below it)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.models import AuditEvent
from audit.selectors import audit_event_list


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "role", "language"]
        read_only_fields = fields


class MeViewSet(viewsets.GenericViewSet):
    """The account the request is authenticated as."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    @extend_schema(responses=MeSerializer)
    def retrieve(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor_label", "action", "object_type", "object_id", "object_repr", "changes"]
        read_only_fields = fields


class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The audit trail, newest first. Filters: `action` (prefix), `actor`, `q`."""

    serializer_class = AuditEventSerializer
    permission_classes = [HasCapability("audit.view")]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = self.request.query_params
        return audit_event_list(
            search=params.get("q", ""), action=params.get("action", ""), actor=params.get("actor", "")
        )
