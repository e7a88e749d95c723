"""The platform API (public domain, platform admins' tokens): tenants, identity, checklist.

The views call the same services as the pages, so checks and messages are the same. One ViewSet
per resource (tenants, their onboarding steps); the routes are in `api_urls.py`.
"""

from typing import Any, cast

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from tenants.models import Domain, FeedAccess, OnboardingStep, StepStatus, Tenant, TenantKind
from tenants.platform import selectors, services

PLATFORM = HasCapability("platform.manage")


_STEP_STATUSES = ", ".join(StepStatus.values)


class OnboardingStepSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    # Plain text (not an enum) so the schema's enum names do not collide with the tenant's status.
    status = serializers.CharField(read_only=True, help_text=f"One of: {_STEP_STATUSES}.")
    late = serializers.SerializerMethodField()

    class Meta:
        model = OnboardingStep
        fields = ["id", "code", "position", "title", "actor", "status", "due_date", "done_on", "note", "late"]
        read_only_fields = fields

    def get_late(self, step: OnboardingStep) -> bool:
        return step.is_late_on(self.context["today"])


class FeedAccessSummarySerializer(serializers.Serializer):
    """Where the feed is; the secret is never part of an answer, only whether one is stored."""

    protocol = serializers.CharField()
    host = serializers.CharField()
    port = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()
    root_path = serializers.CharField()
    has_secret = serializers.BooleanField()
    last_test_ok = serializers.BooleanField(allow_null=True)


class TenantSerializer(serializers.ModelSerializer):
    domain = serializers.SerializerMethodField()
    steps_done = serializers.SerializerMethodField()
    steps_total = serializers.SerializerMethodField()
    feed_access = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = [
            "id",
            "schema_name",
            "kind",
            "operator_code",
            "status",
            "domain",
            "created_at",
            *services.IDENTITY_FIELDS,
            "steps_done",
            "steps_total",
            "feed_access",
        ]
        read_only_fields = fields

    def get_domain(self, tenant: Tenant) -> str | None:
        domains = list(tenant.domains.all())  # prefetched by the selectors
        primary = next((d for d in domains if d.is_primary), domains[0] if domains else None)
        return primary.domain if primary else None

    def get_steps_done(self, tenant: Tenant) -> int:
        annotated = getattr(tenant, "steps_done", None)
        return (
            annotated
            if annotated is not None
            else tenant.onboarding_steps.filter(status=StepStatus.DONE).count()
        )

    def get_steps_total(self, tenant: Tenant) -> int:
        annotated = getattr(tenant, "steps_total", None)
        return annotated if annotated is not None else tenant.onboarding_steps.count()

    @extend_schema_field(FeedAccessSummarySerializer(allow_null=True))
    def get_feed_access(self, tenant: Tenant) -> dict[str, Any] | None:
        try:
            access = tenant.feed_access
        except FeedAccess.DoesNotExist:
            return None
        return dict(FeedAccessSummarySerializer(access).data)


class IdentitySerializer(serializers.Serializer):
    """Identity fields as typed (identifiers with spaces allowed); the service checks them."""

    name = serializers.CharField(max_length=200, required=False)
    legal_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_line1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False)
    siren = serializers.CharField(max_length=50, required=False, allow_blank=True)
    siret = serializers.CharField(max_length=50, required=False, allow_blank=True)
    vat_number = serializers.CharField(max_length=50, required=False, allow_blank=True)
    share_capital = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    rcs_city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    operator_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    accounting_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    technical_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    technical_contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    invoice_from_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    sepa_creditor_id = serializers.CharField(max_length=50, required=False, allow_blank=True)
    creditor_iban = serializers.CharField(max_length=50, required=False, allow_blank=True)
    creditor_bic = serializers.CharField(max_length=50, required=False, allow_blank=True)


class TenantCreateSerializer(IdentitySerializer):
    name = serializers.CharField(max_length=200)
    schema_name = serializers.CharField(max_length=41)
    kind = serializers.ChoiceField(choices=TenantKind.choices)
    operator_code = serializers.CharField(max_length=20)
    domain = serializers.CharField(max_length=253)
    admin_email = serializers.EmailField(required=False, allow_blank=True)
    admin_first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    admin_last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class StepUpdateSerializer(serializers.Serializer):
    status = serializers.CharField(required=False, help_text=f"One of: {_STEP_STATUSES}.")
    done_on = serializers.DateField(required=False)
    due_date = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class OverrideSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, help_text="Why the tenant goes live before its checklist is done."
    )


class InviteSerializer(serializers.Serializer):
    email = serializers.CharField()
    first_name = serializers.CharField(required=False, allow_blank=True, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, default="")


class FeedTestSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    connected = serializers.BooleanField()
    present = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())
    error = serializers.CharField(required=False)


