from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """Billing runs, invoices and credit notes, their PDF and e-mail, payments, SEPA files and accounting exports."""

    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from billing import labels
        from billing.selectors import frozen_customers
        from cdr_import.hooks import settle_guard_register
        from core.registry import NavItem, register_nav

        settle_guard_register(frozen_customers)
        labels.register()
        register_nav(
            NavItem("billing", _("Billing"), "billing:run_list", order=50, capability="billing.view")
        )
