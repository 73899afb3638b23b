"""Settings shared by every environment.

Everything that differs between machines comes from the environment through
django-environ (``DJANGO_`` prefix for Django's own knobs). The defaults are the
embedded mode: SQLite and in-process Celery, so ``make run`` needs nothing
installed.
"""

from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from config.beat import BEAT_SCHEDULE, beat_schedule_compressed

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First: the project's templates (the admin's base_site with the alert banner) win.
    "config.apps.ProjectConfig",
    "audit.apps.AuditedAdminConfig",  # django.contrib.admin, with every admin page audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mptt",
    "django_guid",
    "health_check",
    "audit.apps.AuditConfig",
    "mall",
    "orders",
    "distribution",
    "promotions",
    "console",
    "crm",
]

MIDDLEWARE = [
    # First: every log line of the request, and every Celery task it queues, carries its id.
    "django_guid.middleware.guid_middleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # request latency (/metrics)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # common/ is a plain package, not an app: its shared admin page is found through DIRS.
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "common" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.alerts.open_alerts_context",
            ],
        },
    },
]

# Embedded default: SQLite. Set DATABASE_URL=postgres://... for PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server and the in-process Celery share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
# A streaming read replica (optional): figures-only pages read from it (common/db_routing.py);
# money decisions always use the primary. QUANZI_READ_REPLICA=false keeps every read on the primary.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    # Tests: the replica serves the primary's test database (physical replication copies it).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
QUANZI_READ_REPLICA = env.bool("QUANZI_READ_REPLICA", default=True)
DATABASE_ROUTERS = ["common.db_routing.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "mall.User"
LOGIN_URL = "mall:signin"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: zh-hans first, English works too. Stored in UTC, shown in Shanghai time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
CURRENCY = "CNY"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://quanzi")}

# --- Django REST framework / OpenAPI -------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Quanzi API",
    "DESCRIPTION": "圈子 social-mall API for the mini-program client.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The answers no view writes: 414 from gunicorn, 404 on a path parameter (common/api.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "common.api.schema_document_transport_errors"],
    # Several models have a `state` / `kind`: name each choice set once (orders API).
    "ENUM_NAME_OVERRIDES": {
        "OrderStateEnum": "orders.models.OrderState",
        "OrderEventKindEnum": "orders.models.OrderEvent.Kind",
        "AfterSaleKindEnum": "orders.models.AfterSaleKind",
        "AfterSaleStateEnum": "orders.models.AfterSaleState",
        "RefundStateEnum": "orders.models.RefundState",
        "ResellerApplicationStateEnum": "distribution.models.ApplicationState",
        "JoinModeEnum": "distribution.models.JoinMode",
        "CommissionStateEnum": "distribution.models.CommissionState",
        "WithdrawalStateEnum": "distribution.models.Withdrawal.State",
        "WithdrawalChannelEnum": "distribution.models.WithdrawalChannel",
        "LedgerEntryKindEnum": "distribution.models.LedgerEntry.Kind",
    },
}

# --- Celery --------------------------------------------------------------------
# Without a broker URL, tasks run in-process (task_always_eager): the embedded mode.
_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not _BROKER_URL
# Eager tasks never touch a broker; "memory://" keeps kombu from looking for one on localhost.
CELERY_BROKER_URL = _BROKER_URL or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
# In code: config/beat.py. QUANZI_BEAT_EVERY_SECONDS (tests only) runs every interval sweep
# that often, e.g. 1 for the two-beats test; production refuses it.
QUANZI_BEAT_EVERY_SECONDS = env.float("QUANZI_BEAT_EVERY_SECONDS", default=0) or None
CELERY_BEAT_SCHEDULE = beat_schedule_compressed(BEAT_SCHEDULE, every_seconds=QUANZI_BEAT_EVERY_SECONDS)
# The queues (config/celery.py routes tasks to them; the Procfile's workers consume them).
CELERY_TASK_DEFAULT_QUEUE = env("QUANZI_QUEUE_DEFAULT", default="default")
QUANZI_QUEUES = {"money": env("QUANZI_QUEUE_MONEY", default="money"),
                 "messages": env("QUANZI_QUEUE_MESSAGES", default="messages"),
                 "default": CELERY_TASK_DEFAULT_QUEUE}

