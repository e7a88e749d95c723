import logging
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.throttling import throttle_hit
from core.mail import mail_send
from core.registry import registry

logger = logging.getLogger(__name__)


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Login"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class LoginOrEmailPasswordResetForm(PasswordResetForm):
    """Password recovery by login or e-mail address; the mail goes to the account's address."""

    email = forms.CharField(label=_("Login or e-mail address"), max_length=254)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # On a tenant's site the tenant's own "password recovery" template is used.
        sender = registry.mail_senders.get("password_reset")
        if sender is not None and sender(context=context, to_email=to_email):
            return
        # Django's own mail, sent through the one e-mail path; a failure is logged, not shown
        # (as Django does), so the page never tells whether the account exists.
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        html = render_to_string(html_email_template_name, context) if html_email_template_name else None
        try:
            mail_send(subject=subject, body=body, html_body=html, from_email=from_email, to=[to_email])
        except Exception:
            logger.exception("Failed to send password reset email to %s", context["user"].pk)

    def get_users(self, email: str) -> Iterator[Any]:
        value = email.strip()
        users = User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value), is_active=True)
        for user in users:
            # An invited account (no password yet, never logged in) may recover too.
            if (user.has_usable_password() or user.last_login is None) and user.email:
                # At most a few mails per account and hour, whatever the address asking.
                if throttle_hit(scope="reset_mail", key=f"user:{user.pk}"):
                    logger.warning("Password reset mail to user %s held back: too many this hour", user.pk)
                    continue
                yield user


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. the script that uses it."),
    )
