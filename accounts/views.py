"""Log in, log out, password recovery and the user's own profile (every domain)."""

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import ApiTokenForm, LoginForm, LoginOrEmailPasswordResetForm, ProfileForm
from accounts.models import ApiToken, Role, User
from accounts.permissions import is_staff_here
from accounts.throttling import client_address, throttle_hit
from accounts.tokens import password_reset_token
from audit.context import AuditContext
from core.errors import call_service
from core.tenancy import in_public_schema


def home_for(user: Any) -> str:
    """Where a user lands after logging in on this domain."""
    if getattr(user, "role", None) == Role.CUSTOMER and not in_public_schema():
        return reverse("portal:home")
    return reverse("home")


def _throttled(request: HttpRequest, *, ip_scope: str, account_scope: str, account: str) -> bool:
    """Count this attempt from this address and for this account; True past either limit."""
    by_address = throttle_hit(scope=ip_scope, key=client_address(request))
    by_account = bool(account.strip()) and throttle_hit(scope=account_scope, key=account)
    return by_address or by_account


def _too_many_attempts(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/throttled.html", status=429)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Limited per address and per login, whatever the address (axes counts failures per both).
        if _throttled(
            request,
            ip_scope="login_ip",
            account_scope="login_account",
            account=request.POST.get("username", ""),
        ):
            return _too_many_attempts(request)
        return super().post(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return home_for(self.request.user)

    def get_redirect_url(self) -> str:
        url = super().get_redirect_url()
        # An end customer following a `next` to a staff page would only meet a 403.
        if (
            url
            and getattr(self.request.user, "role", None) == Role.CUSTOMER
            and not url.startswith("/portal/")
        ):
            return ""
        return url


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LoginOrEmailPasswordResetForm
    token_generator = password_reset_token
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _throttled(
            request, ip_scope="reset_ip", account_scope="reset_account", account=request.POST.get("email", "")
        ):
            return _too_many_attempts(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        # The site name of the mail is the one the user is on. The link's host is never the
        # request's (its Host header is the sender's choice): the mail sender hook of `tenants`
        # puts the site's main domain in.
        self.extra_email_context = {"site_name": _site_name(self.request)}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    token_generator = password_reset_token
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.user_password_changed(
            user=form.user, by=form.user, recovered=True, context=AuditContext.from_request(self.request)
        )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.user_password_changed(
            user=form.user, by=form.user, recovered=False, context=AuditContext.from_request(self.request)
        )
        return response


def _site_name(request: HttpRequest) -> str:
    tenant = getattr(request, "tenant", None)
    return tenant.name if tenant is not None and tenant.schema_name != "public" else "ISM"


def _token_lifetime_days(request: HttpRequest) -> int:
    """The tenant's setting (`Tenant.api_token_days`); the platform's default elsewhere."""
    days = getattr(getattr(request, "tenant", None), "api_token_days", None)
    return int(days or settings.ISM_API_TOKEN_DAYS)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own details, language and API tokens."""
    user = cast(User, request.user)
    form = ProfileForm(request.POST or None, instance=user)
    saved = None
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            services.user_profile_update,
            user=user,
            by=user,
            context=AuditContext.from_request(request),
            **form.cleaned_data,
        )
    if saved is not None:
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        response.set_cookie("django_language", form.cleaned_data["language"], samesite="Lax")
        return response
    tokens = selectors.api_token_list(user=user)
    new_token = request.session.pop("new_api_token", None)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "tokens": tokens,
            "has_token": bool(tokens),
            "token_form": ApiTokenForm(),
            "token_days": _token_lifetime_days(request),
            "now": timezone.now(),
            "new_token": new_token,
            "api_allowed": is_staff_here(request.user),
        },
    )


@login_required
@require_POST
def api_token(request: HttpRequest) -> HttpResponse:
    """Create an API token (its key shown once, then never again), or revoke one or all."""
    user = cast(User, request.user)
    if not is_staff_here(user):
        raise PermissionDenied
    context = AuditContext.from_request(request)
    if request.POST.get("action") == "revoke":
        token_id = request.POST.get("token", "")
        if token_id:
            token = get_object_or_404(ApiToken, pk=int(token_id) if token_id.isdigit() else 0, user=user)
            services.api_token_revoke(token=token, by=user, context=context)
            messages.success(request, _("The API token %(name)s is revoked.") % {"name": token.name})
        else:
            services.api_token_revoke_all(user=user, by=user, context=context)
            messages.success(request, _("Your API tokens are revoked."))
    else:
        form = ApiTokenForm(request.POST)
        name = form.cleaned_data["name"] if form.is_valid() else ""
        token = services.api_token_create(
            user=user,
            by=user,
            now=timezone.now(),
            lifetime_days=_token_lifetime_days(request),
            name=name,
            context=context,
        )
        request.session["new_api_token"] = token.key
    return redirect("profile")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language (and remember it on the account)."""
    language = request.POST.get("language", "fr")
    if request.user.is_authenticated:
        call_service(
            ProfileForm(), services.user_set_language, user=cast(User, request.user), language=language
        )
    next_url = request.POST.get("next") or "/"
    # Only a path of this site: `/\evil.example` is `//evil.example` to a browser.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    if language in ("fr", "en"):
        response.set_cookie("django_language", language, samesite="Lax", max_age=365 * 24 * 3600)
    return response
