"""The end-customer portal (`/portal/` on the tenant's domain)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import portal_required
from accounts.views import LoginView


class PortalLoginView(LoginView):
    template_name = "portal/login.html"


@portal_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {})
