"""Entries other apps add to the "我的" page (a registry, like ``hooks.py``).

``mall`` never imports the apps above it: an app registers a provider in its
``AppConfig.ready``; the page calls every provider with the request and shows the entries
they return (``None``: nothing for this visitor), in registration order.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class MeMenuItem:
    key: str  # stable, for tests: data-testid="menu-<key>"
    label: str
    url: str
    icon: str = "chevron"
    badge: int = 0  # shown as a red count when > 0


Provider = Callable[[HttpRequest], MeMenuItem | None]


class MeMenu:
    def __init__(self) -> None:
        self._providers: list[Provider] = []

    def register(self, provider: Provider) -> None:
        if provider not in self._providers:
            self._providers.append(provider)

    def unregister(self, provider: Provider) -> None:
        self._providers.remove(provider)

    def items(self, request: HttpRequest) -> list[MeMenuItem]:
        return [item for provider in self._providers if (item := provider(request)) is not None]


me_menu = MeMenu()
