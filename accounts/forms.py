from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Login"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class LoginOrEmailPasswordResetForm(PasswordResetForm):
    """Password recovery by login or e-mail address; the mail goes to the account's address."""

    email = forms.CharField(label=_("Login or e-mail address"), max_length=254)

    def get_users(self, email: str) -> Iterator[Any]:
        value = email.strip()
        users = User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value), is_active=True)
        for user in users:
            # An invited account (no password yet, never logged in) may recover too.
            if (user.has_usable_password() or user.last_login is None) and user.email:
                yield user


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]
