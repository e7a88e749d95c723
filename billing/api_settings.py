"""REST API of the billing settings (`/api/v1/billing-settings/`): read them, change some (PATCH).
The numbering fields go through `numbering.billing_numbering_update` (e-invoice numbers of at most
35 characters that the restart rule never repeats), the others through
`services.billing_settings_update`; both audited; every refusal is said at once."""

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from billing.models import BillingSettings
from billing.numbering import NUMBERING_FIELDS, billing_numbering_update
from billing.selectors import billing_settings_get
from billing.services import billing_settings_update
from billing.views_collection import CollectionSettingsForm

OTHER_FIELDS = list(CollectionSettingsForm.Meta.fields)


class BillingSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = BillingSettings
        fields = [*NUMBERING_FIELDS, *OTHER_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]


class BillingSettingsViewSet(viewsets.ViewSet):
    """The tenant's billing settings: numbering restart and credit-note format, due delays per
    payment mode, SEPA debit day / pre-notification / lead time / format / reject fee, VAT on
    debits, PDF attached or portal link, reminder delays, review threshold, PayPal, FEC accounts."""

    permission_classes = [HasCapability("settings.manage", read="billing.view")]

    @extend_schema(responses={200: BillingSettingsSerializer})
    def retrieve(self, request: Request) -> Response:
        return Response(BillingSettingsSerializer(billing_settings_get()).data)

    @extend_schema(request=BillingSettingsSerializer, responses={200: BillingSettingsSerializer})
    def partial_update(self, request: Request) -> Response:
        current = billing_settings_get()
        data = BillingSettingsSerializer(current, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(data.validated_data)
        by, context = cast(User, request.user), AuditContext.from_request(request)
        numbering = {name: values.pop(name) for name in NUMBERING_FIELDS if name in values}
        if numbering:
            billing_numbering_update(
                tenant=request.tenant,  # type: ignore[attr-defined]
                number_restart=numbering.get("number_restart", current.number_restart),
                credit_note_number_format=numbering.get(
                    "credit_note_number_format", current.credit_note_number_format
                ),
                by=by,
                context=context,
            )
        current = billing_settings_get()
        changes = {name: value for name, value in values.items() if getattr(current, name) != value}
        if changes:
            current = billing_settings_update(changes=changes, by=by, context=context)
        return Response(BillingSettingsSerializer(current).data)
