"""Users. The table exists in every schema: platform admins in public, staff and end customers
in their tenant's schema, so an account of one tenant cannot log in on another's domain."""

import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")
    ADMIN = "admin", _("Administrator")
    SALES = "sales", _("Sales")
    SUPPORT = "support", _("Support")
    ACCOUNTANT = "accountant", _("Accountant")
    CUSTOMER = "customer", _("End customer")


STAFF_ROLES = frozenset({Role.ADMIN, Role.SALES, Role.SUPPORT, Role.ACCOUNTANT})


class CaseInsensitiveUserManager(UserManager["User"]):
    """Logins are one case-insensitive namespace per schema: `C000002` and `c000002` are one login."""

    def get_by_natural_key(self, username: Any) -> "User":
        return self.get(username__iexact=username)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SUPPORT)
    language = models.CharField(
        _("language"), max_length=5, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )

    objects: ClassVar[CaseInsensitiveUserManager] = CaseInsensitiveUserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["username"]
        constraints = [models.UniqueConstraint(Lower("username"), name="accounts_user_login_unique_any_case")]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.PLATFORM_ADMIN

    @property
    def is_tenant_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_end_customer(self) -> bool:
        return self.role == Role.CUSTOMER


def api_token_key_new() -> str:
    return secrets.token_hex(20)


def api_token_default_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.ISM_API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A key a script authenticates with (`Authorization: Token <key>`), shown once on the
    profile page. It stops working when it expires or is revoked (deleted); every token of a
    user is revoked when their password changes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, default="API")
    key = models.CharField(_("key"), max_length=40, unique=True, default=api_token_key_new)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=api_token_default_expiry)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name
