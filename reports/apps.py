from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports, dashboards and charts: reads every app, none reads it."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from cdr_import.hooks import after_cdrs_stored_register
        from core.labels import register_labels
        from core.registry import NavItem, register_nav
        from reports import services

        after_cdrs_stored_register(services.daily_usage_after_import)
        register_labels(
            actions={"daily_usage.rebuilt": pgettext_lazy("audit", "Daily usage figures rebuilt")}
        )
        register_nav(
            NavItem("reports", _("Reports"), "reports:cdr_report", order=60, capability="reports.view")
        )
