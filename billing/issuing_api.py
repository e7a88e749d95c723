"""REST API of issuing: an issued invoice's PDF, credit notes (issue, list, detail, PDF), a run's
PDFs as a ZIP and the PDFs a run still lacks. Thin: parse, call a service, serialise."""

from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import HasCapability
from audit.context import AuditContext
from billing import tasks
from billing.documents import document_file_name, document_pdf_store
from billing.issuing import CreditItem, credit_note_issue
from billing.issuing_views import run_zip_stream
from billing.models import BillingRun, CreditNote, CreditNoteLine, Invoice, InvoiceStatus
from core.downloads import content_disposition

CAN_VIEW = HasCapability("billing.view")
CAN_RUN = HasCapability("billing.run")


def _pdf(document: Invoice | CreditNote, request: Request) -> FileResponse:
    if not document.pdf:
        document_pdf_store(document, tenant=request.tenant)  # type: ignore[attr-defined]
        document.refresh_from_db()
    response = FileResponse(document.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(document_file_name(document))
    return response


class CreditNoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditNoteLine
        fields = ["position", "invoice_line", "category", "label", "amount", "vat_rate"]


class CreditNoteSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    lines = CreditNoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = CreditNote
        fields = [
            "id", "number", "status", "invoice", "invoice_number", "customer", "customer_number", "customer_name",
            "reason", "full", "issue_date", "total_excl_vat", "total_vat", "total_incl_vat", "lines",
        ]  # fmt: skip
        read_only_fields = fields


class CreditItemSerializer(serializers.Serializer):
    invoice_line = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="excl. VAT, positive")


class CreditNoteCreateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    lines = CreditItemSerializer(
        many=True, required=False, help_text="omitted: the whole invoice is credited"
    )


class InvoiceDocumentViewSet(viewsets.GenericViewSet):
    """An issued invoice's PDF (`pdf`) and the credit notes that correct it (`credit_note`)."""

    def get_permissions(self) -> list[Any]:
        return [CAN_RUN() if self.action == "credit_note" else CAN_VIEW()]

    def get_queryset(self) -> QuerySet[Invoice]:
        return Invoice.objects.exclude(status=InvoiceStatus.DRAFT)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="pdf")
    def pdf(self, request: Request, pk: str | None = None) -> FileResponse:
        return _pdf(self.get_object(), request)

    @extend_schema(request=CreditNoteCreateSerializer, responses={201: CreditNoteSerializer})
    @action(detail=True, methods=["post"], url_path="credit-notes")
    def credit_note(self, request: Request, pk: str | None = None) -> Response:
        data = CreditNoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = data.validated_data.get("lines")
        now = timezone.now()
        note = credit_note_issue(
            invoice=self.get_object(),
            reason=data.validated_data["reason"],
            items=None if lines is None else [CreditItem(i["invoice_line"], i["amount"]) for i in lines],
            tenant=request.tenant,  # type: ignore[attr-defined]
            by=cast(User, request.user),
            now=now,
            today=timezone.localdate(now),
            context=AuditContext.from_request(request),
        )
        return Response(CreditNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class CreditNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Issued credit notes (avoirs), newest first; `pdf` downloads one."""

    permission_classes = [CAN_VIEW]
    serializer_class = CreditNoteSerializer

    def get_queryset(self) -> QuerySet[CreditNote]:
        return (
            CreditNote.objects.exclude(number__isnull=True)
            .select_related("invoice")
            .prefetch_related("lines")
            .order_by("-number_period", "-sequence")
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="pdf")
    def pdf(self, request: Request, pk: str | None = None) -> FileResponse:
        return _pdf(self.get_object(), request)


class JobStartedSerializer(serializers.Serializer):
    job = serializers.IntegerField()


class BillingRunDocumentViewSet(viewsets.GenericViewSet):
    """A run's issued invoices: `zip` streams their PDFs; `finalize_start` numbers, issues and renders
    them in the background; `pdfs` renders those still missing (after a worker died)."""

    def get_permissions(self) -> list[Any]:
        return [CAN_VIEW() if self.action == "zip" else CAN_RUN()]

    def get_queryset(self) -> QuerySet[BillingRun]:
        return BillingRun.objects.all()

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="zip")
    def zip(self, request: Request, pk: str | None = None) -> StreamingHttpResponse:
        run = self.get_object()
        if not run.invoices.exclude(status=InvoiceStatus.DRAFT).exists():
            raise Http404
        tenant = request.tenant  # type: ignore[attr-defined]
        response = StreamingHttpResponse(run_zip_stream(run, tenant=tenant), content_type="application/zip")
        response["Content-Disposition"] = content_disposition(f"factures-{run.period}.zip")
        return response

    @extend_schema(request=None, responses={202: JobStartedSerializer})
    @action(detail=True, methods=["post"], url_path="finalize-start")
    def finalize_start(self, request: Request, pk: str | None = None) -> Response:
        job = tasks.billing_run_finalize_start(
            run=self.get_object(),
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: JobStartedSerializer})
    @action(detail=True, methods=["post"], url_path="pdfs")
    def pdfs(self, request: Request, pk: str | None = None) -> Response:
        job = tasks.run_pdfs_resume(
            run=self.get_object(),
            by=cast(User, request.user),
            now=timezone.now(),
            context=AuditContext.from_request(request),
        )
        return Response({"job": job.pk}, status=status.HTTP_202_ACCEPTED)