class TenantViewSet(viewsets.GenericViewSet):
    """Tenants with their onboarding progress; PATCH changes a tenant's identity (same checks as
    creation)."""

    permission_classes = [PLATFORM]

    @extend_schema(responses=TenantSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Tenants with their onboarding progress (filters: `q`, `kind`, `status`)."""
        params = request.query_params
        tenants = selectors.tenant_list_for_platform(
            search=params.get("q", ""),
            kind=params.get("kind", ""),
            status=params.get("status", ""),
            today=timezone.localdate(),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(tenants, request, view=self)
        return paginator.get_paginated_response(TenantSerializer(page, many=True).data)

    @extend_schema(request=TenantCreateSerializer, responses={201: TenantSerializer})
    def create(self, request: Request) -> Response:
        """Create a tenant (schema, domain, checklist) and invite its first admin."""
        serializer = TenantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        domain = str(data.pop("domain")).strip().lower()
        tenant = services.tenant_create(
            domain=domain,
            by=cast(User, request.user),
            today=timezone.localdate(),
            context=AuditContext.from_request(request),
            **data,
        )
        return Response(TenantSerializer(tenant).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=TenantSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(TenantSerializer(selectors.tenant_get(pk=pk)).data)

    @extend_schema(request=IdentitySerializer, responses=TenantSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        tenant = selectors.tenant_get(pk=pk)
        serializer = IdentitySerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tenant = services.tenant_update_identity(
            tenant=tenant,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **serializer.validated_data,
        )
        return Response(TenantSerializer(tenant).data)

    @extend_schema(request=OverrideSerializer, responses=TenantSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: int) -> Response:
        """POST: make a tenant active before its checklist is complete, with a reason (audited)."""
        serializer = OverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tenant = services.tenant_activate_override(
            tenant=selectors.tenant_get(pk=pk),
            reason=serializer.validated_data["reason"],
            by=cast(User, request.user),
            today=timezone.localdate(),
            context=AuditContext.from_request(request),
        )
        return Response(TenantSerializer(tenant).data)

    @extend_schema(request=InviteSerializer, responses={201: TenantSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: int) -> Response:
        """POST: invite (again) a tenant admin by e-mail, with a link on the tenant's own domain."""
        tenant = selectors.tenant_get(pk=pk)
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        domain = selectors.tenant_primary_domain(tenant)
        if not domain:
            raise serializers.ValidationError({"domain": "This tenant has no domain."})
        # The invitation's link is on the tenant's main domain (tenants.links), not this request's host.
        services.tenant_invite_admin(
            tenant=tenant,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **serializer.validated_data,
        )
        return Response(TenantSerializer(tenant).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=FeedTestSerializer)
    @action(detail=True, methods=["post"], url_path="feed/test")
    def feed_test(self, request: Request, pk: int) -> Response:
        """POST: connect to the tenant's feed and report the expected folders present and missing."""
        report = services.feed_access_test(
            tenant=selectors.tenant_get(pk=pk),
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(FeedTestSerializer(report).data)


class OnboardingStepViewSet(viewsets.GenericViewSet):
    """A tenant's onboarding checklist, in order; PATCH a step's status, date, due date or note
    (go-live only once every step is done)."""

    permission_classes = [PLATFORM]

    def _step(self, pk: int, step_pk: int) -> OnboardingStep:
        step = OnboardingStep.objects.filter(tenant=selectors.tenant_get(pk=pk), pk=step_pk).first()
        if step is None:
            raise Http404
        return step

    @extend_schema(responses=OnboardingStepSerializer(many=True))
    def list(self, request: Request, pk: int) -> Response:
        """A tenant's onboarding checklist, in order."""
        steps = selectors.onboarding_step_list(tenant=selectors.tenant_get(pk=pk))
        return Response(
            OnboardingStepSerializer(steps, many=True, context={"today": timezone.localdate()}).data
        )

    @extend_schema(responses=OnboardingStepSerializer)
    def retrieve(self, request: Request, pk: int, step_pk: int) -> Response:
        step = self._step(pk, step_pk)
        return Response(OnboardingStepSerializer(step, context={"today": timezone.localdate()}).data)

    @extend_schema(request=StepUpdateSerializer, responses=OnboardingStepSerializer)
    def partial_update(self, request: Request, pk: int, step_pk: int) -> Response:
        """PATCH a step's status, date, due date or note (go-live only once every step is done)."""
        step = self._step(pk, step_pk)
        serializer = StepUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        today = timezone.localdate()
        step = services.onboarding_step_update(
            step=step,
            by=cast(User, request.user),
            today=today,
            context=AuditContext.from_request(request),
            **serializer.validated_data,
        )
        return Response(OnboardingStepSerializer(step, context={"today": today}).data)


# --- Custom domains awaiting approval ---------------------------------------------------------------
class DomainRequestSerializer(serializers.ModelSerializer):
    tenant = serializers.IntegerField(source="tenant_id", read_only=True)
    tenant_name = serializers.CharField(source="tenant.name", read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Domain
        fields = [
            "id",
            "domain",
            "tenant",
            "tenant_name",
            "status",
            "requested_at",
            "decided_at",
            "decided_by",
            "warnings",
        ]
        read_only_fields = fields

    def get_warnings(self, domain: Domain) -> list[str]:
        return selectors.domain_warnings(domain=domain)


class DomainRefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DomainRequestViewSet(viewsets.GenericViewSet):
    """Custom domains tenants asked for; a platform admin approves (it serves the tenant's site
    from then on) or refuses each, after reading its look-alike warnings."""

    permission_classes = [PLATFORM]

    @extend_schema(responses=DomainRequestSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Custom domains awaiting approval (`status`: pending by default, active, refused)."""
        domains = selectors.domain_request_list(status=request.query_params.get("status", "pending"))
        return Response(DomainRequestSerializer(domains, many=True).data)

    @extend_schema(request=None, responses=DomainRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        """POST: the domain serves its tenant's site from now on (audited)."""
        domain = services.domain_approve(
            domain_id=pk,
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(DomainRequestSerializer(domain).data)

    @extend_schema(request=DomainRefuseSerializer, responses=DomainRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: int) -> Response:
        """POST: the domain never serves anything; the name stays reserved (audited, with a reason)."""
        serializer = DomainRefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        domain = services.domain_refuse(
            domain_id=pk,
            reason=serializer.validated_data["reason"],
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(DomainRequestSerializer(domain).data)
