"""REST API of the customers app: customers, contacts, mandates, ledger entries (staff), and the
portal's own data (end customers). Thin: parse, call a service or selector, serialise."""

from decimal import Decimal
from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability, IsPortalCustomer
from audit.context import AuditContext
from core.identifiers import mask_iban
from customers import selectors, services
from customers.models import (
    Contact,
    ContactRole,
    Customer,
    EntryKind,
    LedgerEntry,
    Mandate,
    PaymentMethod,
)


# --- Serializers -----------------------------------------------------------------------------
class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "customer", "role", "name", "email", "phone"]
        read_only_fields = ["id", "customer"]


class CustomerSerializer(serializers.ModelSerializer):
    balance = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    portal_login = serializers.SerializerMethodField()
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "number",
            "status",
            "login",
            "portal_login",
            *services.CUSTOMER_FIELDS,
            "suspended_for_balance",
            "suspended_for_balance_at",
            "balance",
            "contacts",
            "created_at",
            "archived_at",
        ]
        read_only_fields = fields

    def get_portal_login(self, obj: Customer) -> str:
        return obj.portal_user.username if obj.portal_user_id and obj.portal_user else ""


class ContactInputSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")


class MandateInputSerializer(serializers.Serializer):
    iban = serializers.CharField()
    bic = serializers.CharField()
    account_holder = serializers.CharField(required=False, allow_blank=True, default="")
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)


class CustomerWriteSerializer(serializers.ModelSerializer):
    """Input of creation (every field) and update (PATCH: the fields given)."""

    number = serializers.CharField(required=False, allow_blank=True, default="")
    login = serializers.CharField(required=False, allow_blank=True, default="")
    billing_contact = ContactInputSerializer(required=False)
    login_contact = ContactInputSerializer(required=False)
    mandate = MandateInputSerializer(required=False)
    send_logins = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = Customer
        fields = [
            "number",
            "login",
            *services.CUSTOMER_FIELDS,
            "billing_contact",
            "login_contact",
            "mandate",
            "send_logins",
        ]


class MandateSerializer(serializers.ModelSerializer):
    """A mandate; its IBAN is always masked (`reveal-iban` gives it in full to a role allowed to
    see secrets, and records it)."""

    iban = serializers.SerializerMethodField()

    def get_iban(self, obj: Mandate) -> str:
        return mask_iban(obj.iban)

    class Meta:
        model = Mandate
        fields = [
            "id",
            "customer",
            "rum",
            "iban",
            "bic",
            "account_holder",
            "signed_on",
            "sequence_type",
            "status",
            "created_at",
            "ended_at",
        ]
        read_only_fields = fields


class PortalMandateSerializer(MandateSerializer):
    pass


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "customer",
            "kind",
            "entry_date",
            "description",
            "method",
            "amount_ht",
            "vat_rate",
            "amount_vat",
            "amount_ttc",
            "reverses",
            "created_at",
        ]
        read_only_fields = fields


class LedgerEntryInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[EntryKind.PAYMENT, EntryKind.CHARGE, EntryKind.REVERSAL])
    entry_date = serializers.DateField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, help_text="payment, TTC"
    )
    method = serializers.ChoiceField(
        choices=PaymentMethod.choices, required=False, default=PaymentMethod.TRANSFER
    )
    amount_ht = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, help_text="charge")
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=Decimal("20"))
    reverses = serializers.IntegerField(required=False, help_text="reversal: the id of the entry to reverse")


# --- Staff API -------------------------------------------------------------------------------
CAN_CUSTOMERS = HasCapability("customers.write", read="customers.view")
CAN_PAYMENTS = HasCapability("payments.write", read="customers.view")


def _customers() -> QuerySet[Customer]:
    return selectors.customer_list(status="").select_related("portal_user").prefetch_related("contacts")


