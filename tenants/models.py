"""Tenants (integrators and VNOs) and their domains. These live in the public schema."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class TenantKind(models.TextChoices):
    INTEGRATOR = "integrator", _("Integrator")
    VNO = "vno", _("VNO")


class TenantStatus(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Tenant(TenantMixin):
    """An integrator or VNO running its own ISM in its own PostgreSQL schema.

    The row whose schema is `public` stands for the platform itself (its admins' site).
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=TenantKind.choices, blank=True)
    operator_code = models.CharField(
        _("operator code"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The code the operator puts in this tenant's file names, e.g. ACME."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TenantStatus.choices, default=TenantStatus.ONBOARDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name

    @property
    def is_platform(self) -> bool:
        return self.schema_name == "public"


class Domain(DomainMixin):
    """A host name that serves a tenant's site (its main domain, and custom ones)."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain
