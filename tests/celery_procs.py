"""Real Celery processes (workers, beats) over Redis against this run's test database: the
production path, not eager mode. Used by tests/test_celery_worker.py and tests/test_two_beats.py."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/5"
# Queues of this run's own: a worker of another run on the same broker never takes its tasks.
RUN_QUEUE = f"quanzi-test-{os.environ.get('QUANZI_TEST_RUN_ID', 'local')}"


def require_redis() -> None:
    if not os.environ.get("QUANZI_TEST_REDIS_URL"):
        pytest.skip("Redis is not reachable: this test needs real Celery processes over Redis")


def celery_env(**extra: str) -> dict[str, str]:
    """The environment of a Celery process of this test: the test settings on the test
    database (not the database the test run was pointed at) and the test broker."""
    test_db = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "CELERY_BROKER_URL": BROKER,
            "DATABASE_URL": test_db, **extra}


def celery_start(args: list[str], *, env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    """``celery -A config <args>``; its output goes to ``log`` (or nowhere)."""
    out = log.open("w") if log else subprocess.DEVNULL  # the child process writes to it
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", *args], cwd=ROOT, env=env,
                            stdout=out, stderr=subprocess.STDOUT)


def celery_stop(*processes: subprocess.Popen) -> None:
    """Warm shutdown (a task in flight finishes), then a kill for one that hangs."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
