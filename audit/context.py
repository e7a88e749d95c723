"""Where an action came from, as the audit trail records it.

Views and API views build it from the request (`AuditContext.from_request`); services receive it
instead of the request, so they never depend on HTTP. Tasks, commands and seeders pass nothing:
the action is then recorded without an address.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuditContext:
    ip: str | None = None
    user_agent: str = ""
    path: str = ""

    @classmethod
    def from_request(cls, request: Any) -> "AuditContext":
        """The client's address (REMOTE_ADDR, as set by the trusted proxy), browser and path."""
        if request is None:
            return cls()
        meta = getattr(request, "META", {})
        return cls(
            ip=meta.get("REMOTE_ADDR") or None,
            user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:255],
            path=str(getattr(request, "path", ""))[:255],
        )


NO_CONTEXT = AuditContext()
