"""The bounce reports (.eml delivery-status files) uploaded on a mailing's page; see
`services_bounces`."""

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import staff_required
from audit.context import AuditContext
from billing.models import InvoiceMailing
from billing.services_bounces import MAX_REPORT_BYTES, bounces_record

MAX_FILES = 200


@require_POST
@staff_required("billing.run")
def bounce_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Bounce reports received for this mailing (any of the tenant's e-mails they name is marked)."""
    mailing = get_object_or_404(InvoiceMailing, pk=pk)
    uploads = request.FILES.getlist("files")[:MAX_FILES]
    if not uploads:
        messages.error(request, _("Choose the bounce reports (.eml files) to read."))
        return redirect("billing:mailing_detail", mailing.pk)
    files = [(upload.name or "", upload.read(MAX_REPORT_BYTES + 1)) for upload in uploads]
    result = bounces_record(
        files=files, by=cast(User, request.user), context=AuditContext.from_request(request)
    )
    counts = result.counts()
    text = (
        _(
            "%(bounced)s e-mail(s) marked as bounced, %(already)s already bounced, %(unknown)s unknown, "
            "%(not_reports)s file(s) that are no bounce report."
        )
        % counts
    )
    (messages.success if counts["bounced"] or not counts["not_reports"] else messages.error)(request, text)
    return redirect("billing:mailing_detail", mailing.pk)
