"""REST API of the operator link: the disagreements between the platform and the operator's
snapshots. Thin: parse the filters, call the selector, serialise."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets

from accounts.permissions import HasCapability
from provisioning import selectors
from provisioning.models import OperatorDisagreement


class OperatorDisagreementSerializer(serializers.ModelSerializer):
    line: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    sim: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = OperatorDisagreement
        fields = [
            "id",
            "subject",
            "identifier",
            "sim",
            "line",
            "fixed_number",
            "attribute",
            "platform_value",
            "operator_value",
            "snapshot",
            "seen_at",
            "resolved_at",
        ]
        read_only_fields = fields


@extend_schema(
    parameters=[
        OpenApiParameter("state", str, enum=["open", "resolved", "all"], description="open (default)"),
        OpenApiParameter("subject", str, enum=["sim", "line", "fixed"]),
        OpenApiParameter("q", str, description="ICCID or number (a prefix)"),
    ]
)
class OperatorDisagreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What the operator's snapshots show differently from the platform (open, resolved or all)."""

    serializer_class = OperatorDisagreementSerializer
    permission_classes = [HasCapability("lines.view")]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if self.action != "list":
            return selectors.disagreement_list(state="")
        params = self.request.query_params
        state = params.get("state") or "open"
        return selectors.disagreement_list(
            state="" if state == "all" else state,
            subject=params.get("subject") or "",
            search=params.get("q") or "",
        )
