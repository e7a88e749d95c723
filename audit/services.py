"""Writing the audit trail. Every feature records its actions through `audit_record`."""

from typing import Any, Protocol

from django.db import models

from audit.context import AuditContext
from audit.models import AuditEvent
from core.identifiers import mask_iban
from core.tenancy import in_public_schema

SYSTEM = "system"
# Values of these keys never reach the trail, whatever the caller passes.
_SECRET_MARKERS = ("password", "secret", "puk", "pin", "token", "private_key", "iban_full")
MASK = "***"


class Actor(Protocol):
    """Who did it, as the trail needs it: a user account (`accounts.User`), typed by what is read
    from it because audit sits below accounts and does not import the model. A platform admin
    (`is_platform_admin`) acting in a tenant's schema has no account there: the trail keeps their
    name only, as `platform:<login>`."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    def get_username(self) -> str: ...


def _mask_value(key: Any, value: Any) -> Any:
    name = str(key).lower()
    if any(marker in name for marker in _SECRET_MARKERS):
        return MASK
    if name.endswith("iban"):
        return _mask_ibans(value)
    return _mask(value)


def _mask_ibans(value: Any) -> Any:
    """IBANs keep their country and last digits: recognisable, not usable."""
    if isinstance(value, str):
        return mask_iban(value) if value else value
    if isinstance(value, list | tuple):
        return [_mask_ibans(item) for item in value]
    return _mask(value)


def _mask(details: Any) -> Any:
    if isinstance(details, dict):
        return {key: _mask_value(key, value) for key, value in details.items()}
    if isinstance(details, list | tuple):
        return [_mask(value) for value in details]
    if isinstance(details, str | int | float | bool) or details is None:
        return details
    return str(details)


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    context: AuditContext | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Record that `actor` (a user, or None for the platform itself: "system") did `action` to `obj`.

    `action` is `<object>.<verb>` (e.g. `customer.created`); `changes` holds the details, with
    secrets masked. `context` says where it came from (address, browser, path); a task or command
    passes none.
    """
    context = context or AuditContext()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if user is None:
        label = SYSTEM
    elif getattr(user, "is_platform_admin", False) and not in_public_schema():
        label, user = f"platform:{user.get_username()}", None
    else:
        label = user.get_username()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    return AuditEvent.objects.create(
        actor_id=user.pk if user is not None else None,
        actor_label=label[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        changes=_mask(changes or {}),
        ip_address=context.ip,
        user_agent=context.user_agent,
        path=context.path,
    )


def audit_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value differs, as `{field: [old, new]}` (JSON-safe)."""
    changed = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changed[key] = [_mask({key: old})[key], _mask({key: new})[key]]
    return {key: [_jsonable(v) for v in values] for key, values in changed.items()}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def audit_record_many(
    *,
    actor: Actor | None,
    action: str,
    objects: list[tuple[models.Model, dict[str, Any]]],
    context: AuditContext | None = None,
) -> int:
    """`audit_record` of the same `action` on each of `objects` ((object, changes) pairs), the events
    written in one insert: a set-based service (thousands of lines barred at once) keeps one event
    per object without one query each. Returns the number of events."""
    if not objects:
        return 0
    first = audit_record(
        actor=actor, action=action, obj=objects[0][0], changes=objects[0][1], context=context
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=first.at,
                actor_id=first.actor_id,
                actor_label=first.actor_label,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=str(obj)[:255],
                changes=_mask(changes or {}),
                ip_address=first.ip_address,
                user_agent=first.user_agent,
                path=first.path,
            )
            for obj, changes in objects[1:]
        ],
        batch_size=2000,
    )
    return len(objects)
