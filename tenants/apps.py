from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    """The tenants and their domains (public schema): platform onboarding, and each tenant's own settings."""

    name = "tenants"
    verbose_name = _("Tenants")

    def ready(self) -> None:
        from tenants import labels

        labels.register()
        from core.registry import NavItem, register_mail_sender, register_nav
        from tenants.settings.mail import password_reset_send

        register_mail_sender("password_reset", password_reset_send)

        register_nav(NavItem("tenants", _("Tenants"), "platform:tenant_list", order=10), public=True)
        register_nav(
            NavItem(
                "platform-audit", _("Audit trail"), "audit:event_list", order=90, capability="audit.view"
            ),
            public=True,
        )
        register_nav(
            NavItem("settings", _("Settings"), "tenant_settings:home", order=95, capability="settings.manage")
        )
