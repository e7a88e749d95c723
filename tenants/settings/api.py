"""API of the tenant's settings (tenant admins, `settings.manage`), under /api/v1/settings/."""

from typing import Any

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasCapability
from core.errors import ApplicationError
from tenants.models import EmailKind, Tenant
from tenants.settings import selectors, services
from tenants.settings.images import MAX_FILE_BYTES

_ADMIN = [HasCapability("settings.manage", read="settings.manage")]


def _tenant(request: Request) -> Tenant:
    return request.tenant  # type: ignore[attr-defined,no-any-return]


class BankDetailsSerializer(serializers.Serializer):
    sepa_creditor_id = serializers.CharField(allow_blank=True, max_length=40)
    creditor_iban = serializers.CharField(allow_blank=True, max_length=50)
    creditor_bic = serializers.CharField(allow_blank=True, max_length=15)


class BankDetailsView(APIView):
    """The SEPA creditor identifier (ICS), IBAN and BIC of the tenant."""

    permission_classes = _ADMIN

    @extend_schema(responses=BankDetailsSerializer)
    def get(self, request: Request) -> Response:
        return Response(BankDetailsSerializer(_tenant(request)).data)

    @extend_schema(request=BankDetailsSerializer, responses=BankDetailsSerializer)
    def put(self, request: Request) -> Response:
        data = BankDetailsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = services.bank_details_update(
            tenant=_tenant(request), by=request.user, request=request, **data.validated_data
        )
        return Response(BankDetailsSerializer(tenant).data)


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


