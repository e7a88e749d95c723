"""Plain-language labels for the codes the platform stores: audit actions (`customer.created`),
object types (model labels, `accounts.user`), the keys and values of an event's details, and
CDR event types (`VOICE_MO`). No stored code reaches a screen as it is.

Each app registers the labels of its codes from its `AppConfig.ready()` (core imports no app);
templates use the filters of `core.templatetags.ism_labels`. Object types and detail keys fall
back on the model's own verbose names and choices.
"""

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

_actions: dict[str, Any] = {}
_object_types: dict[str, Any] = {}
_change_keys: dict[str, Any] = {}
_change_values: dict[tuple[str, str], Any] = {}
_event_types: dict[str, Any] = {}


def register_labels(
    *,
    actions: Mapping[str, Any] | None = None,
    object_types: Mapping[str, Any] | None = None,
    change_keys: Mapping[str, Any] | None = None,
    change_values: Mapping[tuple[str, str], Any] | None = None,
    event_types: Mapping[str, Any] | None = None,
) -> None:
    """Add labels (lazy translations) for codes; an app calls it from its `AppConfig.ready()`."""
    _actions.update(actions or {})
    _object_types.update(object_types or {})
    _change_keys.update(change_keys or {})
    _change_values.update(change_values or {})
    _event_types.update(event_types or {})


def action_codes() -> set[str]:
    return set(_actions)


def _words(code: str) -> str:
    return capfirst(code.replace("_", " ").replace(".", " · ").strip())


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def action_label(code: str) -> str:
    """“Customer created” for `customer.created`; an unknown code in words, never as it is."""
    if code in _actions:
        return str(_actions[code])
    return _words(code)


def object_type_label(object_type: str) -> str:
    """“Utilisateur” for `accounts.user`: the registered label, else the model's verbose name."""
    if not object_type:
        return ""
    if object_type in _object_types:
        return capfirst(str(_object_types[object_type]))
    model = _model(object_type)
    if model is not None:
        return capfirst(str(model._meta.verbose_name))
    return _words(object_type.rpartition(".")[2])


def event_type_codes() -> list[str]:
    """Every CDR event type with a label (the operator's codes)."""
    return list(_event_types)


def event_type_label(code: str) -> str:
    """“Appels sortants” for `VOICE_MO`."""
    return str(_event_types[code]) if code in _event_types else code


def change_key_label(key: str, object_type: str = "") -> str:
    if key in _change_keys:
        return capfirst(str(_change_keys[key]))
    model = _model(object_type) if object_type else None
    if model is not None:
        try:
            field = model._meta.get_field(key)
        except FieldDoesNotExist:
            field = None
        # a reverse relation (an order's `lines`) has no verbose name: the key's words then
        if getattr(field, "verbose_name", None):
            return capfirst(str(field.verbose_name))  # type: ignore[union-attr]
    return _words(key)


def change_value_label(key: str, value: Any, object_type: str = "") -> str:
    """A detail's value as words: choices by their label, yes/no, lists joined, old → new."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        if len(value) == 2 and not isinstance(value[0], list | dict):
            return f"{change_value_label(key, value[0], object_type)} → {change_value_label(key, value[1], object_type)}"
        return ", ".join(change_value_label(key, item, object_type) for item in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{change_key_label(str(k), object_type)} : {change_value_label(str(k), v, object_type)}"
            for k, v in value.items()
        )
    text = str(value)
    if (key, text) in _change_values:
        return str(_change_values[(key, text)])
    model = _model(object_type) if object_type else None
    if model is not None:
        try:
            choices = dict(model._meta.get_field(key).flatchoices)  # type: ignore[union-attr]
        except (FieldDoesNotExist, AttributeError):
            choices = {}
        if text in choices:
            return str(choices[text])
    if text in _event_types:
        return event_type_label(text)
    return text


def change_items(changes: Any, object_type: str = "") -> list[tuple[str, str]]:
    """An event's details as (label, value) pairs in words."""
    if not isinstance(changes, dict):
        return []
    return [
        (change_key_label(str(key), object_type), change_value_label(str(key), value, object_type))
        for key, value in changes.items()
    ]
