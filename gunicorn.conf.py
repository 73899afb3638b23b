"""gunicorn, as ``make prod`` (the Procfile) runs it: ``gunicorn -c gunicorn.conf.py``.

Every knob can be set from the environment, so one file serves a laptop and a host.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("QUANZI_BIND", "127.0.0.1:8000")
# Workers are processes (one Python each); each serves a few requests at once on threads,
# which suits a Django app that waits on PostgreSQL and Redis more than it computes.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request that runs this long is killed and its worker replaced (the client gets a 502,
# the transaction rolls back: every money change is one transaction).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# SIGTERM / SIGHUP: finish the requests in flight for this long, then stop (graceful restart).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then (bounded memory growth); the jitter keeps them from
# restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Access log on stdout, one JSON object per line, with the request id that django-guid
# returns in X-Request-ID (the same id as the request's application logs and tasks).
accesslog = "-"
access_log_format = (
    '{"logger": "gunicorn.access", "time": "%(t)s", "remote": "%(h)s", "method": "%(m)s",'
    ' "path": "%(U)s", "query": "%(q)s", "status": %(s)s, "bytes": "%(B)s",'
    ' "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s", "agent": "%(a)s"}'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "quanzi-web"