# --- SMS verification codes ----------------------------------------------------
SMS_BACKEND = env("QUANZI_SMS_BACKEND", default="mall.sms.backends.ConsoleSMSBackend")
SMS_CODE_TTL = timedelta(minutes=env.int("QUANZI_SMS_CODE_TTL_MINUTES", default=5))
SMS_RESEND_INTERVAL = timedelta(seconds=60)
SMS_MAX_PER_PHONE_PER_DAY = 10
SMS_MAX_VERIFY_ATTEMPTS = 5

# --- Private-domain operations (crm app) -------------------------------------------
# WeChat subscribe messages: the sandbox (same request shape as the real API) unless set to
# "crm.channels.wechat.WeChatClient" with the mini-program's app id and secret.
CRM_WECHAT_CLIENT = env("CRM_WECHAT_CLIENT", default="crm.channels.wechat.SandboxWeChatClient")
CRM_WECHAT_APPID = env("CRM_WECHAT_APPID", default="")
CRM_WECHAT_SECRET = env("CRM_WECHAT_SECRET", default="")
# Optional: the promotions app's coupon_grant service (dotted path); see crm/integrations.py.
# Who gets the morning churn digest (crm/services/digest.py), like DJANGO_ADMINS:
# CRM_DIGEST_RECIPIENTS="Ops <ops@example.com>,ops2@example.com"; empty: the page only.
CRM_DIGEST_RECIPIENTS = env.list("CRM_DIGEST_RECIPIENTS", default=[])
CRM_COUPON_GRANT = env("CRM_COUPON_GRANT", default="promotions.services.issue.coupon_grant_for_message")

# --- Sign-in and SMS limits: every threshold in one place -----------------------
# How they work together: mall/services/signin_guard.py, README "Sign-in and rate limits".
# Failed password sign-ins count per (phone, client address) and per client address (an
# IPv6 client counts as its /64), in a fixed window. A success gives its attempt back.
SIGNIN_WINDOW = timedelta(minutes=15)
SIGNIN_FAILURES_PER_PHONE_ADDRESS = 5  # then this address may not try this phone (429)
SIGNIN_FAILURES_PER_ADDRESS = 30  # then this address may not try any phone (429)
# A phone with failed password sign-ins from this many distinct addresses within
# SIGNIN_ATTACK_WINDOW is under attack: password sign-in answers `signin_code_required`
# without checking the password, and the member signs in with an SMS code instead.
SIGNIN_ATTACK_ADDRESSES = 5
SIGNIN_ATTACK_WINDOW = timedelta(hours=1)
# SMS codes (any purpose) one client address may have sent per hour, whatever the phones:
# texting thousands of numbers costs real money (SMS pumping).
SMS_CODES_PER_ADDRESS_PER_HOUR = 20

# --- Logs: one request id from the request into the Celery tasks it queues --------------
# django-guid reads X-Request-ID (a UUID from the load balancer) or makes one, returns it
# on the response, and its Celery integration carries it into every task the request
# queues (a scheduled task gets a new one; ``celery_parent_id`` names the task that queued
# it). QUANZI_LOG_FORMAT=json (production's default) writes one JSON object per line.
from django_guid.integrations import CeleryIntegration  # noqa: E402

DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}
LOG_FORMAT = env("QUANZI_LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
        "task": {"()": "django_guid.integrations.celery.log_filters.CeleryTracing"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s"
                   " %(celery_parent_id)s %(celery_current_id)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger",
                              "correlation_id": "request_id"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                    "filters": ["request_id", "task"]},
        # Alerts (common/alerts.py): an email to ADMINS and the staff console's banner.
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR"},
        "alert_store": {"class": "config.alerts.AlertStoreHandler", "level": "ERROR"},
    },
    "root": {"handlers": ["console"], "level": env("QUANZI_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"},
                "django_guid": {"level": "WARNING"},
                # Also propagates to the root's console (and to test log capture).
                "quanzi.alerts": {"handlers": ["mail_admins", "alert_store"], "level": "ERROR"}},
}
# Who gets the alert emails: DJANGO_ADMINS="Ops <ops@example.com>,Finance <fin@example.com>";
# how mail leaves: EMAIL_URL (e.g. smtp+tls://user:pass@smtp.example.com:587; default: the log).
ADMINS = [parseaddr(address) for address in env.list("DJANGO_ADMINS", default=[])]
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))  # EMAIL_BACKEND, EMAIL_HOST, ...
SERVER_EMAIL = DEFAULT_FROM_EMAIL = env("DJANGO_SERVER_EMAIL", default="quanzi@localhost")

