"""The audit trail's page. It lives in accounts, which holds the permission check: audit sits below
accounts and records events without knowing who may read them."""

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.permissions import staff_required
from audit.selectors import audit_event_list


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Who"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@staff_required("audit.view")
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(
        search=filters.get("q") or "",
        action=filters.get("action") or "",
        actor=filters.get("actor") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html", {"form": form, "page": page, "query": query.urlencode()})
