from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    """A tenant's SIM stock and lines: orders, portability, line actions, the operator gateway."""

    name = "provisioning"
    verbose_name = _("Lines and SIM cards")

    def ready(self) -> None:
        from core.registry import NavItem, register_nav, register_search
        from provisioning.search import search_sims

        register_nav(
            NavItem("sims", _("SIM stock"), "provisioning:sim_list", order=22, capability="lines.view")
        )
        register_search(search_sims)

        from provisioning import labels
        from provisioning.gateway import outcome_handler_register
        from provisioning.orders.services import line_action_outcome_applied

        labels.register()
        outcome_handler_register(line_action_outcome_applied)
        register_nav(
            NavItem("orders", _("Orders"), "provisioning:order_list", order=21, capability="lines.view")
        )
