from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    """A tenant's SIM stock and lines: orders, portability, line actions, the operator gateway."""

    name = "provisioning"
    verbose_name = _("Lines and SIM cards")

    def ready(self) -> None:
        import provisioning.gateway.files  # noqa: F401  (registers the "files" operator link)
        from core.registry import NavItem, register_nav, register_search
        from customers.hooks import (
            register_archive_blocker,
            register_balance_policy_handler,
            register_customer_search,
            register_customer_tab,
        )
        from offers.hooks import register_usage_check
        from provisioning import labels
        from provisioning.gateway import outcome_handler_register
        from provisioning.orders.services import line_action_outcome_applied
        from provisioning.search import customers_by_msisdn, search_lines, search_sims
        from provisioning.selectors import catalogue_item_line_usage, customer_archive_line_blockers
        from provisioning.services.lines import line_action_apply, lines_balance_policy_handler
        from provisioning.views import customer_lines_tab, customer_orders_tab

        register_nav(
            NavItem("lines", _("Lines"), "provisioning:line_list", order=20, capability="lines.view")
        )
        register_nav(
            NavItem("orders", _("Orders"), "provisioning:order_list", order=21, capability="lines.view")
        )
        register_nav(
            NavItem(
                "fixed_numbers",
                _("Fixed numbers"),
                "provisioning:fixed_list",
                order=22,
                capability="lines.view",
            )
        )
        register_nav(
            NavItem("sims", _("SIM stock"), "provisioning:sim_list", order=23, capability="lines.view")
        )
        register_search(search_lines)
        register_search(search_sims)
        register_customer_search(customers_by_msisdn)
        register_archive_blocker(customer_archive_line_blockers)
        register_balance_policy_handler(lines_balance_policy_handler)
        register_customer_tab("lines", customer_lines_tab)
        register_customer_tab("orders", customer_orders_tab)
        register_usage_check(catalogue_item_line_usage)
        labels.register()
        # Each outcome the operator gives (services.lines.line_action_outcome_record) is applied:
        # an order's activation or port-in by the orders, every other kind to its line.
        outcome_handler_register(line_action_outcome_applied)
        outcome_handler_register(line_action_apply)
