"""The API of accounts: the caller's own account, and the audit trail (read here because the
permission check lives in accounts; audit sits below it)."""

from typing import Any, cast

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors, services
from accounts.models import ApiToken, User
from accounts.permissions import HasCapability, IsStaffMember
from audit.context import AuditContext
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


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """A new token: the only answer that carries its key."""

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiTokenInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class MyApiTokenViewSet(viewsets.GenericViewSet):
    """The caller's own API tokens (staff): list, create (the key is in this answer only) and
    revoke. Throttled tightly (`auth` scope)."""

    permission_classes = [IsStaffMember]
    serializer_class = ApiTokenSerializer
    throttle_scope = "auth"
    pagination_class = None

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(
            ApiTokenSerializer(selectors.api_token_list(user=cast(User, request.user)), many=True).data
        )

    @extend_schema(request=ApiTokenInputSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request: Request) -> Response:
        data = ApiTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = cast(User, request.user)
        days = (
            getattr(getattr(request, "tenant", None), "api_token_days", None) or settings.ISM_API_TOKEN_DAYS
        )
        token = services.api_token_create(
            user=user,
            by=user,
            now=timezone.now(),
            lifetime_days=int(days),
            name=data.validated_data["name"],
            context=AuditContext.from_request(request),
        )
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: Any = None) -> Response:
        user = cast(User, request.user)
        token = get_object_or_404(ApiToken, pk=pk, user=user)
        services.api_token_revoke(token=token, by=user, context=AuditContext.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


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
