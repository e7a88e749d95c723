from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    """A tenant's SIM stock and lines: orders, portability, line actions, the operator gateway."""

    name = "provisioning"
    verbose_name = _("Lines and SIM cards")
