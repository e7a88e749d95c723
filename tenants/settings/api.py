"""API of the tenant's settings (tenant admins, `settings.manage`), under /api/v1/settings/.

One ViewSet per resource; the routes are in `api_urls.py`."""

from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from core.errors import ApplicationError
from tenants.models import EmailKind
from tenants.settings import selectors, services
from tenants.settings.images import MAX_FILE_BYTES
from tenants.settings.numbering import invoice_number_capacity_warning

_ADMIN = [HasCapability("settings.manage", read="settings.manage")]


class BankDetailsSerializer(serializers.Serializer):
    sepa_creditor_id = serializers.CharField(allow_blank=True, max_length=40)
    creditor_iban = serializers.CharField(allow_blank=True, max_length=50)
    creditor_bic = serializers.CharField(allow_blank=True, max_length=15)


class BankDetailsViewSet(viewsets.GenericViewSet):
    """The SEPA creditor identifier (ICS), IBAN and BIC of the tenant."""

    permission_classes = _ADMIN

    @extend_schema(responses=BankDetailsSerializer)
    def retrieve(self, request: Request) -> Response:
        return Response(BankDetailsSerializer(selectors.tenant_current()).data)

    @extend_schema(request=BankDetailsSerializer, responses=BankDetailsSerializer)
    def update(self, request: Request) -> Response:
        data = BankDetailsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = services.bank_details_update(
            tenant=selectors.tenant_current(),
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **data.validated_data,
        )
        return Response(BankDetailsSerializer(tenant).data)


class ApiAccessSerializer(serializers.Serializer):
    api_token_days = serializers.IntegerField(min_value=1, max_value=3650)


class ApiAccessViewSet(viewsets.GenericViewSet):
    """How many days a staff API token works after its creation."""

    permission_classes = _ADMIN

    @extend_schema(responses=ApiAccessSerializer)
    def retrieve(self, request: Request) -> Response:
        return Response(ApiAccessSerializer(selectors.tenant_current()).data)

    @extend_schema(request=ApiAccessSerializer, responses=ApiAccessSerializer)
    def update(self, request: Request) -> Response:
        data = ApiAccessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = services.api_access_update(
            tenant=selectors.tenant_current(),
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **data.validated_data,
        )
        return Response(ApiAccessSerializer(tenant).data)


class BrandingSerializer(serializers.Serializer):
    primary_color = serializers.CharField(max_length=7)
    ink_color = serializers.CharField(max_length=7)
    welcome_message = serializers.CharField(allow_blank=True, required=False, default="")
    logo_url = serializers.CharField(read_only=True)
    banner_url = serializers.CharField(read_only=True)


class BrandingWriteSerializer(serializers.Serializer):
    primary_color = serializers.CharField(max_length=7)
    ink_color = serializers.CharField(max_length=7)
    welcome_message = serializers.CharField(allow_blank=True, required=False, default="")
    logo = serializers.FileField(required=False)
    banner = serializers.FileField(required=False)
    remove_logo = serializers.BooleanField(required=False, default=False)
    remove_banner = serializers.BooleanField(required=False, default=False)
    low_contrast_confirmed = serializers.BooleanField(required=False, default=False)


class BrandingViewSet(viewsets.GenericViewSet):
    """Colours, welcome message, logo and footer banner (multipart for the images)."""

    permission_classes = _ADMIN
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _out(self, request: Request, warnings: list[str] | None = None) -> Response:
        view = selectors.branding_for_pages(tenant=selectors.tenant_current())
        body: dict[str, Any] = dict(BrandingSerializer(view).data)
        if warnings is not None:
            body["warnings"] = warnings
        return Response(body)

    @extend_schema(responses=BrandingSerializer)
    def retrieve(self, request: Request) -> Response:
        return self._out(request)

    @extend_schema(request=BrandingWriteSerializer, responses=BrandingSerializer)
    def update(self, request: Request) -> Response:
        data = BrandingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        for kind in ("logo", "banner"):
            upload = values.pop(kind, None)
            values[kind] = upload.read(MAX_FILE_BYTES + 1) if upload else None
        warnings = services.branding_update(
            tenant=selectors.tenant_current(),
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **values,
        )
        return self._out(request, warnings)


