"""Health endpoints for a load balancer or an orchestrator.

- ``/healthz``: the process is alive and serving (no database, nothing else): restart the
  process when this fails.
- ``/readyz``: this process can serve real traffic: the database answers, the cache writes
  and reads back, the broker answers (when one is configured; the embedded mode runs
  Celery in-process) and every migration is applied. Send no traffic while it fails (503).

Both are JSON, never cached, and need no login (they reveal no data: check names and
"working" or a short error). The checks are django-health-check's, plus the migrations
check below (the library's 4.x has none).
"""

import asyncio
import dataclasses

from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration on disk is applied to the database (a deploy that forgot
    ``migrate`` must not take traffic)."""

    alias: str = "default"

    def run(self) -> None:
        connection = connections[self.alias]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        connection.close_if_unusable_or_obsolete()
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migrations not applied")


def _broker_client():
    from redis.asyncio import Redis as RedisClient

    return RedisClient.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)


class ReadyView(HealthCheckView):
    """``/readyz``: 200 when every check passes, else 503 with the failing checks."""

    def get_checks(self):
        yield Database()
        yield Cache()
        yield MigrationsApplied()
        if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
            yield Redis(client_factory=_broker_client)

    async def get(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        return self.render_to_response_json(503 if any(r.error for r in self.results) else 200)


def healthz(request: HttpRequest) -> JsonResponse:
    response = JsonResponse({"status": "ok"})
    add_never_cache_headers(response)
    return response
