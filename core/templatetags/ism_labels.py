"""Template filters that put stored codes into words (see `core.labels`)."""

from typing import Any

from django import template

from core import labels

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return labels.action_label(code or "")


@register.filter
def object_type_label(object_type: str) -> str:
    return labels.object_type_label(object_type or "")


@register.filter
def event_type_label(code: str) -> str:
    return labels.event_type_label(code or "")


@register.filter
def event_changes(event: Any) -> list[tuple[str, str]]:
    """`{% for label, value in e|event_changes %}`: an audit event's details in words."""
    return labels.change_items(getattr(event, "changes", None), getattr(event, "object_type", "") or "")
