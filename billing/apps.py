from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """Billing runs, invoices and credit notes, their PDF and e-mail, payments, SEPA files and accounting exports."""

    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from billing import labels, numbering
        from billing.issuing import unpaid_invoices_blocker
        from billing.selectors import frozen_customers
        from cdr_import.hooks import settle_guard_register
        from core.registry import NavItem, register_nav
        from customers.hooks import register_archive_blocker

        settle_guard_register(frozen_customers)
        labels.register()
        numbering.register()
        register_archive_blocker(unpaid_invoices_blocker)
        register_nav(
            NavItem("billing", _("Billing"), "billing:run_list", order=50, capability="billing.view")
        )
