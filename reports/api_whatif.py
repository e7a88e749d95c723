"""REST API of what-if pricing: start a simulation (202 and its job), list them, read one's result.
Thin: parse, call `reports.whatif`, queue the work, serialise."""

from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from customers.models import Customer
from offers.models import Offer, RateTable
from provisioning.models import MobileLine
from reports import whatif
from reports.models import WhatIfKind, WhatIfRun
from reports.tasks import whatif_queue

CAN_VIEW = HasCapability("reports.view")


class WhatIfRunSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = WhatIfRun
        fields = [
            "id", "kind", "customer", "mobile_line", "rate_table", "offer", "first_period", "last_period",
            "job", "status", "progress", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status(self, run: WhatIfRun) -> str:
        return run.job.status if run.job is not None else ""

    def get_progress(self, run: WhatIfRun) -> int:
        return run.job.percent if run.job is not None else 0


class WhatIfRunDetailSerializer(WhatIfRunSerializer):
    """With its result: `actual` (billed, by category), `scenarios` (simulated, by category and
    the difference; ranked by total for a best offer), amounts excl. VAT as strings."""

    class Meta(WhatIfRunSerializer.Meta):
        fields = [*WhatIfRunSerializer.Meta.fields, "result"]
        read_only_fields = fields


class WhatIfCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=WhatIfKind.choices, default=WhatIfKind.SIMULATION)
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True
    )
    mobile_line = serializers.PrimaryKeyRelatedField(
        queryset=MobileLine.objects.all(), required=False, allow_null=True
    )
    rate_table = serializers.PrimaryKeyRelatedField(
        queryset=RateTable.objects.all(), required=False, allow_null=True
    )
    offer = serializers.PrimaryKeyRelatedField(queryset=Offer.objects.all(), required=False, allow_null=True)
    first_period = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, help_text="YYYY-MM")
    last_period = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, help_text="YYYY-MM")


class WhatIfRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What-if pricing: POST starts a simulation in the background (202, with its job to follow);
    GET lists them, or reads one with its result."""

    permission_classes = [CAN_VIEW]

    def get_queryset(self) -> QuerySet[WhatIfRun]:
        return whatif.whatif_list()

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return WhatIfRunDetailSerializer if self.action == "retrieve" else WhatIfRunSerializer

    @extend_schema(request=WhatIfCreateSerializer, responses={202: WhatIfRunSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = WhatIfCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        now = timezone.now()
        run = whatif.whatif_start(
            kind=values["kind"],
            customer=values.get("customer"),
            line=values.get("mobile_line"),
            rate_table=values.get("rate_table"),
            offer=values.get("offer"),
            first_period=values.get("first_period", ""),
            last_period=values.get("last_period", ""),
            by=cast(User, request.user),
            now=now,
            today=timezone.localdate(now),
            context=AuditContext.from_request(request),
        )
        whatif_queue(run)
        return Response(WhatIfRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
