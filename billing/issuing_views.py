"""Staff pages of issuing: an issued invoice's or credit note's PDF, a run's PDFs as a streamed
ZIP, a credit note for an invoice, the numbering settings. Thin: parse, call, shape."""

import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any, cast

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.permissions import staff_required
from audit.context import AuditContext
from billing.documents import document_file_name, document_pdf_store
from billing.issuing import CreditItem, credit_note_issue
from billing.models import BillingRun, CreditNote, Invoice, InvoiceStatus, NumberRestart
from billing.numbering import billing_numbering_update
from billing.selectors import billing_settings_get
from core.downloads import content_disposition
from core.errors import call_service
from core.forms import AmountField
from core.money import format_amount


def _pdf_response(document: Invoice | CreditNote, request: HttpRequest, *, inline: bool) -> HttpResponse:
    if not document.pdf:
        document_pdf_store(document, tenant=request.tenant)  # type: ignore[attr-defined]
        document.refresh_from_db()
    response = FileResponse(document.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(document_file_name(document), inline=inline)
    return cast(HttpResponse, response)  # a streamed file, as the page decorators expect of a view


@staff_required("billing.view")
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF of an issued invoice (a draft has none: it is not an invoice yet)."""
    invoice = get_object_or_404(Invoice.objects.exclude(status=InvoiceStatus.DRAFT), pk=pk)
    return _pdf_response(invoice, request, inline=request.GET.get("download") != "1")


@staff_required("billing.view")
def credit_note_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(CreditNote.objects.exclude(number__isnull=True), pk=pk)
    return _pdf_response(note, request, inline=request.GET.get("download") != "1")


class _Pipe:
    """A write-only file whose bytes are taken away as they come (the ZIP is never whole in memory)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def run_zip_stream(run: BillingRun, *, tenant: Any) -> Iterator[bytes]:
    """The run's issued invoices as PDFs in a ZIP, streamed one file at a time (a missing PDF is
    rendered and kept first)."""
    pipe = _Pipe()
    ids = list(
        Invoice.objects.filter(run=run)
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by("number_period", "sequence")
        .values_list("pk", flat=True)
    )
    with zipfile.ZipFile(cast(IO[bytes], pipe), mode="w", compression=zipfile.ZIP_STORED) as archive:
        for pk in ids:
            invoice = Invoice.objects.get(pk=pk)
            if not invoice.pdf:
                document_pdf_store(invoice, tenant=tenant)
                invoice.refresh_from_db()
            with invoice.pdf.open("rb") as source, archive.open(document_file_name(invoice), "w") as target:
                while block := source.read(65536):
                    target.write(block)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()


@staff_required("billing.view")
def run_zip(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(BillingRun, pk=pk)
    if not run.invoices.exclude(status=InvoiceStatus.DRAFT).exists():
        raise Http404
    tenant = request.tenant  # type: ignore[attr-defined]
    response = StreamingHttpResponse(run_zip_stream(run, tenant=tenant), content_type="application/zip")
    response["Content-Disposition"] = content_disposition(f"factures-{run.period}.zip")
    return cast(HttpResponse, response)


class CreditNoteForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    full = forms.BooleanField(
        label=gettext_lazy("Credit the whole invoice (what is left of it)"),
        required=False,
        help_text=gettext_lazy("Otherwise, type the amount excl. VAT to credit on each line concerned."),
    )

    def __init__(self, *args: Any, invoice: Invoice, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.invoice_lines = list(invoice.lines.order_by("position", "id"))
        for line in self.invoice_lines:
            self.fields[f"line_{line.pk}"] = AmountField(
                label=f"{line.label} ({format_amount(line.amount)})",
                required=False,
                max_digits=14,
                decimal_places=2,
            )

    def items(self) -> list[CreditItem] | None:
        if self.cleaned_data.get("full"):
            return None
        return [
            CreditItem(invoice_line_id=line.pk, amount=self.cleaned_data[f"line_{line.pk}"])
            for line in self.invoice_lines
            if self.cleaned_data.get(f"line_{line.pk}") not in (None, Decimal(0))
        ]


@staff_required("billing.run")
def credit_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an issued invoice with a credit note (whole or in part)."""
    invoice = get_object_or_404(Invoice.objects.exclude(status=InvoiceStatus.DRAFT), pk=pk)
    form = CreditNoteForm(request.POST or None, invoice=invoice)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        note = call_service(
            form,
            credit_note_issue,
            invoice=invoice,
            reason=form.cleaned_data["reason"],
            items=form.items(),
            tenant=request.tenant,  # type: ignore[attr-defined]
            by=cast(User, request.user),
            now=now,
            today=timezone.localdate(now),
            context=AuditContext.from_request(request),
        )
        if note is not None:
            messages.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
            return redirect("billing:credit_note_list")
    return render(request, "billing/credit_note_form.html", {"invoice": invoice, "form": form})


@staff_required("billing.view")
def credit_note_list(request: HttpRequest) -> HttpResponse:
    notes = (
        CreditNote.objects.exclude(number__isnull=True)
        .select_related("invoice")
        .order_by("-number_period", "-sequence")
    )
    return render(request, "billing/credit_note_list.html", {"notes": notes[:500]})


class NumberingForm(forms.Form):
    number_restart = forms.ChoiceField(
        label=gettext_lazy("Invoice and credit note numbers restart"), choices=NumberRestart.choices
    )
    credit_note_number_format = forms.CharField(
        label=gettext_lazy("Credit note number format"),
        max_length=60,
        help_text=gettext_lazy(
            "Tokens {YYYY}, {YY}, {MM} and one {SEQ:n}; at most 35 characters of letters, digits and + - _ /."
        ),
    )


@staff_required("settings.manage")
def numbering_settings(request: HttpRequest) -> HttpResponse:
    settings = billing_settings_get()
    form = NumberingForm(
        request.POST or None,
        initial={
            "number_restart": settings.number_restart,
            "credit_note_number_format": settings.credit_note_number_format,
        },
    )
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            billing_numbering_update,
            tenant=request.tenant,  # type: ignore[attr-defined]
            number_restart=form.cleaned_data["number_restart"],
            credit_note_number_format=form.cleaned_data["credit_note_number_format"],
            by=cast(User, request.user),
            context=AuditContext.from_request(request),
        )
        if saved is not None:
            messages.success(request, _("Numbering saved."))
            return redirect("billing:numbering_settings")
    return render(request, "billing/numbering_settings.html", {"form": form})