PLATFORM_NAME = _("Quanzi")
SIGNUP_REQUIRES_SMS_CODE = env.bool("QUANZI_SIGNUP_REQUIRES_SMS_CODE", default=True)
# Fernet keys for encrypted fields (newest first); empty → derived from SECRET_KEY.
QUANZI_FIELD_KEYS = env.list("QUANZI_FIELD_KEYS", default=[])

# --- Orders and payments (orders app) ---------------------------------------------
ORDERS_UNPAID_TIMEOUT = timedelta(minutes=env.int("ORDERS_UNPAID_TIMEOUT_MINUTES", default=30))
ORDERS_AUTO_RECEIVE_AFTER = timedelta(days=env.int("ORDERS_AUTO_RECEIVE_DAYS", default=10))
ORDERS_CART_MAX_QUANTITY = 99
# A pending payment with no notice this long after the cashier opened is asked about.
PAYMENT_QUERY_AFTER = timedelta(minutes=env.int("PAYMENT_QUERY_AFTER_MINUTES", default=2))
PAYMENT_NOTICE_MAX_AGE_SECONDS = 300
# Each provider's Gateway class: the order code asks orders.payments.registry by name and
# never imports a gateway (the sandbox is a stand-in third party; see orders/README.md).
PAYMENT_GATEWAYS = {"sandbox": "orders.payments.sandbox.gateway.SandboxGateway"}
PAYMENT_DEFAULT_PROVIDER = env("PAYMENT_DEFAULT_PROVIDER", default="sandbox")
# Where the provider posts its notices: the site's own public base URL.
PAYMENT_NOTIFY_BASE_URL = env("PAYMENT_NOTIFY_BASE_URL", default="http://127.0.0.1:8000")
# The sandbox gateway (behaves like WeChat Pay APIv3). Its key pair is written by
# `manage.py payment_sandbox_keys` (generated on first use when DEBUG or AUTOGENERATE).
PAYMENT_SANDBOX_KEY_DIR = env.path("PAYMENT_SANDBOX_KEY_DIR", default=BASE_DIR / "var" / "payment")
PAYMENT_SANDBOX_AUTOGENERATE_KEYS = env.bool("PAYMENT_SANDBOX_AUTOGENERATE_KEYS", default=False)
PAYMENT_SANDBOX_MCHID = env("PAYMENT_SANDBOX_MCHID", default="1900000109")
PAYMENT_SANDBOX_APPID = env("PAYMENT_SANDBOX_APPID", default="wxquanzisandbox01")
# 32-byte APIv3 key that encrypts the notice resource (AEAD_AES_256_GCM).
PAYMENT_SANDBOX_API_V3_KEY = env("PAYMENT_SANDBOX_API_V3_KEY", default="quanzi-sandbox-apiv3-key-32bytes")
# The site's copy of the platform (provider) public key; empty → the sandbox key dir's.
PAYMENT_SANDBOX_PLATFORM_PUBLIC_KEY_PATH = env("PAYMENT_SANDBOX_PLATFORM_PUBLIC_KEY_PATH", default="")
# How many reverse proxies we run in front of Django (0: trust REMOTE_ADDR only).
QUANZI_TRUSTED_PROXY_COUNT = env.int("QUANZI_TRUSTED_PROXY_COUNT", default=0)

# The referral tree's covering index INCLUDEs non-key columns on PostgreSQL; SQLite (the
# embedded mode) builds it without them, which is all models.W040 says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
