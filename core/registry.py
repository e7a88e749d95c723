"""What each app contributes to the shell: navigation entries and search providers.

Apps register in their `AppConfig.ready()`, so the shell (at the bottom of the import graph)
never imports the business apps.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # a lazy translation
    url_name: str
    order: int = 100
    capability: str | None = None  # the accounts capability needed to see it
    icon: str = ""


@dataclass(frozen=True)
class SearchHit:
    kind: Any
    label: str
    url: str
    detail: str = ""


@dataclass
class _Registry:
    tenant_nav: list[NavItem] = field(default_factory=list)
    public_nav: list[NavItem] = field(default_factory=list)
    settings_tabs: list[NavItem] = field(default_factory=list)  # tabs the apps add to the settings
    search_providers: list[Callable[[HttpRequest, str], Iterable[SearchHit]]] = field(default_factory=list)
    # name -> sender(context=..., to_email=...) -> bool (True: sent, False: use the default)
    mail_senders: dict[str, Callable[..., bool]] = field(default_factory=dict)


registry = _Registry()


def register_nav(item: NavItem, *, public: bool = False) -> None:
    items = registry.public_nav if public else registry.tenant_nav
    if all(existing.key != item.key for existing in items):
        items.append(item)
        items.sort(key=lambda i: i.order)


def register_settings_tab(item: NavItem) -> None:
    """A tab of the tenant's settings (“Paramètres”) that an app above `tenants` serves."""
    if all(existing.key != item.key for existing in registry.settings_tabs):
        registry.settings_tabs.append(item)
        registry.settings_tabs.sort(key=lambda i: i.order)


def register_search(provider: Callable[[HttpRequest, str], Iterable[SearchHit]]) -> None:
    if provider not in registry.search_providers:
        registry.search_providers.append(provider)


def register_mail_sender(name: str, sender: Callable[..., bool]) -> None:
    """Let an upper app send a mail of the lower apps its own way (the tenant's templates)."""
    registry.mail_senders[name] = sender
