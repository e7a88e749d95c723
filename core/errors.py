"""The one error type for business-rule violations a user must see, and its three mappings:
an API 400 (`exception_handler`), a form error (`call_service`) and a page message
(`ApplicationErrorMiddleware`)."""

from collections.abc import Callable
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
    detail (for example the list of rejected rows of an upload).
    """

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF: map `ApplicationError` and Django validation errors to a 400 with a readable body."""
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        body.update(exc.extra)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def call_service(form: forms.BaseForm, service: Callable[..., T], **kwargs: Any) -> T | None:
    """Forms: run `service(**kwargs)`; on a rule violation attach the message to the form and return None."""
    try:
        return service(**kwargs)
    except ApplicationError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return None


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
