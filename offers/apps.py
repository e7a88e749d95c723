from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    """A tenant's catalogue: offers, options, services, hardware, rate tables, allowances and the rating engine."""

    name = "offers"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from offers import labels

        labels.register()
        from core.registry import NavItem, register_nav, register_search
        from offers.search import search_catalogue

        register_nav(
            NavItem("catalogue", _("Catalogue"), "offers:home", order=30, capability="catalogue.view")
        )
        register_search(search_catalogue)