class InvoiceSettingsSerializer(serializers.Serializer):
    number_format = serializers.CharField(max_length=60)
    footer_text = serializers.CharField(allow_blank=True, required=False, default="")
    late_payment_text = serializers.CharField(allow_blank=True, required=False, default="")
    text_sepa = serializers.CharField(allow_blank=True, required=False, default="")
    text_transfer = serializers.CharField(allow_blank=True, required=False, default="")
    text_cheque = serializers.CharField(allow_blank=True, required=False, default="")
    text_card = serializers.CharField(allow_blank=True, required=False, default="")
    bank_details = serializers.CharField(allow_blank=True, required=False, default="")
    confirm_format_change = serializers.BooleanField(write_only=True, required=False, default=False)
    next_number = serializers.SerializerMethodField()
    warning = serializers.SerializerMethodField()

    def get_next_number(self, obj: Any) -> str:
        return selectors.invoice_number_preview(pattern=obj.number_format, today=timezone.localdate())

    def get_warning(self, obj: Any) -> str:
        return invoice_number_capacity_warning(obj.number_format)


class InvoiceSettingsViewSet(viewsets.GenericViewSet):
    """Invoice numbering pattern and the texts printed on invoices, with the next number."""

    permission_classes = _ADMIN

    @extend_schema(responses=InvoiceSettingsSerializer)
    def retrieve(self, request: Request) -> Response:
        return Response(
            InvoiceSettingsSerializer(selectors.invoice_settings_get(tenant=selectors.tenant_current())).data
        )

    @extend_schema(request=InvoiceSettingsSerializer, responses=InvoiceSettingsSerializer)
    def update(self, request: Request) -> Response:
        data = InvoiceSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.invoice_settings_update(
            tenant=selectors.tenant_current(),
            by=cast(User, request.user),
            today=timezone.localdate(),
            context=AuditContext.from_request(request),
            **data.validated_data,
        )
        return Response(InvoiceSettingsSerializer(saved).data)


class EmailTemplateSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()
    customised = serializers.BooleanField(read_only=True)


class EmailDraftSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()


class RenderedEmailSerializer(serializers.Serializer):
    subject = serializers.CharField()
    body = serializers.CharField()
    from_email = serializers.CharField()


def _email_kind(kind: str) -> str:
    if kind not in EmailKind.values:
        raise ApplicationError(_("Unknown e-mail %(kind)s.") % {"kind": kind}, field="kind")
    return kind


