"""``/metrics``: Prometheus metrics of this installation, for the operators' scraper.

- request latency and counts by view and method (django-prometheus' middleware);
- the business counters of ``common.metrics`` (orders paid, commission records created
  and settled, ledger postings by kind, rejected payment notices);
- read at scrape time: the depth of each Celery queue (Redis list lengths) and the
  placement lag (members waiting to be numbered in the referral forest).

Protected: a request needs ``Authorization: Bearer <QUANZI_METRICS_TOKEN>`` or a signed-in
superuser; anyone else gets 404 (the endpoint does not advertise itself). With
``PROMETHEUS_MULTIPROC_DIR`` set (``make prod``), every gunicorn and Celery process writes
its counters there and this view adds them up.
"""

import hmac
import os

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily

from distribution.referral.selectors import placement_backlog


class LiveCollector:
    """Gauges read when scraped (not counted by any process)."""

    def collect(self):
        depth = GaugeMetricFamily("quanzi_queue_depth", "Tasks waiting in each Celery queue.",
                                  labels=["queue"])
        for queue, length in _queue_depths().items():
            depth.add_metric([queue], length)
        yield depth
        backlog = placement_backlog()
        yield GaugeMetricFamily("quanzi_placement_pending",
                                "Members waiting to be numbered in their tree.", value=backlog.pending)
        yield GaugeMetricFamily("quanzi_placement_lag_seconds",
                                "Seconds the oldest pending member has waited.", value=backlog.oldest_seconds)


def _queue_depths() -> dict[str, int]:
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://")):
        return {}  # the embedded mode runs tasks in-process: no queue
    import redis

    client = redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2)
    try:
        return {name: int(client.llen(name)) for name in sorted(set(settings.QUANZI_QUEUES.values()))}
    finally:
        client.close()


def _allowed(request: HttpRequest) -> bool:
    token = os.environ.get("QUANZI_METRICS_TOKEN", "")
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    return bool(request.user.is_authenticated and request.user.is_superuser)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = prometheus_client.REGISTRY
    live = CollectorRegistry()
    live.register(LiveCollector())
    body = prometheus_client.generate_latest(counted) + prometheus_client.generate_latest(live)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
