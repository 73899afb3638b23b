"""Production. Every secret comes from the environment; a missing one stops start-up."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, QUANZI_BEAT_EVERY_SECONDS, env

try:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
except ImproperlyConfigured as exc:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set in production (a long random string, "
        "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(64))'`)."
    ) from exc
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too short or is the development key.")

DEBUG = False
if QUANZI_BEAT_EVERY_SECONDS:
    raise ImproperlyConfigured("QUANZI_BEAT_EVERY_SECONDS compresses the beat schedule for tests; "
                               "unset it in production.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
if env("DATABASE_REPLICA_URL", default=""):  # see base.py and common/db_routing.py
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
CACHES = {"default": env.cache("CACHE_URL", default=env("REDIS_URL", default="redis://127.0.0.1:6379/1"))}
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
# One JSON object per log line (request id included), for a log shipper.
LOGGING["handlers"]["console"]["formatter"] = env("QUANZI_LOG_FORMAT", default="json")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Secure-only cookies: on, unless the site is served as plain HTTP on the loopback
# (`make prod` on a laptop sets DJANGO_SECURE_COOKIES=false; never behind a real host name).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
X_FRAME_OPTIONS = "DENY"
