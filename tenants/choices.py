"""Choices shared by the tenant model and the onboarding checklist, so that the checklist can
name them without importing the models (which read step titles from the checklist)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TenantKind(models.TextChoices):
    INTEGRATOR = "integrator", _("Integrator")
    VNO = "vno", _("VNO")


class StepActor(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    TENANT = "tenant", _("Tenant")
