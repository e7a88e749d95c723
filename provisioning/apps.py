from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    """A tenant's SIM stock and lines: orders, portability, line actions, the operator gateway."""

    name = "provisioning"
    verbose_name = _("Lines and SIM cards")

    def ready(self) -> None:
        from core.registry import NavItem, register_nav, register_search
        from customers.hooks import (
            register_archive_blocker,
            register_balance_policy_handler,
            register_customer_search,
            register_customer_tab,
        )
        from offers.hooks import register_usage_check
        from provisioning import labels_lines
        from provisioning.search import customers_by_msisdn, search_lines
        from provisioning.selectors_lines import catalogue_item_line_usage, customer_archive_line_blockers
        from provisioning.services.lines import lines_balance_policy_apply
        from provisioning.views_lines import customer_lines_tab, customer_orders_tab

        register_nav(
            NavItem("lines", _("Lines"), "provisioning:line_list", order=20, capability="lines.view")
        )
        register_nav(
            NavItem(
                "fixed_numbers",
                _("Fixed numbers"),
                "provisioning:fixed_list",
                order=21,
                capability="lines.view",
            )
        )
        register_search(search_lines)
        register_customer_search(customers_by_msisdn)
        register_archive_blocker(customer_archive_line_blockers)
        register_balance_policy_handler(lines_balance_policy_apply)
        register_customer_tab("lines", customer_lines_tab)
        register_customer_tab("orders", customer_orders_tab)
        register_usage_check(catalogue_item_line_usage)
        labels_lines.register()
