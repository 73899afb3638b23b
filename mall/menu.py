"""Entries other apps add to the "我的" page, the dot on its tab, and the counts (badges) other
apps show on mall's pages (registries, like ``hooks.py``).

``mall`` never imports the apps above it: an app registers a provider in its
``AppConfig.ready``; the page calls every provider with the request and shows the entries
they return (``None``: nothing for this visitor), in registration order. A dot provider
answers whether the member has something new behind "我的" (its label, for screen readers,
or ``None``); the tab bar of every page asks them once per request.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class MeMenuItem:
    key: str  # stable, for tests: data-testid="menu-<key>"
    label: str
    url: str
    icon: str = "chevron"
    badge: int = 0  # shown as a red count when > 0


Provider = Callable[[HttpRequest], MeMenuItem | None]
DotProvider = Callable[[HttpRequest], str | None]
_DOT_ATTR = "_quanzi_me_tab_dot"


class MeMenu:
    def __init__(self) -> None:
        self._providers: list[Provider] = []
        self._dots: list[DotProvider] = []

    def register(self, provider: Provider) -> None:
        if provider not in self._providers:
            self._providers.append(provider)

    def unregister(self, provider: Provider) -> None:
        self._providers.remove(provider)

    def items(self, request: HttpRequest) -> list[MeMenuItem]:
        return [item for provider in self._providers if (item := provider(request)) is not None]

    def register_dot(self, provider: DotProvider) -> None:
        if provider not in self._dots:
            self._dots.append(provider)

    def unregister_dot(self, provider: DotProvider) -> None:
        self._dots.remove(provider)

    def tab_dot(self, request: HttpRequest) -> str:
        """The first dot provider's label ("" for no dot), asked once per request."""
        if not hasattr(request, _DOT_ATTR):
            labels = (label for provider in self._dots if (label := provider(request)))
            setattr(request, _DOT_ATTR, next(labels, ""))
        return getattr(request, _DOT_ATTR)


me_menu = MeMenu()


BadgeProvider = Callable[[HttpRequest], Any]
_BADGE_ATTR = "_quanzi_badges"


class Badges:
    """Counts the apps above ``mall`` show on its pages, by name: ``"cart"`` (the units in the
    cart, on the tab bar and the product page) and ``"orders"`` (the order tabs' counts on
    我的), both from ``orders``. Each is asked at most once per request; a name nobody
    registered is 0."""

    def __init__(self) -> None:
        self._providers: dict[str, BadgeProvider] = {}

    def register(self, name: str, provider: BadgeProvider) -> None:
        self._providers[name] = provider

    def unregister(self, name: str) -> None:
        self._providers.pop(name, None)

    def get(self, request: HttpRequest, name: str) -> Any:
        asked = request.__dict__.setdefault(_BADGE_ATTR, {})
        if name not in asked:
            provider = self._providers.get(name)
            asked[name] = provider(request) if provider is not None else 0
        return asked[name]


badges = Badges()
