from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """Billing runs, invoices and credit notes, their PDF and e-mail, payments, SEPA files and accounting exports."""

    name = "billing"
    verbose_name = _("Billing")
