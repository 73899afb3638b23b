"""Shared helpers for the benchmarks: an own PostgreSQL database, Django set up on it,
timing and printing.

Each run has its own id (``QUANZI_BENCH_RUN_ID``, set by ``bench/run.py`` or here, and
inherited by every process a benchmark starts): its databases are named
``<bench database>_<id>``, its cache keys are prefixed and its Celery messages go to a
queue of its own, so a smoke run in CI never drops or purges a developer's benchmark (or
test run) on the same servers.
"""

import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_REDIS = "redis://127.0.0.1:6379/7"  # the benchmarks' own Redis database
RUN_ID_ENV = "QUANZI_BENCH_RUN_ID"


def run_id() -> str:
    """This run's id; made once and put in the environment, so child processes share it."""
    return os.environ.setdefault(RUN_ID_ENV, f"{os.getpid()}_{secrets.token_hex(3)}")


def bench_db_name(base: str) -> str:
    """``base`` + this run's id: e.g. ``quanzi_bench_orders_4242_a1b2c3``."""
    return f"{base}_{run_id()}"


class BenchRefused(SystemExit):
    pass


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/quanzi")
    if not url.startswith(("postgres://", "postgresql://")):
        raise BenchRefused(
            f"The benchmarks measure PostgreSQL; DATABASE_URL is {url!r}. "
            "Set DATABASE_URL=postgres://USER@HOST:PORT/ANYDB (the benchmark creates its own database).")
    return url


def db_url(name: str) -> str:
    parts = urlsplit(server_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def setup_django(db_name: str, *, settings_module: str = "config.settings.local",
                 use_redis: bool = True) -> None:
    """Point Django at the benchmark database (also in spawned child processes, which
    inherit the environment set here) and set it up once per process."""
    os.environ["DATABASE_URL"] = db_url(db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG keeps every query in memory
    if use_redis and _redis_up():  # production-like: queued Celery tasks and a shared cache
        os.environ.setdefault("CELERY_BROKER_URL", DEFAULT_REDIS)
        os.environ.setdefault("CACHE_URL", DEFAULT_REDIS)
    import django
    from django.conf import settings

    if not settings.configured or not hasattr(django, "_bench_ready"):
        # This run's own cache keys and Celery queue (read lazily, so set before use).
        settings.CACHES["default"]["KEY_PREFIX"] = f"quanzi-bench-{run_id()}"
        settings.CELERY_TASK_DEFAULT_QUEUE = f"quanzi-bench-{run_id()}"
        django.setup()
        django._bench_ready = True
    from django.db import connection

    if connection.settings_dict["NAME"] != db_name:
        connection.close()
        connection.settings_dict["NAME"] = db_name


def redis_required(what: str) -> None:
    if not _redis_up():
        raise BenchRefused(f"{what} needs Redis on 127.0.0.1:6379 (the Celery broker).")


def bench_queue(name: str) -> str:
    """A Celery queue of this run's own: ``quanzi-bench-<run id>-<name>``."""
    return f"quanzi-bench-{run_id()}-{name}"


@dataclass
class Workers:
    """Started Celery worker processes, their names (``-n``) and log files."""

    logdir: Path
    procs: list[subprocess.Popen] = dataclass_field(default_factory=list)
    names: list[str] = dataclass_field(default_factory=list)
    logs: list[Path] = dataclass_field(default_factory=list)


@contextmanager
def celery_workers(*, queues: list[str], processes: int = 2, env: dict[str, str] | None = None,
                   ready_timeout: float = 180.0):
    """``processes`` real ``celery -A config worker --pool=solo`` processes (one process
    each: the solo pool runs tasks in the worker process itself) consuming ``queues`` of
    this run, over the broker and database of this process's environment plus ``env``.
    Waits until every one answers a ping; at the end a warm shutdown (SIGTERM: the task
    running is finished), SIGKILL after 60 s, or at once when the block raised. Each
    worker logs at INFO to a file (``Workers.logs``, in ``Workers.logdir``, left for the
    caller to read and remove): the tasks it ran and their results."""
    from config.celery import app

    root = Path(__file__).resolve().parent.parent
    logdir = Path(tempfile.mkdtemp(prefix=f"quanzi-bench-{run_id()}-"))
    env = {**os.environ, **(env or {})}
    workers = Workers(logdir=logdir, names=[f"w{i}-{run_id()}@bench" for i in range(1, processes + 1)],
                      logs=[logdir / f"worker{i}.log" for i in range(1, processes + 1)])
    for name, log in zip(workers.names, workers.logs, strict=True):
        with log.open("w") as out:
            workers.procs.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", name,
                 "-Q", ",".join(queues), "--without-gossip", "--without-mingle", "-l", "INFO"],
                cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT))
    failed = True
    try:
        _wait_ready(app, workers, ready_timeout)
        say(f"  {processes} Celery worker processes ready (--pool=solo, queues {', '.join(queues)};"
            f" logs in {logdir})")
        yield workers
        failed = False
    finally:
        _stop_workers(workers, kill=failed)


