"""Every URL pattern of a URL conf, reversed with sample arguments, for the access tests."""

from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

# Sample values of the path arguments that are not object ids.
SAMPLE_ARGS: dict[str, str] = {
    "kind": "offers",  # catalogue kind; branding image kind and e-mail kind are set per name below
    "file_format": "csv",
    "uidb64": "MQ",
    "token": "set-password",
    "role": "billing",
}
SAMPLE_BY_NAME: dict[str, dict[str, str]] = {
    "tenant_settings:branding_image": {"kind": "logo"},
    "tenant_settings:email_edit": {"kind": "invoice"},
}


@dataclass(frozen=True)
class Route:
    name: str
    url: str
    view: str

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")

    def __str__(self) -> str:
        return self.name


def _params(pattern: Any) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def _walk(resolver: URLResolver, namespace: str, params: list[str]) -> list[tuple[str, list[str], Any]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _walk(entry, ns, params + _params(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((f"{namespace}{entry.name}", params + _params(entry.pattern), entry.callback))
    return found


def routes(urlconf: str, object_id: int) -> list[Route]:
    """One `Route` per pattern of `urlconf`; every id argument is `object_id`."""
    out = []
    for name, params, callback in _walk(get_resolver(urlconf), "", []):
        kwargs: dict[str, Any] = {}
        for param in params:
            sample = SAMPLE_BY_NAME.get(name, {}).get(param) or SAMPLE_ARGS.get(param)
            kwargs[param] = sample if sample is not None else object_id
        url = reverse(name, urlconf=urlconf, kwargs=kwargs)
        view = f"{callback.__module__}.{getattr(callback, '__name__', '')}"
        out.append(Route(name=name, url=url, view=view))
    return out
