"""Reads that may come from a read replica, and everything else from the primary.

With ``DATABASE_REPLICA_URL`` set, a code path that only shows figures (reports, exports,
team views, the staff tree browser) wraps its reads in ``replica_reads()`` (or decorates
its view with it) and they go to the ``replica`` database. Everything else reads and writes
the primary, and so does anything inside a transaction on the primary, even within
``replica_reads()``: every decision about money (checkout, payment, commission,
settlement, withdrawals) runs in a transaction, so a lagging replica can never feed one.

Without a replica (the embedded mode, a single host) nothing changes.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.template.response import TemplateResponse

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("quanzi_replica_reads", default=False)


def replica_enabled() -> bool:
    return REPLICA in settings.DATABASES and getattr(settings, "QUANZI_READ_REPLICA", True)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may be served by the replica (figures only, never decisions)."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def replica_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view (function) whose reads may come from the replica; its writes, and any
    transaction it opens, still go to the primary."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            response = view(*args, **kwargs)
            if isinstance(response, TemplateResponse) and not response.is_rendered:
                response.render()  # a TemplateResponse's lazy querysets run here, on the replica
            return response
    return wrapper


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads inside ``replica_reads()`` and outside any primary
    transaction go to the replica; every write, every migration and everything else to the
    primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _reading_replica.get() and replica_enabled() and not connections["default"].in_atomic_block:
            return REPLICA
        return None  # the primary

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two doors

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA  # the replica follows the primary's WAL; nothing migrates it
