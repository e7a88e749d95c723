"""The one error type for business-rule violations a user must see, and its three mappings:
an API 400 (`exception_handler`), a form error (`call_service`) and a page message
(`ApplicationErrorMiddleware`)."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

T = TypeVar("T")


class ApplicationError(Exception):
    """A rule the user broke, in words they understand.

    `field` names the form/API field at fault when there is one; `extra` carries structured
    detail (for example the list of rejected rows of an upload). One error may carry several
    broken rules (`ApplicationError.many`, or `Problems` collecting them): `field_errors` lists
    every (field, message), the first being `field` and `message`.
    """

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}
        self.field_errors: list[tuple[str | None, str]] = [(field, message)]

    @classmethod
    def many(cls, errors: Sequence["ApplicationError"]) -> "ApplicationError":
        """One error carrying every broken rule of `errors` (which must not be empty)."""
        if not errors:
            raise ValueError("ApplicationError.many needs at least one error")
        if len(errors) == 1:
            return errors[0]
        first = errors[0]
        combined = cls(first.message, field=first.field, extra=first.extra)
        combined.field_errors = [pair for error in errors for pair in error.field_errors]
        return combined

    def by_field(self) -> dict[str, list[str]]:
        """The messages grouped by field ("" for those of no field), for an API body."""
        grouped: dict[str, list[str]] = {}
        for field, message in self.field_errors:
            grouped.setdefault(field or "", []).append(message)
        return grouped


class Problems:
    """Collects broken rules so that a service reports them all at once, not one per submit.

    problems = Problems()
    with problems.check():
        values["siren"] = clean_siren(values["siren"])   # an ApplicationError is kept
    if not values.get("last_name"):
        problems.add(_("A consumer customer needs a last name."), field="last_name")
    problems.raise_if_any()                               # one ApplicationError with all
    """

    def __init__(self) -> None:
        self.errors: list[ApplicationError] = []

    def add(self, message: str, *, field: str | None = None) -> None:
        self.errors.append(ApplicationError(message, field=field))

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except ApplicationError as exc:
            self.errors.append(exc)

    def has(self, field: str) -> bool:
        """Whether a rule on `field` is already broken (to skip the checks that depend on it)."""
        return any(name == field for error in self.errors for name, _message in error.field_errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApplicationError.many(self.errors)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF: map `ApplicationError` and Django validation errors to a 400 with a readable body."""
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        if len(exc.field_errors) > 1:
            body["fields"] = exc.by_field()
        body.update(exc.extra)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def call_service(form: forms.BaseForm, service: Callable[..., T], **kwargs: Any) -> T | None:
    """Forms: run `service(**kwargs)`; on a rule violation attach every message to its field (or
    to the form) and return None. The form keeps what was typed."""
    try:
        return service(**kwargs)
    except ApplicationError as exc:
        form_add_errors(form, exc)
        return None


def form_add_errors(form: forms.BaseForm, exc: ApplicationError) -> None:
    """Attach each broken rule of `exc` to its field of `form`, the others to the whole form."""
    for field, message in exc.field_errors:
        name = field if field in form.fields else None
        if name is not None and message in form.errors.get(name, []):
            continue
        form.add_error(name, message)


class ApplicationErrorMiddleware:
    """Pages: an `ApplicationError` escaping a view becomes a message on the page it came from."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        referer = request.headers.get("Referer", "")
        if request.method == "POST" and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, exception.message)
            return HttpResponseRedirect(referer)
        return render(request, "400.html", {"message": exception.message}, status=400)
