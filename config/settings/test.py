"""Test run: ``make test``. PostgreSQL when DATABASE_URL points at it, else SQLite."""

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, DATABASES, env

# One id per test run (tests/run_suite.py sets it): its own test database and its own
# cache key prefix, so two runs on one machine never drop or flush each other's data.
TEST_RUN_ID = env("QUANZI_TEST_RUN_ID", default="local")
DATABASES["default"].setdefault("TEST", {})["NAME"] = (
    None if DATABASES["default"]["ENGINE"].endswith("sqlite3") else f"test_quanzi_{TEST_RUN_ID}")
# The replica router tests switch it on (tests/test_replica.py); other tests read the primary.
QUANZI_READ_REPLICA = False
CACHES["default"]["KEY_PREFIX"] = f"quanzi-test-{TEST_RUN_ID}"

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run in-process, except in the real Celery processes some tests start
# (tests/celery_procs.py): a beat in eager mode would run its sweeps itself instead of sending them.
CELERY_TASK_ALWAYS_EAGER = env.bool("QUANZI_TEST_CELERY_EAGER", default=True)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://localhost/")  # a host: no kombu warning
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "test-artifacts" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
