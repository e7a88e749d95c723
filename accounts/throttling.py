"""Counters that slow down guessing on the log-in and password-recovery pages.

Each counter is a cache entry (Redis in production, local memory in tests) per schema, scope and
key (an address, a login): the first attempt opens a window of `seconds`, and past `limit`
attempts in it the page answers 429 until the window ends. Limits are in
`settings.ISM_AUTH_THROTTLES` as (attempts, seconds)."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from core.tenancy import current_schema


def _cache_key(scope: str, key: str) -> str:
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    return f"ism:throttle:{current_schema()}:{scope}:{digest}"


def throttle_hit(*, scope: str, key: str) -> bool:
    """Count one attempt of `key` under `scope`; True when it is beyond the scope's limit."""
    limit, seconds = settings.ISM_AUTH_THROTTLES[scope]
    cache_key = _cache_key(scope, key)
    if cache.add(cache_key, 1, timeout=seconds):
        return limit < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=seconds)
        count = 1
    return count > limit


def client_address(request: HttpRequest) -> str:
    """The address counters use: REMOTE_ADDR, as set by the proxy in front (as axes reads it)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
