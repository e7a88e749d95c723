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
