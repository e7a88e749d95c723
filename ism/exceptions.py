"""The one error type for business-rule violations a user must see."""

from typing import Any


class ApplicationError(Exception):
    """A rule the user broke, in words they understand.

    `field` names the form/API field at fault when there is one; `extra` carries structured
    detail (for example the list of rejected rows of an upload).
    """

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}
