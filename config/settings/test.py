"""Test run: ``make test``. PostgreSQL when DATABASE_URL points at it, else SQLite."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "test-artifacts" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
