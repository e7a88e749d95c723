"""The platform admins' pages (public domain)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import staff_required
from tenants.selectors import tenant_list


@staff_required("platform.manage")
def tenant_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "platform/tenant_list.html", {"tenants": tenant_list()})
