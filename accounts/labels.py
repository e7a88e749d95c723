"""Labels of the codes the accounts app stores (audit actions, detail keys); see `core.labels`."""

from django.utils.translation import pgettext_lazy

from core.labels import register_labels


def register() -> None:
    register_labels(
        actions={
            "user.activated": pgettext_lazy("audit", "Account activated"),
            "user.api_token_created": pgettext_lazy("audit", "API token created"),
            "user.api_token_revoked": pgettext_lazy("audit", "API token revoked"),
            "user.created": pgettext_lazy("audit", "User created"),
            "user.invited": pgettext_lazy("audit", "User invited"),
            "user.locked_out": pgettext_lazy("audit", "Account locked after failed log-ins"),
            "user.logged_in": pgettext_lazy("audit", "Logged in"),
            "user.logged_out": pgettext_lazy("audit", "Logged out"),
            "user.login_failed": pgettext_lazy("audit", "Failed log-in"),
            "user.password_reset": pgettext_lazy("audit", "Password reset"),
            "user.profile_changed": pgettext_lazy("audit", "Profile changed"),
            "user.role_changed": pgettext_lazy("audit", "Role changed"),
        },
        change_keys={
            "role": pgettext_lazy("audit", "role"),
            "email": pgettext_lazy("audit", "e-mail"),
            "ip_address": pgettext_lazy("audit", "IP address"),
            "from": pgettext_lazy("audit", "from"),
            "to": pgettext_lazy("audit", "to"),
            "status": pgettext_lazy("audit", "status"),
            "reason": pgettext_lazy("audit", "reason"),
            "error": pgettext_lazy("audit", "error"),
            "errors": pgettext_lazy("audit", "errors"),
            "ok": pgettext_lazy("audit", "succeeded"),
            "file": pgettext_lazy("audit", "file"),
            "name": pgettext_lazy("audit", "name"),
            "expires_at": pgettext_lazy("audit", "expires"),
            "count": pgettext_lazy("audit", "number"),
        },
    )
