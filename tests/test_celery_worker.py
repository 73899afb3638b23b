"""A real Celery worker over Redis runs a sweep (the production path, not eager mode)."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from orders.models import Order
from tests.celery_procs import BROKER, ROOT, celery_env, celery_start, celery_stop, require_redis
from tests.celery_procs import RUN_QUEUE as QUEUE
from tests.orders.conftest import _payment_settings, sandbox_key_dir  # noqa: F401
from tests.orders.factories import place_order


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_over_redis_runs_the_unpaid_order_sweep():
    require_redis()
    order = place_order()
    Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now() - timedelta(minutes=1))
    worker = celery_start(["worker", "--pool=solo", "--concurrency=1", "-Q", QUEUE, "--without-gossip",
                           "--without-mingle", "--without-heartbeat", "-l", "WARNING"], env=celery_env())
    try:
        with app.connection_for_write(BROKER) as conn:  # send_task always goes to the broker
            app.send_task("orders.tasks.cancel_expired_orders", connection=conn, queue=QUEUE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            order.refresh_from_db()
            if order.state == "cancelled":
                break
            time.sleep(0.5)
    finally:
        celery_stop(worker)

    assert order.state == "cancelled"


def test_every_task_a_service_schedules_by_name_is_registered_in_a_web_process():
    """Services schedule some tasks by name (e.g. placement after a sign-up); in a process
    that never imported the task module, the name would fall back to the broker and, in
    the embedded mode, never run. A fresh Django process must know them at once."""
    code = ("import django; django.setup(); from celery import current_app; "
            "import distribution.referral.services.placement as p; "
            "print(p.PLACE_TASK in current_app.tasks)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    assert out.stdout.strip() == "True", out.stderr
