"""API of the tenant's reading profiles of CDR files (list, create, read, change, try on a file)
and of the usage settings (prepaid VAT rate, consumption alerts, roaming data cap). Thin."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import HasCapability
from audit.context import AuditContext
from cdr_import import usage
from cdr_import.models import ReadingProfile, UsageSettings
from cdr_import.services_profiles import (
    FIELDS,
    reading_profile_create,
    reading_profile_try,
    reading_profile_update,
)


class ReadingProfileSerializer(serializers.ModelSerializer):
    column_names = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="our column name (CDR_ID, MSISDN, START_TIME…) → its name in the file",
    )

    class Meta:
        model = ReadingProfile
        fields = ["id", *FIELDS, "updated_at"]  # the fields the service saves, and when
        read_only_fields = ["id", "updated_at"]
        # The service checks every rule at once (uniqueness included).
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}
        validators: list[Any] = []


class ProfileTrySerializer(serializers.Serializer):
    file = serializers.FileField()
    feed_type = serializers.ChoiceField(
        choices=[("rated", "rated"), ("billed", "billed")], required=False, allow_blank=True
    )


class ProfileTrialSerializer(serializers.Serializer):
    family = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]
    file_errors = serializers.ListField(child=serializers.DictField())
    notes = serializers.ListField(child=serializers.CharField())


class ReadingProfileViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The tenant's reading profiles of rated / billed CDR files (chosen per feed type and flow)."""

    permission_classes = [HasCapability("imports.run", read="imports.view")]
    serializer_class = ReadingProfileSerializer

    def get_queryset(self) -> Any:
        return ReadingProfile.objects.order_by("label", "id")

    def create(self, request: Request) -> Response:
        data = ReadingProfileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = reading_profile_create(
            values=dict(data.validated_data),
            by=request.user,  # type: ignore[arg-type]
            context=AuditContext.from_request(request),
        )
        return Response(ReadingProfileSerializer(profile).data, status=201)

    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        profile = self.get_object()
        data = ReadingProfileSerializer(profile, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = reading_profile_update(
            profile=profile,
            values=dict(data.validated_data),
            by=request.user,  # type: ignore[arg-type]
            context=AuditContext.from_request(request),
        )
        return Response(ReadingProfileSerializer(profile).data)

    @extend_schema(
        request={"multipart/form-data": ProfileTrySerializer}, responses={200: ProfileTrialSerializer}
    )
    @action(detail=True, methods=["post"], url_path="try")
    def try_file(self, request: Request, pk: int | None = None) -> Response:
        """Read the first rows of a sample file with the profile (nothing stored): the rows read,
        the faulty rows (line, column, reason) or why the file cannot be read at all."""
        profile = self.get_object()
        incoming = ProfileTrySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        trial = reading_profile_try(
            profile=profile,
            data=upload.file,
            filename=str(upload.name or "")[:200],
            feed_type=incoming.validated_data.get("feed_type") or "",
        )
        return Response(trial.as_dict(), status=200 if trial.ok else 400)

    def get_parsers(self) -> Any:
        if getattr(self, "action", None) == "try_file" or self.request is None:
            return [MultiPartParser()]
        return super().get_parsers()


class UsageSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = UsageSettings
        fields = ["roaming_data_cap", "prepaid_vat_rate", "alerts_enabled"]


class UsageSettingsViewSet(viewsets.GenericViewSet):
    """The tenant's usage settings: prepaid VAT rate, consumption alerts on or off, roaming data cap."""

    permission_classes = [HasCapability("settings.manage")]
    serializer_class = UsageSettingsSerializer

    def retrieve(self, request: Request) -> Response:
        return Response(UsageSettingsSerializer(usage.usage_settings_get()).data)

    def partial_update(self, request: Request) -> Response:
        current = usage.usage_settings_get()
        data = UsageSettingsSerializer(current, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {
            "roaming_data_cap": current.roaming_data_cap,
            "prepaid_vat_rate": current.prepaid_vat_rate,
            "alerts_enabled": current.alerts_enabled,
            **data.validated_data,
        }
        saved = usage.usage_settings_update(
            **values,
            by=request.user,  # type: ignore[arg-type]
            context=AuditContext.from_request(request),
        )
        return Response(UsageSettingsSerializer(saved).data)
