"""The one harness for concurrency tests: real threads, each with its own database connection.

PostgreSQL tests (``@pytest.mark.postgres`` and ``django_db(transaction=True)``) use it to
race services against each other:

- ``run_parallel(n, work)``: ``work(i)`` in ``n`` threads released together by a barrier;
  returns each result, or the exception it raised, in thread order.
- ``in_thread(work)``: one piece of work in the background, for "A waits for B" tests;
  ``Background.wait_until_blocked()`` reads the thread's backend in ``pg_stat_activity``
  (``wait_event_type = 'Lock'``) instead of sleeping and guessing.

Every thread opens its connection with ``connect_with_retry`` (other test runs on the same
server may briefly hold many connections) and closes it when done, so the test database
can be dropped at the end.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections
from django.db.utils import OperationalError

THREAD_TIMEOUT = 120  # seconds a thread may take before the test fails instead of hanging


def connect_with_retry(attempts: int = 20) -> None:
    """Open this thread's connection; other test runs may briefly hold many connections."""
    for attempt in range(attempts):
        try:
            connection.ensure_connection()
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)


def run_parallel(n: int, work: Callable[[int], Any], *, barrier_timeout: float = 60) -> list[Any]:
    """Run ``work(i)`` for i in 0..n-1 in ``n`` threads that start together (a barrier after
    each has connected). Returns each result, or the exception it raised, in order of i."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            connect_with_retry()
            barrier.wait(timeout=barrier_timeout)
            results[i] = work(i)
        except Exception as exc:  # the outcome under test: returned, not raised
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT)
    stuck = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"threads {stuck} still running after {THREAD_TIMEOUT} s"
    return results


@dataclass
class Background:
    """Work running in its own thread and connection (see ``in_thread``)."""

    thread: threading.Thread | None = None
    value: Any = None
    error: BaseException | None = None
    backend_pid: int | None = None
    _connected: threading.Event = field(default_factory=threading.Event)

    def result(self, timeout: float = THREAD_TIMEOUT) -> Any:
        """Wait for the work to finish; its return value, or re-raise its exception."""
        assert self.thread is not None
        self.thread.join(timeout=timeout)
        assert not self.thread.is_alive(), f"background work still running after {timeout} s"
        if self.error is not None:
            raise self.error
        return self.value

    def done(self) -> bool:
        return self.thread is not None and not self.thread.is_alive()

    def wait_until_blocked(self, timeout: float = 10) -> bool:
        """True once the thread's backend waits for a lock (PostgreSQL's own view of it);
        False if it finished or never waited within ``timeout`` seconds."""
        assert self._connected.wait(timeout), "background thread never connected"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.done():
            with connection.cursor() as cursor:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                               [self.backend_pid])
                row = cursor.fetchone()
            if row is not None and row[0] == "Lock":
                return True
            time.sleep(0.02)
        return False


def in_thread(work: Callable[[], Any]) -> Background:
    """Start ``work()`` in a thread with its own connection and return at once."""
    background = Background()

    def run() -> None:
        try:
            connect_with_retry()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    background.backend_pid = cursor.fetchone()[0]
            background._connected.set()
            background.value = work()
        except BaseException as exc:  # handed to the test by result()
            background.error = exc
        finally:
            background._connected.set()
            connections.close_all()

    background.thread = threading.Thread(target=run, daemon=True)
    background.thread.start()
    return background
