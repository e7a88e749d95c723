"""REST API of delivery and collection: payments (list, record, reject), SEPA batches (list,
detail, generate, settle), invoice mailings (send a run's invoices, follow the statuses).
Thin: parse, call a service or selector, serialise."""

from decimal import Decimal
from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from billing import tasks
from billing.models import (
    BillingRun,
    Invoice,
    InvoiceEmail,
    InvoiceMailing,
    Payment,
    PaymentAllocation,
    SepaBatch,
    SepaDebit,
)
from billing.services_payments import MANUAL_CHANNELS, payment_record, payment_reject
from billing.services_paypal import paypal_ipn_receive
from billing.services_sepa import sepa_batch_settle
from core.errors import ApplicationError
from customers.models import Customer

CAN_RUN = HasCapability("billing.run", read="billing.view")


class AllocationSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = ["invoice", "invoice_number", "amount_incl_vat"]


class PaymentSerializer(serializers.ModelSerializer):
    allocations = AllocationSerializer(many=True, read_only=True)
    customer_number = serializers.CharField(source="customer.number", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id", "customer", "customer_number", "channel", "status", "amount_incl_vat", "received_on",
            "reference", "reject_code", "rejected_on", "allocations", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=[c.value for c in MANUAL_CHANNELS])
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    received_on = serializers.DateField()
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    invoices = serializers.ListField(child=serializers.IntegerField(), required=False)


class PaymentRejectSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=4)
    fee = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, min_value=Decimal("0"))


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payments received. POST records one (transfer, cheque, card, cash) and allocates it to the
    given invoices, or to the customer's unpaid invoices oldest first; `reject` takes it back."""

    permission_classes = [CAN_RUN]
    serializer_class = PaymentSerializer

    def get_queryset(self) -> QuerySet[Payment]:
        return Payment.objects.select_related("customer").prefetch_related("allocations__invoice")

    @extend_schema(request=PaymentCreateSerializer, responses={201: PaymentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = get_object_or_404(Customer, pk=values["customer"])
        invoices = None
        if values.get("invoices"):
            found = {i.pk: i for i in Invoice.objects.filter(pk__in=values["invoices"], customer=customer)}
            if len(found) != len(set(values["invoices"])):
                raise ApplicationError("Unknown invoice of this customer.", field="invoices")
            invoices = [found[pk] for pk in values["invoices"]]
        now = timezone.now()
        payment = payment_record(
            customer=customer,
            channel=values["channel"],
            amount=values["amount"],
            received_on=values["received_on"],
            reference=values.get("reference", ""),
            invoices=invoices,
            by=cast(User, request.user),
            now=now,
            today=timezone.localdate(now),
            context=AuditContext.from_request(request),
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PaymentRejectSerializer, responses=PaymentSerializer)
    @action(detail=True, methods=["post"], url_path="reject")
    def reject(self, request: Request, pk: str | None = None) -> Response:
        data = PaymentRejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        now = timezone.now()
        payment = payment_reject(
            payment=self.get_object(),
            code=data.validated_data["code"],
            fee=data.validated_data.get("fee"),
            rejected_on=timezone.localdate(now),
            by=cast(User, request.user),
            now=now,
            today=timezone.localdate(now),
            context=AuditContext.from_request(request),
        )
        return Response(PaymentSerializer(payment).data)


class SepaDebitSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    mandate_reference = serializers.CharField(source="mandate.rum", read_only=True)

    class Meta:
        model = SepaDebit
        fields = [
            "id", "invoice", "invoice_number", "mandate_reference", "sequence_type", "end_to_end_id",
            "amount_incl_vat", "status", "reject_code", "rejected_on",
        ]  # fmt: skip
        read_only_fields = fields


class SepaBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = SepaBatch
        fields = [
            "id", "run", "message_id", "version", "collection_date", "status", "debits_count",
            "total_incl_vat", "created_at", "settled_at",
        ]  # fmt: skip
        read_only_fields = fields


class SepaBatchDetailSerializer(SepaBatchSerializer):
    debits = SepaDebitSerializer(many=True, read_only=True)

    class Meta(SepaBatchSerializer.Meta):
        fields = [*SepaBatchSerializer.Meta.fields, "debits"]
        read_only_fields = fields


class SepaBatchCreateSerializer(serializers.Serializer):
    run = serializers.IntegerField(
        required=False, help_text="A run's SEPA invoices; empty: every one to collect"
    )


class JobQueuedSerializer(serializers.Serializer):
    job = serializers.IntegerField()


class SepaBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """SEPA direct-debit files (pain.008). POST queues the generation (a job: follow it at
    /api/v1/jobs/<id>/); `settle` records the bank's credit."""

    permission_classes = [CAN_RUN]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return SepaBatchDetailSerializer if self.action == "retrieve" else SepaBatchSerializer

    def get_queryset(self) -> QuerySet[SepaBatch]:
        batches = SepaBatch.objects.all()
        if self.action == "retrieve":
            batches = batches.prefetch_related("debits__invoice", "debits__mandate")
        return batches

    @extend_schema(request=SepaBatchCreateSerializer, responses={202: JobQueuedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = SepaBatchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run_id = data.validated_data.get("run")
        run = get_object_or_404(BillingRun, pk=run_id) if run_id else None
        job = tasks.sepa_batch_begin(
            run=run, by=cast(User, request.user), label=f"SEPA {run.period if run else ''}"
        )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=SepaBatchSerializer)
    @action(detail=True, methods=["post"], url_path="settle")
    def settle(self, request: Request, pk: str | None = None) -> Response:
        now = timezone.now()
        batch = sepa_batch_settle(
            batch=self.get_object(),
            by=cast(User, request.user),
            now=now,
            today=timezone.localdate(now),
            context=AuditContext.from_request(request),
        )
        return Response(SepaBatchSerializer(batch).data)


class InvoiceEmailSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = InvoiceEmail
        fields = ["id", "invoice", "invoice_number", "kind", "to", "status", "attempts", "error", "sent_at"]
        read_only_fields = fields


class MailingSerializer(serializers.ModelSerializer):
    emails = InvoiceEmailSerializer(many=True, read_only=True)

    class Meta:
        model = InvoiceMailing
        fields = ["id", "run", "job", "created_at", "emails"]
        read_only_fields = fields


class MailingCreateSerializer(serializers.Serializer):
    run = serializers.IntegerField(required=False)
    invoice = serializers.IntegerField(required=False)


class MailingViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invoices by e-mail: POST a run (or one invoice) to send, then follow each e-mail's status
    (queued, sending, sent, failed, bounced)."""

    permission_classes = [CAN_RUN]
    serializer_class = MailingSerializer

    def get_queryset(self) -> QuerySet[InvoiceMailing]:
        return InvoiceMailing.objects.prefetch_related("emails__invoice")

    @extend_schema(request=MailingCreateSerializer, responses={201: MailingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MailingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run = get_object_or_404(BillingRun, pk=values["run"]) if values.get("run") else None
        invoice = get_object_or_404(Invoice, pk=values["invoice"]) if values.get("invoice") else None
        mailing = tasks.invoice_mailing_begin(
            run=run,
            invoice=invoice,
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(MailingSerializer(mailing).data, status=status.HTTP_201_CREATED)


IPN_MAX_BYTES = 20_000


class PayPalIpnViewSet(viewsets.ViewSet):
    """PayPal's instant payment notification (IPN), posted by PayPal without any session or token:
    it is recorded and answered 200 (PayPal sends it again otherwise), and credits only what
    PayPal confirms when the exact body is posted back to the verification address."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []

    @extend_schema(request=None, responses={200: None, 400: None, 413: None})
    def create(self, request: Request) -> Response:
        if request.content_type.split(";")[0].strip() != "application/x-www-form-urlencoded":
            return Response(status=status.HTTP_400_BAD_REQUEST)
        raw = request.body
        if len(raw) > IPN_MAX_BYTES:
            return Response(status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        now = timezone.now()
        paypal_ipn_receive(raw=raw, now=now, today=timezone.localdate(now))
        return Response(status=status.HTTP_200_OK)
