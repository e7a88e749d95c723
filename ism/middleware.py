"""Middleware of the project."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class LanguageMiddleware:
    """French unless the person chose otherwise: their cookie, then their account's language.

    The browser's Accept-Language is deliberately not used: the users are French resellers and
    their staff expect French whatever machine they sit at.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        available = dict(settings.LANGUAGES)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in available:
            user = getattr(request, "user", None)
            language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language not in available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNullCharactersMiddleware:
    """A NUL character in a query or form value is refused with a 400.

    PostgreSQL text cannot hold it, so a search box or filter receiving one would otherwise end
    in a server error; Django's form fields refuse it, raw query filters would not.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        values = [*request.GET.keys(), *(v for vs in request.GET.lists() for v in vs[1])]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            values += [*request.POST.keys(), *(v for vs in request.POST.lists() for v in vs[1])]
        if any("\x00" in value for value in values):
            from django.http import HttpResponseBadRequest

            return HttpResponseBadRequest("Null characters are not allowed.")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Every response of every site carries `settings.ISM_CSP` (and nosniff, same-origin referrer).

    The policy allows no inline script or style: templates load `static/js/ism.js` and
    `static/css/ism.css`. It is the same on every page, the API docs included (Swagger UI, served
    from local files, needs no exception; ReDoc did — injected styles, a `blob:` worker, a CDN
    logo — and is not served).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        response = self.get_response(request)
        policy = settings.ISM_CSP
        if policy and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
