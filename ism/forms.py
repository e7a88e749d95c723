"""Form helpers: call a service and show its `ApplicationError` on the form."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms

from ism.exceptions import ApplicationError

T = TypeVar("T")


def call_service(form: forms.BaseForm, service: Callable[..., T], **kwargs: Any) -> T | None:
    """Run `service(**kwargs)`; on a rule violation attach the message to the form and return None."""
    try:
        return service(**kwargs)
    except ApplicationError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return None