def _wait_ready(app, workers: Workers, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = set(workers.names)
    while waiting:
        dead = [str(log) for proc, log in zip(workers.procs, workers.logs, strict=True)
                if proc.poll() is not None]
        if dead:
            raise BenchBroken(f"a Celery worker exited while starting; see {', '.join(dead)}")
        if time.monotonic() > deadline:
            raise BenchBroken(f"Celery workers not ready after {timeout:.0f} s: {sorted(waiting)}")
        for reply in app.control.ping(destination=sorted(waiting), timeout=1.0):
            waiting -= set(reply)


def _stop_workers(workers: Workers, *, kill: bool) -> None:
    for proc in workers.procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    for proc in workers.procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def queues_delete(queues: list[str]) -> int:
    """Drop these broker queues of this run: the tasks left in them (e.g. spare ones a run
    no longer needs) and, on Redis, kombu's binding keys, so runs leave nothing behind.
    Returns the tasks dropped."""
    from config.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        dropped = sum(channel.queue_purge(queue) or 0 for queue in queues)
        client = getattr(channel, "client", None)  # the Redis transport's client
        if client is not None:
            client.delete(*(f"_kombu.{kind}.{queue}" for queue in queues
                            for kind in ("binding", "binding_permanent")))
        return dropped


def _admin_connection():
    import psycopg2

    parts = urlsplit(server_url())
    conn = psycopg2.connect(urlunsplit((parts.scheme, parts.netloc, "/postgres", "", "")))
    conn.autocommit = True
    return conn


def _drop(cursor, name: str) -> None:
    cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
                   " AND pid <> pg_backend_pid()", [name])
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextmanager
def bench_database(name: str, *, keep: bool = False, **django_options):
    """Create ``name`` (dropping a leftover), set Django up on it, migrate; drop at the end.
    ``django_options`` go to ``setup_django``."""
    conn = _admin_connection()
    with conn.cursor() as cursor:
        _drop(cursor, name)
        cursor.execute(f'CREATE DATABASE "{name}"')
    say(f"database {name}")
    try:
        setup_django(name, **django_options)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            with conn.cursor() as cursor:
                _drop(cursor, name)
        conn.close()


def ms(ns: float) -> float:
    return ns / 1e6


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values_ms: list[float]) -> str:
    return f"{statistics.median(values_ms):8.3f} / {percentile(values_ms, 95):8.3f}"


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def lap(self) -> float:
        now = time.perf_counter()
        elapsed, self.started = now - self.started, now
        return elapsed


def say(*parts: object) -> None:
    print(*parts, flush=True)
    sys.stdout.flush()


@contextmanager
def heartbeat(label: str, every: float = 10.0):
    """Print ``… label: N s`` every ``every`` seconds while the block runs, so a long step
    (a build, a sweep, a burst) shows that it is alive."""
    done = threading.Event()
    started = time.perf_counter()

    def beat() -> None:
        while not done.wait(every):
            say(f"  … {label}: {time.perf_counter() - started:.0f} s")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


