from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users and their roles in every schema: log-in, password recovery, API tokens, the one permission check."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import labels

        labels.register()
        from accounts import receivers  # noqa: F401  (audit of log-ins)
        from accounts.search import search_users
        from core.registry import register_search

        register_search(search_users)
