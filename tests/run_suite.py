"""Pick the database for ``make test`` and run pytest.

- CI (``CI=true``): PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379 are
  required; if either is unreachable, the run fails.
- Elsewhere: PostgreSQL if reachable, else SQLite — and then it says, loudly, that
  the PostgreSQL-only tests (concurrency, invariants) were skipped.
- ``QUANZI_TEST_DB=sqlite`` forces SQLite, the embedded database of ``make run`` (with
  its local-memory cache and in-process Celery, as there), even in CI and with
  PostgreSQL up: ``make test-sqlite-money`` runs the money tests on it (invariant I8:
  exact on every supported database). ``QUANZI_TEST_DB=postgres`` requires PostgreSQL.

Each run gets its own id (``QUANZI_TEST_RUN_ID``): the test database is
``test_quanzi_<id>``, every cache key is prefixed with it, and the real-worker Celery
test uses queues named after it, so two runs on one machine never touch each other's
data (two developers, or CI beside a developer).
"""

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/quanzi"
REDIS_URL = "redis://127.0.0.1:6379"
REPLICA_PORT = 5433
BANNER = "=" * 78


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.5):
            return True
    except OSError:
        return False


def pg_works(url: str) -> bool:
    try:
        import psycopg2

        base = url.rsplit("/", 1)[0]
        psycopg2.connect(f"{base}/postgres", connect_timeout=3).close()
    except Exception:  # any failure means "not usable"
        return False
    return True


def run_sqlite(env: dict[str, str]) -> int:
    """The embedded mode, forced: SQLite, local-memory cache, in-process Celery."""
    # Set, not only unset: a DATABASE_URL or CACHE_URL in .env must not win here.
    env["DATABASE_URL"] = f"sqlite:///{ROOT / 'db.sqlite3'}"  # the test database is in memory
    env["CACHE_URL"] = "locmemcache://quanzi-test"
    for name in ("CELERY_BROKER_URL", "QUANZI_TEST_REDIS_URL"):
        env.pop(name, None)
    print(f"{BANNER}\nrunning on SQLite (QUANZI_TEST_DB=sqlite): the embedded database of `make run`,\n"
          f"in memory, with the local-memory cache; PostgreSQL is not used.\n{BANNER}", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env)


def main() -> int:
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    env.setdefault("QUANZI_TEST_RUN_ID", f"{os.getpid()}_{secrets.token_hex(3)}")
    forced = env.get("QUANZI_TEST_DB", "").strip().lower()
    if forced not in ("", "auto", "sqlite", "postgres"):
        print(f"QUANZI_TEST_DB={forced!r}: expected sqlite, postgres or auto")
        return 2
    if forced == "sqlite":
        return run_sqlite(env)
    ci = ci or forced == "postgres"  # PostgreSQL and Redis required, as in CI
    db_url = env.get("DATABASE_URL") or PG_URL
    on_pg = db_url.startswith("postgres") and pg_works(db_url)
    redis_ok = reachable("127.0.0.1", 6379)
    if ci and not (on_pg and redis_ok):
        print(f"{BANNER}\nCI=true (or QUANZI_TEST_DB=postgres) but PostgreSQL ({db_url}) or Redis"
              f" ({REDIS_URL}) is unreachable.\n{BANNER}")
        return 2
    if on_pg:
        env["DATABASE_URL"] = db_url
        print(f"{BANNER}\nmake test: running on PostgreSQL ({db_url}), "
              f"test database test_quanzi_{env['QUANZI_TEST_RUN_ID']}\n{BANNER}")
    else:
        env.pop("DATABASE_URL", None)
        print(f"{BANNER}\nWARNING: PostgreSQL is not reachable: running on SQLite.\n"
              "PostgreSQL-only tests (concurrency, advisory locks, invariants I1-I7 under load)\n"
              f"will be SKIPPED. Start PostgreSQL and run `make test` again for the full suite.\n{BANNER}")
    if on_pg and reachable("127.0.0.1", REPLICA_PORT):  # .ci/replica.sh: a streaming replica
        env.setdefault("DATABASE_REPLICA_URL", db_url.replace(":5432/", f":{REPLICA_PORT}/"))
    elif on_pg:
        print(f"{BANNER}\nNo streaming replica on 127.0.0.1:{REPLICA_PORT}: the replica router tests"
              f" will be\nSKIPPED (.ci/replica.sh starts one; CI does).\n{BANNER}")
    if redis_ok:
        env.setdefault("CACHE_URL", f"{REDIS_URL}/1")
        env.setdefault("QUANZI_TEST_REDIS_URL", f"{REDIS_URL}/2")
    args = [sys.executable, "-m", "pytest", *sys.argv[1:]]
    sys.stdout.flush()  # the banner before pytest's output, also in a CI log
    return subprocess.call(args, env=env)


if __name__ == "__main__":
    sys.exit(main())
