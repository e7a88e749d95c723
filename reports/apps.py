from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports, dashboards and charts: reads every app, none reads it."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from cdr_import.hooks import after_cdrs_rerated_register, after_cdrs_stored_register
        from core.registry import NavItem, register_nav, register_settings_tab
        from reports import labels, services

        labels.register()
        after_cdrs_stored_register(services.daily_usage_after_import)
        after_cdrs_rerated_register(services.daily_usage_after_rerating)
        register_nav(
            NavItem("reports", _("Reports"), "reports:cdr_report", order=60, capability="reports.view")
        )
        register_settings_tab(
            NavItem("reports", _("Reports"), "reports:settings", order=80, capability="settings.manage")
        )
