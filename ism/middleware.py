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


class CspNonce:
    """A nonce made on first use: a page that needs one (ReDoc's injected styles) renders
    `{{ request.csp_nonce }}`, and only then does the policy carry it."""

    def __init__(self) -> None:
        self.value = ""

    def __str__(self) -> str:
        if not self.value:
            import secrets

            self.value = secrets.token_urlsafe(18)
        return self.value


class ContentSecurityPolicyMiddleware:
    """Every response of every site carries `settings.ISM_CSP` (and nosniff, same-origin referrer).

    The policy allows no inline script or style: templates load `static/js/ism.js` and
    `static/css/ism.css`. A response whose page used `request.csp_nonce` may also apply
    `<style nonce>` elements (style-src only; scripts are always files).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        nonce = CspNonce()
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        policy = csp_with_nonce(settings.ISM_CSP, nonce.value) if nonce.value else settings.ISM_CSP
        if policy and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def csp_with_nonce(policy: str, nonce: str) -> str:
    """The policy with `'nonce-…'` added to its style-src (made from default-src if absent)."""
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    names = [directive.split()[0].lower() for directive in directives]
    if "style-src" not in names:
        fallback = next(
            (d for d in directives if d.split()[0].lower() == "default-src"), "default-src 'self'"
        )
        directives.append("style-src" + fallback[len("default-src") :])
        names.append("style-src")
    index = names.index("style-src")
    directives[index] = f"{directives[index]} 'nonce-{nonce}'"
    return "; ".join(directives)
