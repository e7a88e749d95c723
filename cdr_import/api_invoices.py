"""API of operator invoices, their profiles and references, and the operator's PDFs (staff)."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import HasCapability
from audit.context import AuditContext
from cdr_import import operator_invoices, operator_pdfs, selectors_invoices
from cdr_import.models_invoices import (
    OperatorInvoice,
    OperatorInvoiceLine,
    OperatorInvoiceProfile,
    OperatorPdf,
    OperatorReference,
)
from core.downloads import attachment_response
from core.errors import ApplicationError
from customers.models import Customer


class OperatorInvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OperatorInvoiceLine
        fields = [
            "position",
            "account_ref",
            "line_number",
            "customer",
            "charge_type",
            "description",
            "period_start",
            "period_end",
            "quantity",
            "amount_excl_vat",
            "vat_rate",
            "amount_vat",
            "currency",
        ]


class OperatorInvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = OperatorInvoice
        fields = [
            "id",
            "operator_code",
            "invoice_ref",
            "invoice_date",
            "account_ref",
            "customer",
            "currency",
            "total_excl_vat",
            "total_vat",
            "line_count",
            "ofc_sent_at",
            "feed_import",
        ]


class OperatorInvoiceDetailSerializer(OperatorInvoiceSerializer):
    lines = OperatorInvoiceLineSerializer(many=True, read_only=True)

    class Meta(OperatorInvoiceSerializer.Meta):
        fields = [*OperatorInvoiceSerializer.Meta.fields, "lines"]


class OperatorInvoiceViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    permission_classes = [HasCapability("billing.view")]

    def get_queryset(self) -> Any:
        customer = self.request.query_params.get("customer")
        return selectors_invoices.operator_invoice_list(
            customer_id=int(customer) if customer and customer.isdigit() else None,
            unassigned=self.request.query_params.get("unassigned") == "1",
        )

    def get_serializer_class(self) -> Any:
        return OperatorInvoiceDetailSerializer if self.action == "retrieve" else OperatorInvoiceSerializer

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="output")
    def output(self, request: Request, pk: int | None = None) -> Any:
        name, content = operator_invoices.operator_invoice_output(invoice=self.get_object())
        return attachment_response(content, name, "text/csv; charset=utf-8")


class OperatorInvoiceProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = OperatorInvoiceProfile
        fields = [
            "id",
            "code",
            "label",
            "operator_code",
            "line_table",
            "joins",
            "columns",
            "unit_price",
            "default_vat_rate",
            "default_currency",
            "return_ofc",
            "is_default",
        ]
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}


class OperatorInvoiceProfileViewSet(
    viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin
):
    permission_classes = [HasCapability("imports.run", read="billing.view")]
    serializer_class = OperatorInvoiceProfileSerializer

    def get_queryset(self) -> Any:
        return selectors_invoices.operator_invoice_profile_list()

    def create(self, request: Request) -> Response:
        data = OperatorInvoiceProfileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = operator_invoices.operator_invoice_profile_create(
            values=dict(data.validated_data),
            by=request.user,  # type: ignore[arg-type]
            context=AuditContext.from_request(request),
        )
        return Response(OperatorInvoiceProfileSerializer(profile).data, status=201)

    def partial_update(self, request: Request, pk: int | None = None) -> Response:
        profile = self.get_object()
        data = OperatorInvoiceProfileSerializer(profile, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = operator_invoices.operator_invoice_profile_update(
            profile=profile,
            values=dict(data.validated_data),
            by=request.user,  # type: ignore[arg-type]
            context=AuditContext.from_request(request),
        )
        return Response(OperatorInvoiceProfileSerializer(profile).data)


class OperatorReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = OperatorReference
        fields = ["id", "kind", "value", "customer", "first_seen_at", "assigned_at"]


class ReferenceAssignSerializer(serializers.Serializer):
    customer = serializers.IntegerField(allow_null=True)


class OperatorReferenceViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):
    permission_classes = [HasCapability("customers.write", read="billing.view")]
    serializer_class = OperatorReferenceSerializer

    def get_queryset(self) -> Any:
        return selectors_invoices.operator_reference_list(waiting=self.request.query_params.get("all") != "1")

    @extend_schema(request=ReferenceAssignSerializer, responses=OperatorReferenceSerializer)
    @action(detail=True, methods=["post"], url_path="assign")
    def assign(self, request: Request, pk: int | None = None) -> Response:
        reference = OperatorReference.objects.filter(pk=pk or 0).first()
        if reference is None:
            from django.http import Http404

            raise Http404
        data = ReferenceAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer_id = data.validated_data["customer"]
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        if customer_id and customer is None:
            raise ApplicationError("No such customer.", field="customer")
        reference = operator_invoices.operator_reference_assign(
            reference=reference,
            customer=customer,
            by=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response(OperatorReferenceSerializer(reference).data)


class OperatorPdfSerializer(serializers.ModelSerializer):
    class Meta:
        model = OperatorPdf
        fields = ["id", "month", "name", "size", "sha256", "received_at", "feed_import"]


class OperatorPdfViewSet(viewsets.GenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    permission_classes = [HasCapability("billing.view")]
    serializer_class = OperatorPdfSerializer

    def get_queryset(self) -> Any:
        return operator_pdfs.operator_pdf_list()

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request: Request, pk: int | None = None) -> Any:
        pdf = self.get_object()
        with pdf.file.open("rb") as handle:
            return attachment_response(handle.read(), pdf.name, "application/pdf")
