from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail of every schema: who did what, when, from where, to which object."""

    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from core.registry import NavItem, register_nav

        register_nav(
            NavItem("audit", _("Audit trail"), "audit:event_list", order=900, capability="audit.view")
        )
