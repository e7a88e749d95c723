from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    """A tenant's SIM stock and lines: orders, portability, line actions, the operator gateway."""

    name = "provisioning"
    verbose_name = _("Lines and SIM cards")

    def ready(self) -> None:
        import provisioning.gateway_files  # noqa: F401  (registers the "files" operator link)
        from core.registry import NavItem, register_nav, register_search
        from provisioning import labels
        from provisioning.search import search_sims

        register_nav(
            NavItem("sims", _("SIM stock"), "provisioning:sim_list", order=22, capability="lines.view")
        )
        register_search(search_sims)
        labels.register()
