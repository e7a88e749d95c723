from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CdrImportConfig(AppConfig):
    name = "cdr_import"
    verbose_name = _("Usage imports")
