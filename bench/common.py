"""Shared helpers for the benchmarks: an own PostgreSQL database, Django set up on it,
timing and printing."""

import os
import socket
import statistics
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

DEFAULT_REDIS = "redis://127.0.0.1:6379/7"  # the benchmarks' own Redis database


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


def setup_django(db_name: str) -> None:
    """Point Django at the benchmark database (also in spawned child processes, which
    inherit the environment set here) and set it up once per process."""
    os.environ["DATABASE_URL"] = db_url(db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG keeps every query in memory
    if _redis_up():  # production-like: queued Celery tasks and a shared cache
        os.environ.setdefault("CELERY_BROKER_URL", DEFAULT_REDIS)
        os.environ.setdefault("CACHE_URL", DEFAULT_REDIS)
    import django
    from django.conf import settings

    if not settings.configured or not hasattr(django, "_bench_ready"):
        django.setup()
        django._bench_ready = True
    from django.db import connection

    if connection.settings_dict["NAME"] != db_name:
        connection.close()
        connection.settings_dict["NAME"] = db_name


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
def bench_database(name: str, *, keep: bool = False):
    """Create ``name`` (dropping a leftover), set Django up on it, migrate; drop at the end."""
    conn = _admin_connection()
    with conn.cursor() as cursor:
        _drop(cursor, name)
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        setup_django(name)
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
