"""Log-ins, log-outs and failed log-ins go to the audit trail."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.context import AuditContext
from audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="user.logged_in", obj=user, context=AuditContext.from_request(request))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(
            actor=user, action="user.logged_out", obj=user, context=AuditContext.from_request(request)
        )


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        action="user.login_failed",
        object_type="accounts.user",
        object_repr=username,
        context=AuditContext.from_request(request),
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    audit_record(
        actor=None,
        action="user.locked_out",
        object_type="accounts.user",
        object_repr=(username or "")[:150],
        changes={"ip_address": ip_address},
        context=AuditContext.from_request(request),
    )
