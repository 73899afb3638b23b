"""A tiny explicit hook registry.

Lower apps (mall, orders) call named hooks; higher apps (distribution) register
handlers in ``AppConfig.ready``. Plain function calls, in registration order, so the
flow can be read and stepped through — not Django signals.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]


class HookRegistry:
    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = frozenset(names)
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def register(self, name: str, handler: Handler) -> None:
        if name not in self._names:
            raise KeyError(f"unknown hook {name!r}")
        if handler not in self._handlers[name]:
            self._handlers[name].append(handler)

    def unregister(self, name: str, handler: Handler) -> None:
        self._handlers[name].remove(handler)

    def call(self, name: str, **kwargs: Any) -> None:
        if name not in self._names:
            raise KeyError(f"unknown hook {name!r}")
        for handler in list(self._handlers[name]):
            handler(**kwargs)

    def ask(self, name: str, **kwargs: Any) -> list[Any]:
        """Call the handlers like ``call`` and return their answers, in registration order:
        for hooks through which a lower app asks a higher one a question (e.g. checkout
        asking which discounts a member may use)."""
        if name not in self._names:
            raise KeyError(f"unknown hook {name!r}")
        return [handler(**kwargs) for handler in list(self._handlers[name])]