class Progress:
    """``step()`` once per unit of work; prints ``label: i/total`` at most every
    ``every`` seconds (and at the end), so long loops show progress."""

    def __init__(self, label: str, total: int, every: float = 5.0) -> None:
        self.label, self.total, self.every = label, total, every
        self.done = 0
        self.last = time.perf_counter()

    def step(self, count: int = 1) -> None:
        self.done += count
        now = time.perf_counter()
        if self.done >= self.total or now - self.last >= self.every:
            self.last = now
            say(f"  {self.label}: {self.done:,}/{self.total:,}")


_WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def writes(statements) -> Counter:
    """(verb, table) of every INSERT/UPDATE/DELETE among SQL statements: what a piece of
    work writes, to check that a raw-SQL floor still does the same writes as the code."""
    found = Counter()
    for sql in statements:
        match = _WRITE.match(sql)
        if match:
            found[(match.group(1).upper(), match.group(2).lower())] += 1
    return found


class BenchBroken(AssertionError):
    """The benchmark no longer measures what it says (e.g. its floor lost a write)."""


def expect(condition: bool, message: str) -> None:
    """A benchmark's own check: fail the run (and a smoke run in CI) instead of printing a
    figure for work that did not happen."""
    if not condition:
        raise BenchBroken(message)


def prepared(model, attname: str, value: object) -> object:
    """``value`` as the column stores it (e.g. a Decimal yuan today, integer fen if the
    field's storage changes): raw-SQL floors bind money through this, never a literal."""
    from django.db import connection

    return model._meta.get_field(attname).get_db_prep_save(value, connection)


class Param(str):
    """A row value bound per execution from the named parameter: ``Param("item0")``."""


class InsertSQL:
    """``INSERT INTO <model's table> (every column) VALUES (…), … RETURNING id``, written
    once from the model, for a raw-SQL floor that must write the same rows as the code.

    ``rows`` gives each row's values by attname: usually a row the code wrote, read back
    (``sample_rows``), so the floor writes the very same content. Columns named in
    ``vary`` (all rows) or given as a ``Param`` (one row) are bound per execution from the
    named parameter (``{"order_id": "order"}`` → ``%(order)s``); every other column is
    prepared ONCE by its field, from the
    row or else the field's default. A column added later, or a change of a column's
    storage, therefore needs no change in the floor.
    """

    def __init__(self, model, rows: list[dict], *, vary: dict[str, str] | None = None,
                 returning: bool = True) -> None:
        from django.db import connection

        vary = vary or {}
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        known = {f.attname for f in fields}
        unknown = (set(vary) | {k for row in rows for k in row}) - known - {model._meta.pk.attname}
        expect(not unknown, f"{model.__name__} has no column(s) {sorted(unknown)}")
        quote = connection.ops.quote_name
        self.params: dict[str, object] = {}
        values = []
        for index, row in enumerate(rows):
            cells = []
            for field in fields:
                value = row[field.attname] if field.attname in row else field.get_default()
                if field.attname in vary or isinstance(value, Param):
                    cells.append(f"%({vary.get(field.attname, value)})s")
                    continue
                key = f"_{model._meta.model_name}_{index}_{field.attname}"
                self.params[key] = field.get_db_prep_save(value, connection)
                cells.append(f"%({key})s")
            values.append(f"({', '.join(cells)})")
        self.table = model._meta.db_table
        self.sql = (f"INSERT INTO {quote(self.table)} ({', '.join(quote(f.column) for f in fields)})"
                    f" VALUES {', '.join(values)}"
                    + (f" RETURNING {quote(model._meta.pk.column)}" if returning else ""))

    def execute(self, cursor, params: dict) -> None:
        cursor.execute(self.sql, {**self.params, **params})


def sample_rows(queryset) -> list[dict]:
    """Rows the code wrote, by attname (Python values), in primary-key order."""
    return list(queryset.order_by("pk").values())
