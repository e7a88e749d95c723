from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CdrImportConfig(AppConfig):
    """Usage coming in: feed polling and deposits, imports and their status, parsers, the CDR store."""

    name = "cdr_import"
    verbose_name = _("Usage imports")

    def ready(self) -> None:
        from cdr_import import hooks, labels

        labels.register()
        hooks.register_lower_handlers()
        from cdr_import.operator_invoices import operator_invoice_import
        from cdr_import.operator_pdfs import operator_pdf_import

        hooks.feed_handler_register("operator_invoice", operator_invoice_import)
        hooks.feed_handler_register("operator_pdf", operator_pdf_import)
