from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CdrImportConfig(AppConfig):
    """Usage coming in: feed polling and deposits, imports and their status, parsers, the CDR store."""

    name = "cdr_import"
    verbose_name = _("Usage imports")

    def ready(self) -> None:
        from cdr_import import hooks, labels
        from core.registry import NavItem, register_nav, register_settings_tab

        labels.register()
        hooks.register_lower_handlers()
        register_nav(
            NavItem("deposit", _("File deposit"), "cdr_import:deposit", order=40, capability="imports.run")
        )
        register_nav(
            NavItem(
                "imports",
                _("Deposit tracking"),
                "cdr_import:import_list",
                order=41,
                capability="imports.view",
            )
        )
        register_nav(
            NavItem(
                "feed", _("Operator feed"), "cdr_import:feed_folders", order=42, capability="imports.view"
            )
        )
        register_settings_tab(
            NavItem(
                "feeds",
                _("Operator feed"),
                "cdr_import:feed_settings",
                order=70,
                capability="settings.manage",
            )
        )
