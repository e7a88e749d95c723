from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """A tenant's customers: contacts, addresses, payment mode and SEPA mandate, portal accounts, the ledger."""

    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from customers import labels

        labels.register()
        from core.registry import NavItem, register_nav, register_search
        from customers import services  # noqa: F401  (registers the unpaid-balance archive blocker)
        from customers.search import search_customers

        register_nav(
            NavItem("customers", _("Customers"), "customers:list", order=10, capability="customers.view")
        )
        register_search(search_customers)