class BrandingView(APIView):
    """Colours, welcome message, logo and footer banner (multipart for the images)."""

    permission_classes = _ADMIN
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _out(self, request: Request, warnings: list[str] | None = None) -> Response:
        view = selectors.branding_for_pages(tenant=_tenant(request))
        body: dict[str, Any] = dict(BrandingSerializer(view).data)
        if warnings is not None:
            body["warnings"] = warnings
        return Response(body)

    @extend_schema(responses=BrandingSerializer)
    def get(self, request: Request) -> Response:
        return self._out(request)

    @extend_schema(request=BrandingWriteSerializer, responses=BrandingSerializer)
    def put(self, request: Request) -> Response:
        data = BrandingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        for kind in ("logo", "banner"):
            upload = values.pop(kind, None)
            values[kind] = upload.read(MAX_FILE_BYTES + 1) if upload else None
        warnings = services.branding_update(
            tenant=_tenant(request), by=request.user, request=request, **values
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
    next_number = serializers.SerializerMethodField()

    def get_next_number(self, obj: Any) -> str:
        return selectors.invoice_number_preview(pattern=obj.number_format, today=timezone.localdate())


class InvoiceSettingsView(APIView):
    """Invoice numbering pattern and the texts printed on invoices, with the next number."""

    permission_classes = _ADMIN

    @extend_schema(responses=InvoiceSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(
            InvoiceSettingsSerializer(selectors.invoice_settings_get(tenant=_tenant(request))).data
        )

    @extend_schema(request=InvoiceSettingsSerializer, responses=InvoiceSettingsSerializer)
    def put(self, request: Request) -> Response:
        data = InvoiceSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.invoice_settings_update(
            tenant=_tenant(request), by=request.user, request=request, **data.validated_data
        )
        return Response(InvoiceSettingsSerializer(saved).data)


class EmailTemplateSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()
    customised = serializers.BooleanField(read_only=True)


class EmailTemplateView(APIView):
    """One e-mail's wording (`{{ placeholder }}` only); DELETE goes back to the default."""

    permission_classes = _ADMIN

    def _row(self, request: Request, kind: str) -> dict[str, Any]:
        from tenants.settings.mail import email_spec

        spec = email_spec(kind)
        saved = selectors.email_template_get(tenant=_tenant(request), kind=kind)
        return {
            "kind": kind,
            "subject": saved.subject if saved else spec.default_subject,
            "body": saved.body if saved else spec.default_body,
            "customised": saved is not None,
        }

    def _kind(self, kind: str) -> str:
        if kind not in EmailKind.values:
            raise ApplicationError(_("Unknown e-mail %(kind)s.") % {"kind": kind}, field="kind")
        return kind

    @extend_schema(responses=EmailTemplateSerializer)
    def get(self, request: Request, kind: str) -> Response:
        return Response(EmailTemplateSerializer(self._row(request, self._kind(kind))).data)

    @extend_schema(request=EmailTemplateSerializer, responses=EmailTemplateSerializer)
    def put(self, request: Request, kind: str) -> Response:
        data = EmailTemplateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.email_template_save(
            tenant=_tenant(request),
            kind=self._kind(kind),
            by=request.user,
            request=request,
            **data.validated_data,
        )
        return Response(EmailTemplateSerializer(self._row(request, kind)).data)

    @extend_schema(responses=EmailTemplateSerializer)
    def delete(self, request: Request, kind: str) -> Response:
        services.email_template_reset(
            tenant=_tenant(request), kind=self._kind(kind), by=request.user, request=request
        )
        return Response(EmailTemplateSerializer(self._row(request, kind)).data)


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


class EmailTemplatePreview(APIView):
    """POST a draft: it is checked like a saved template and rendered with sample data (not saved)."""

    permission_classes = _ADMIN

    @extend_schema(request=EmailDraftSerializer, responses=RenderedEmailSerializer)
    def post(self, request: Request, kind: str) -> Response:
        data = EmailDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rendered = services.email_template_preview(
            tenant=_tenant(request), kind=_email_kind(kind), **data.validated_data
        )
        return Response(
            RenderedEmailSerializer(
                {"subject": rendered.subject, "body": rendered.body, "from_email": rendered.from_email}
            ).data
        )


class EmailTemplateSendTest(APIView):
    """POST a draft: "send me a test" — rendered with sample data, mailed to the caller (not saved)."""

    permission_classes = _ADMIN

    @extend_schema(
        request=EmailDraftSerializer,
        responses=inline_serializer("EmailTestSent", {"sent_to": serializers.EmailField()}),
    )
    def post(self, request: Request, kind: str) -> Response:
        data = EmailDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sent_to = services.email_template_send_test(
            tenant=_tenant(request),
            kind=_email_kind(kind),
            user=request.user,  # type: ignore[arg-type]
            request=request,
            **data.validated_data,
        )
        return Response({"sent_to": sent_to})


class DomainSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    domain = serializers.CharField(max_length=253)
    is_primary = serializers.BooleanField(read_only=True)


class DomainList(APIView):
    """The site's domains (main first); POST adds a custom domain, unique across the platform."""

    permission_classes = _ADMIN

    @extend_schema(responses=DomainSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            DomainSerializer(selectors.tenant_domain_list(tenant=_tenant(request)), many=True).data
        )

    @extend_schema(request=DomainSerializer, responses={201: DomainSerializer})
    def post(self, request: Request) -> Response:
        data = DomainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        added = services.tenant_domain_add(
            tenant=_tenant(request), domain=data.validated_data["domain"], by=request.user, request=request
        )
        return Response(DomainSerializer(added).data, status=201)


class DomainDetail(APIView):
    """DELETE removes a custom domain; the main domain stays."""

    permission_classes = _ADMIN

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.tenant_domain_remove(tenant=_tenant(request), domain_id=pk, by=request.user, request=request)
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


class TeamList(APIView):
    """The staff accounts, active first; POST invites a colleague (an e-mail with a link to choose a
    password)."""

    permission_classes = _TEAM

    @extend_schema(responses=StaffMemberSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(StaffMemberSerializer(selectors.staff_list(), many=True).data)

    @extend_schema(request=StaffMemberSerializer, responses={201: StaffMemberSerializer})
    def post(self, request: Request) -> Response:
        data = StaffMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.staff_invite(
            by=request.user,
            request=request,
            base_url=request.build_absolute_uri("/"),
            site_name=_tenant(request).name,
            **data.validated_data,
        )
        return Response(StaffMemberSerializer(user).data, status=201)


class TeamMember(APIView):
    """PATCH a colleague's role, or `is_active` false to deactivate (true to let them back in)."""

    permission_classes = _TEAM

    @extend_schema(request=StaffMemberUpdateSerializer, responses=StaffMemberSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        data = StaffMemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = None
        if "role" in values:
            user = services.staff_set_role(user_id=pk, role=values["role"], by=request.user, request=request)
        if "is_active" in values:
            user = services.staff_set_active(
                user_id=pk, active=values["is_active"], by=request.user, request=request
            )
        if user is None:
            raise ApplicationError(_("Give a role or is_active."))
        return Response(StaffMemberSerializer(user).data)


urlpatterns = [
    path("domains/", DomainList.as_view(), name="api-settings-domains"),
    path("domains/<int:pk>/", DomainDetail.as_view(), name="api-settings-domain"),
    path("team/", TeamList.as_view(), name="api-settings-team"),
    path("team/<int:pk>/", TeamMember.as_view(), name="api-settings-team-member"),
    path("bank-details/", BankDetailsView.as_view(), name="api-settings-bank"),
    path("branding/", BrandingView.as_view(), name="api-settings-branding"),
    path("invoicing/", InvoiceSettingsView.as_view(), name="api-settings-invoicing"),
    path("email-templates/<str:kind>/", EmailTemplateView.as_view(), name="api-settings-email-template"),
    path(
        "email-templates/<str:kind>/preview/",
        EmailTemplatePreview.as_view(),
        name="api-settings-email-template-preview",
    ),
    path(
        "email-templates/<str:kind>/test/",
        EmailTemplateSendTest.as_view(),
        name="api-settings-email-template-test",
    ),
]
