"""Users. The table exists in every schema: platform admins in public, staff and end customers
in their tenant's schema, so an account of one tenant cannot log in on another's domain."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")
    ADMIN = "admin", _("Administrator")
    SALES = "sales", _("Sales")
    SUPPORT = "support", _("Support")
    ACCOUNTANT = "accountant", _("Accountant")
    CUSTOMER = "customer", _("End customer")


STAFF_ROLES = frozenset({Role.ADMIN, Role.SALES, Role.SUPPORT, Role.ACCOUNTANT})


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SUPPORT)
    language = models.CharField(
        _("language"), max_length=5, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )

    class Meta:
        ordering = ["username"]
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