def _customer_of(view: Any) -> Customer:
    return get_object_or_404(Customer, pk=view.kwargs["customer_id"])


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Customers (active by default). Filters: `q` (number, name, e-mail, phone), `kind`,
    `status` (active, archived, all), `payment_mode`, `sort`. PATCH changes the fields given,
    with the same rules as the pages; DELETE archives a customer (never erased), or answers 400
    with what to end first."""

    permission_classes = [CAN_CUSTOMERS]
    serializer_class = CustomerSerializer

    def get_queryset(self) -> QuerySet[Customer]:
        if self.action != "list":
            return _customers()
        params = self.request.query_params
        status_ = params.get("status", "active")
        return (
            selectors.customer_list(
                search=params.get("q", ""),
                kind=params.get("kind", ""),
                payment_mode=params.get("payment_mode", ""),
                status="" if status_ == "all" else status_,
                sort=params.get("sort", "number"),
            )
            .select_related("portal_user")
            .prefetch_related("contacts")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("status", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CustomerWriteSerializer, responses={201: CustomerSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CustomerWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = services.customer_create(
            by=cast(User, request.user),
            now=timezone.now(),
            data={name: values[name] for name in services.CUSTOMER_FIELDS if name in values},
            number=values.get("number", ""),
            login=values.get("login", ""),
            billing_contact=values.get("billing_contact"),
            login_contact=values.get("login_contact"),
            mandate=values.get("mandate"),
            send_logins=values.get("send_logins", False),
            context=AuditContext.from_request(request),
        )
        return Response(
            CustomerSerializer(_customers().get(pk=customer.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=CustomerWriteSerializer, responses=CustomerSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        customer = self.get_object()
        data = CustomerWriteSerializer(customer, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        services.customer_update(
            customer=customer,
            by=cast(User, request.user),
            now=timezone.now(),
            data={name: values[name] for name in services.CUSTOMER_FIELDS if name in values},
            billing_contact=values.get("billing_contact"),
            login_contact=values.get("login_contact"),
            context=AuditContext.from_request(request),
        )
        return Response(CustomerSerializer(_customers().get(pk=customer.pk)).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.customer_archive(
            customer=self.get_object(),
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None, responses=inline_serializer("LoginsSent", {"sent_to": serializers.EmailField()})
    )
    @action(detail=True, methods=["post"], url_path="send-logins")
    def send_logins(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """E-mail the login contact its login and a link to choose a password (account opening)."""
        customer = self.get_object()
        services.customer_send_logins(
            customer=customer,
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        return Response({"sent_to": customer.portal_user.email if customer.portal_user else ""})


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A customer's contacts (list, POST one); one contact (GET, PATCH)."""

    permission_classes = [CAN_CUSTOMERS]
    serializer_class = ContactSerializer

    pagination_class = None

    def get_queryset(self) -> QuerySet[Contact]:
        if self.action in ("list", "create"):
            return selectors.contact_list(customer=_customer_of(self))
        return Contact.objects.select_related("customer")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ContactSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {
            "name": "",
            "email": "",
            "phone": "",
            **data.validated_data,
        }  # blank fields are optional here
        contact = services.contact_create(
            customer=_customer_of(self),
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
            **values,
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        data = ContactSerializer(contact, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {k: data.validated_data.get(k, getattr(contact, k)) for k in ("name", "email", "phone")}
        contact = services.contact_update(
            contact=contact, by=cast(User, request.user), context=AuditContext.from_request(request), **values
        )
        return Response(ContactSerializer(contact).data)


class MandateSignedSerializer(serializers.Serializer):
    signed_on = serializers.DateField()


class MandateIbanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rum = serializers.CharField()
    iban = serializers.CharField()


class MandateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A customer's mandates, newest first; POST a new bank account (the active one is replaced).
    PATCH on a mandate records its signature date; a new bank account is a new mandate, so the
    bank details of a mandate never change; `revoke` ends a mandate the customer withdrew."""

    permission_classes = [CAN_CUSTOMERS]
    serializer_class = MandateSerializer

    pagination_class = None

    def get_queryset(self) -> QuerySet[Mandate]:
        if self.action in ("list", "create"):
            return selectors.mandate_list(customer=_customer_of(self))
        return Mandate.objects.select_related("customer")

    @extend_schema(request=MandateInputSerializer, responses={201: MandateSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MandateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mandate = services.mandate_create(
            customer=_customer_of(self),
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
            **data.validated_data,
        )
        return Response(MandateSerializer(mandate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MandateSignedSerializer, responses=MandateSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        mandate = self.get_object()
        data = MandateSignedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mandate = services.mandate_set_signed(
            mandate=mandate,
            by=cast(User, request.user),
            today=timezone.localdate(),
            context=AuditContext.from_request(request),
            **data.validated_data,
        )
        return Response(MandateSerializer(mandate).data)

    @extend_schema(request=None, responses=MandateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """End a mandate the customer withdrew; it stays in the history."""
        mandate = services.mandate_revoke(
            mandate=self.get_object(),
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(MandateSerializer(mandate).data)

    @extend_schema(request=None, responses=MandateIbanSerializer)
    @action(detail=True, methods=["post"], url_path="reveal-iban")
    def reveal_iban(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The mandate's full IBAN, for a role allowed to see secrets; the reveal is recorded."""
        mandate = self.get_object()
        iban = services.mandate_iban_reveal(
            mandate=mandate, by=cast(User, request.user), context=AuditContext.from_request(request)
        )
        return Response(MandateIbanSerializer({"id": mandate.pk, "rum": mandate.rum, "iban": iban}).data)


class LedgerEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A customer's ledger, newest first; POST a payment, a charge or a reversal (payments.write)."""

    permission_classes = [CAN_PAYMENTS]
    serializer_class = LedgerEntrySerializer

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        if self.action in ("list", "create"):
            return selectors.ledger_entry_list(customer=_customer_of(self))
        return LedgerEntry.objects.all()

    @extend_schema(request=LedgerEntryInputSerializer, responses={201: LedgerEntrySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        customer = _customer_of(self)
        data = LedgerEntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        now, context = timezone.now(), AuditContext.from_request(request)
        if v["kind"] == EntryKind.PAYMENT:
            if v.get("amount") is None:
                raise serializers.ValidationError({"amount": "required for a payment"})
            entry = services.payment_record(
                customer=customer,
                by=cast(User, request.user),
                now=now,
                amount=v["amount"],
                entry_date=v["entry_date"],
                method=v["method"],
                description=v["description"],
                context=context,
            )
        elif v["kind"] == EntryKind.CHARGE:
            if v.get("amount_ht") is None:
                raise serializers.ValidationError({"amount_ht": "required for a charge"})
            entry = services.charge_record(
                customer=customer,
                by=cast(User, request.user),
                now=now,
                amount_ht=v["amount_ht"],
                vat_rate=v["vat_rate"],
                description=v["description"],
                entry_date=v["entry_date"],
                context=context,
            )
        else:
            target = get_object_or_404(LedgerEntry, pk=v.get("reverses"), customer=customer)
            entry = services.ledger_entry_reverse(
                entry=target, by=cast(User, request.user), now=now, reason=v["description"], context=context
            )
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


# --- Portal API (the end customer's own data) ------------------------------------------------
class PortalCustomerSerializer(CustomerSerializer):
    class Meta(CustomerSerializer.Meta):
        fields = [f for f in CustomerSerializer.Meta.fields if f not in ("login", "status", "archived_at")]
        read_only_fields = fields


class PortalMeViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The logged-in end customer's record and balance."""

    permission_classes = [IsPortalCustomer]
    serializer_class = PortalCustomerSerializer

    def get_object(self) -> Customer:
        customer = selectors.portal_customer(user=self.request.user)
        return _customers().get(pk=customer.pk)


class PortalLedgerEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The customer's own ledger entries; any other id is a 404."""

    permission_classes = [IsPortalCustomer]
    serializer_class = LedgerEntrySerializer

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        return selectors.ledger_entry_list(customer=selectors.portal_customer(user=self.request.user))


class PortalMandateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The customer's own mandates (IBAN masked); any other id is a 404."""

    permission_classes = [IsPortalCustomer]
    serializer_class = PortalMandateSerializer

    pagination_class = None

    def get_queryset(self) -> QuerySet[Mandate]:
        return selectors.mandate_list(customer=selectors.portal_customer(user=self.request.user))


class PortalContactViewSet(viewsets.GenericViewSet):
    """PATCH the customer's own billing or login contact (`role` in the URL)."""

    permission_classes = [IsPortalCustomer]
    serializer_class = ContactInputSerializer

    @extend_schema(request=ContactInputSerializer, responses=ContactSerializer)
    def partial_update(self, request: Request, role: str) -> Response:
        if role not in (ContactRole.BILLING, ContactRole.LOGIN):
            raise Http404
        customer = selectors.portal_customer(user=request.user)
        data = ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_update_by_customer(
            customer=customer,
            by=cast(User, request.user),
            role=role,
            context=AuditContext.from_request(request),
            **data.validated_data,
        )
        return Response(ContactSerializer(contact).data)