class EmailTemplateViewSet(viewsets.GenericViewSet):
    """One e-mail's wording (`{{ placeholder }}` only); DELETE goes back to the default. A draft can
    be previewed or sent to oneself as a test, without being saved."""

    permission_classes = _ADMIN
    lookup_field = "kind"

    def _row(self, request: Request, kind: str) -> dict[str, Any]:
        from tenants.settings.mail import email_spec

        spec = email_spec(kind)
        saved = selectors.email_template_get(tenant=selectors.tenant_current(), kind=kind)
        return {
            "kind": kind,
            "subject": saved.subject if saved else spec.default_subject,
            "body": saved.body if saved else spec.default_body,
            "customised": saved is not None,
        }

    @extend_schema(responses=EmailTemplateSerializer)
    def retrieve(self, request: Request, kind: str) -> Response:
        return Response(EmailTemplateSerializer(self._row(request, _email_kind(kind))).data)

    @extend_schema(request=EmailTemplateSerializer, responses=EmailTemplateSerializer)
    def update(self, request: Request, kind: str) -> Response:
        data = EmailTemplateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.email_template_save(
            tenant=selectors.tenant_current(),
            kind=_email_kind(kind),
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **data.validated_data,
        )
        return Response(EmailTemplateSerializer(self._row(request, kind)).data)

    @extend_schema(responses=EmailTemplateSerializer)
    def destroy(self, request: Request, kind: str) -> Response:
        services.email_template_reset(
            tenant=selectors.tenant_current(),
            kind=_email_kind(kind),
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        return Response(EmailTemplateSerializer(self._row(request, kind)).data)

    @extend_schema(request=EmailDraftSerializer, responses=RenderedEmailSerializer)
    @action(detail=True, methods=["post"])
    def preview(self, request: Request, kind: str) -> Response:
        """POST a draft: it is checked like a saved template and rendered with sample data (not saved)."""
        data = EmailDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rendered = services.email_template_preview(
            tenant=selectors.tenant_current(), kind=_email_kind(kind), **data.validated_data
        )
        return Response(
            RenderedEmailSerializer(
                {"subject": rendered.subject, "body": rendered.body, "from_email": rendered.from_email}
            ).data
        )

    @extend_schema(
        request=EmailDraftSerializer,
        responses=inline_serializer("EmailTestSent", {"sent_to": serializers.EmailField()}),
    )
    @action(detail=True, methods=["post"], url_path="test")
    def send_test(self, request: Request, kind: str) -> Response:
        """POST a draft: "send me a test" — rendered with sample data, mailed to the caller (not saved)."""
        data = EmailDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sent_to = services.email_template_send_test(
            tenant=selectors.tenant_current(),
            kind=_email_kind(kind),
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **data.validated_data,
        )
        return Response({"sent_to": sent_to})


class DomainSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    domain = serializers.CharField(max_length=253)
    is_primary = serializers.BooleanField(read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text="pending (awaiting the platform's approval: serves nothing), active or refused.",
    )


class DomainViewSet(viewsets.GenericViewSet):
    """The site's domains (main first); POST asks for a custom domain, unique across the platform,
    which serves the site once a platform admin approves it (`status` pending until then)."""

    permission_classes = _ADMIN

    @extend_schema(responses=DomainSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(
            DomainSerializer(selectors.tenant_domain_list(tenant=selectors.tenant_current()), many=True).data
        )

    @extend_schema(request=DomainSerializer, responses={201: DomainSerializer})
    def create(self, request: Request) -> Response:
        data = DomainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        added = services.tenant_domain_add(
            tenant=selectors.tenant_current(),
            domain=data.validated_data["domain"],
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(DomainSerializer(added).data, status=201)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: int) -> Response:
        """DELETE removes a custom domain; the main domain stays."""
        services.tenant_domain_remove(
            tenant=selectors.tenant_current(),
            domain_id=pk,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        return Response(status=204)


_TEAM = [HasCapability("staff.manage", read="staff.manage")]
_ROLE_HELP = "One of: admin, sales, support, accountant."


class StaffMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    first_name = serializers.CharField(required=False, allow_blank=True, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, default="")
    role = serializers.CharField(help_text=_ROLE_HELP)
    is_active = serializers.BooleanField(read_only=True)
    last_login = serializers.DateTimeField(read_only=True)


class StaffMemberUpdateSerializer(serializers.Serializer):
    role = serializers.CharField(required=False, help_text=_ROLE_HELP)
    is_active = serializers.BooleanField(required=False)


class TeamViewSet(viewsets.GenericViewSet):
    """The staff accounts, active first; POST invites a colleague (an e-mail with a link to choose a
    password)."""

    permission_classes = _TEAM

    @extend_schema(responses=StaffMemberSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(StaffMemberSerializer(selectors.staff_list(), many=True).data)

    @extend_schema(request=StaffMemberSerializer, responses={201: StaffMemberSerializer})
    def create(self, request: Request) -> Response:
        data = StaffMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.staff_invite(
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            tenant=selectors.tenant_current(),
            **data.validated_data,
        )
        return Response(StaffMemberSerializer(user).data, status=201)

    @extend_schema(request=StaffMemberUpdateSerializer, responses=StaffMemberSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        """PATCH a colleague's role, or `is_active` false to deactivate (true to let them back in)."""
        data = StaffMemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = None
        if "role" in values:
            user = services.staff_set_role(
                user_id=pk,
                role=values["role"],
                by=cast(User, request.user),
                context=AuditContext.from_request(request),
            )
        if "is_active" in values:
            user = services.staff_set_active(
                user_id=pk,
                active=values["is_active"],
                by=cast(User, request.user),
                context=AuditContext.from_request(request),
            )
        if user is None:
            raise ApplicationError(_("Give a role or is_active."))
        return Response(StaffMemberSerializer(user).data)
