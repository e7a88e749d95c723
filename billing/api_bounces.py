"""REST API of the bounce reports: POST .eml delivery-status files, get what they changed."""

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from billing.services_bounces import MAX_REPORT_BYTES, bounces_record
from billing.views_bounces import MAX_FILES


class BounceUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(max_length=255, allow_empty_file=True), min_length=1, max_length=MAX_FILES
    )


class BounceResultSerializer(serializers.Serializer):
    bounced = serializers.ListField(child=serializers.CharField(), help_text="addresses now marked bounced")
    already = serializers.ListField(child=serializers.CharField(), help_text="marked bounced before")
    unknown = serializers.ListField(child=serializers.CharField(), help_text="reports of no e-mail of ours")
    not_reports = serializers.ListField(child=serializers.CharField(), help_text="files that are no report")


class BounceViewSet(viewsets.ViewSet):
    """Bounce reports (RFC 3464 delivery-status .eml files): each invoice e-mail they name (by
    its Message-ID) becomes "bounced" with the server's reason."""

    permission_classes = [HasCapability("billing.run", read="billing.view")]

    @extend_schema(
        request={"multipart/form-data": BounceUploadSerializer}, responses={200: BounceResultSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = BounceUploadSerializer(data={"files": request.FILES.getlist("files")})
        data.is_valid(raise_exception=True)
        files = [(f.name or "", f.read(MAX_REPORT_BYTES + 1)) for f in data.validated_data["files"]]
        result = bounces_record(
            files=files, by=cast(User, request.user), context=AuditContext.from_request(request)
        )
        return Response(BounceResultSerializer(result).data)
