from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CdrImportConfig(AppConfig):
    """Usage coming in: feed polling and deposits, imports and their status, parsers, the CDR store."""

    name = "cdr_import"
    verbose_name = _("Usage imports")

    def ready(self) -> None:
        from cdr_import import hooks, labels
        from cdr_import.usage import usage_after_import
        from core.registry import NavItem, register_nav, register_settings_tab

        labels.register()
        hooks.register_lower_handlers()
        hooks.after_cdrs_stored_register(usage_after_import)  # first: the apps above register later
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
        register_settings_tab(
            NavItem(
                "usage",
                _("Consumption alerts"),
                "cdr_import:usage_settings",
                order=71,
                capability="settings.manage",
            )
        )
        from cdr_import.operator_invoices import operator_invoice_import
        from cdr_import.operator_pdfs import operator_pdf_import

        hooks.feed_handler_register("operator_invoice", operator_invoice_import)
        hooks.feed_handler_register("operator_pdf", operator_pdf_import)
        from cdr_import.views_invoices import customer_costs_tab
        from customers.hooks import register_customer_tab

        register_customer_tab("costs", customer_costs_tab)
        register_nav(
            NavItem(
                "operator_invoices",
                _("Operator invoices"),
                "cdr_import:operator_invoice_list",
                order=43,
                capability="billing.view",
            )
        )
