"""The operator's invoices to the tenant (`Factures/Intégrateur/` PDFs): kept per month for the
accountant. The month is the one the file name carries (`…_202610….pdf`, `…2026-10….pdf`), else
the month the file was received in; a file that is not a PDF is refused."""

import datetime as dt
import re
from pathlib import Path

from django.core.files import File
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cdr_import.models import Import
from cdr_import.models_invoices import OperatorPdf
from core.errors import ApplicationError


def month_from_name(name: str) -> dt.date | None:
    """The month a file name carries (`202610`, `2026-10`, or the start of `20261021…`)."""
    for found in re.finditer(r"(?<!\d)(20\d{2})-?(0[1-9]|1[0-2])", name):
        return dt.date(int(found[1]), int(found[2]), 1)
    return None


def operator_pdf_import(
    *, path: Path, feed_import: Import, by: User | None, now: dt.datetime
) -> dict[str, int]:
    """The `operator_pdf` feed handler: the PDF archived under its month."""
    with open(path, "rb") as handle:
        head = handle.read(5)
        if head != b"%PDF-":
            raise ApplicationError(_("“%(file)s” is not a PDF file.") % {"file": feed_import.original_name})
        month = month_from_name(feed_import.original_name) or timezone.localdate(now).replace(day=1)
        handle.seek(0)
        pdf = OperatorPdf(
            feed_import=feed_import,
            month=month,
            name=feed_import.original_name,
            size=feed_import.size,
            sha256=feed_import.sha256,
            received_at=now,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        pdf.file.save(feed_import.original_name, File(handle), save=False)
    OperatorPdf.objects.filter(feed_import=feed_import).delete()  # a reprocess files it again
    pdf.save()
    return {"rows": 1, "imported": 1, "rejected": 0}


def operator_pdf_list(*, month: dt.date | None = None) -> QuerySet[OperatorPdf]:
    """The operator's PDFs, newest month first (one month when given)."""
    qs = OperatorPdf.objects.all()
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    return qs.order_by("-month", "name")


def operator_pdf_months() -> list[dt.date]:
    return list(OperatorPdf.objects.order_by("-month").values_list("month", flat=True).distinct())
