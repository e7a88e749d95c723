from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports, dashboards and charts: reads every app, none reads it."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from cdr_import.hooks import after_cdrs_rerated_register, after_cdrs_stored_register
        from core.registry import NavItem, register_nav, register_settings_tab
        from customers.hooks import register_customer_tab
        from reports import labels, services
        from reports.views import customer_usage_tab

        labels.register()
        register_customer_tab("usage", customer_usage_tab)
        after_cdrs_stored_register(services.daily_usage_after_import)
        after_cdrs_rerated_register(services.daily_usage_after_rerating)
        register_nav(
            NavItem("reports", _("Reports"), "reports:cdr_report", order=60, capability="reports.view")
        )
        register_nav(
            NavItem("finance", _("Financial report"), "reports:finance", order=61, capability="reports.view")
        )
        register_nav(
            NavItem(
                "platform-dashboard",
                _("Dashboard"),
                "platform_dashboard",
                order=5,
                capability="platform.manage",
            ),
            public=True,
        )
        register_settings_tab(
            NavItem("reports", _("Reports"), "reports:settings", order=80, capability="settings.manage")
        )
