"""Staff pages of the operator link: the disagreements between the platform and the operator's
snapshots (open or resolved). Thin: parse the filters, call the selector, render."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import staff_required, user_can
from provisioning import selectors
from provisioning.forms_operator import DisagreementFilterForm


@staff_required("lines.view")
def disagreement_list(request: HttpRequest) -> HttpResponse:
    filters = DisagreementFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    state = values.get("state") or "open"
    rows = selectors.disagreement_list(
        state="" if state == "all" else state,
        subject=values.get("subject") or "",
        search=values.get("q") or "",
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "provisioning/disagreement_list.html",
        {
            "filters": filters,
            "page": page,
            "state": state,
            "query": query.urlencode(),
            "can_settings": user_can(request.user, "settings.manage"),
        },
    )
