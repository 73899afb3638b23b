from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.models import Order
from tests.orders.conftest import _payment_settings, sandbox_key_dir  # noqa: F401
from tests.orders.factories import place_order


@pytest.mark.django_db
def test_run_schedule_once_runs_the_sweeps_in_process(capsys):
    order = place_order()
    Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now() - timedelta(minutes=1))

    call_command("run_schedule", "--once")

    order.refresh_from_db()
    assert order.state == "cancelled"
    assert "periodic tasks (once)" in capsys.readouterr().out


def test_every_beat_task_is_registered_with_the_worker_app():
    """The beat schedule names tasks by their dotted path; a worker (and run_schedule) must know
    each one, the payment sandbox's too, whose module no app's tasks.py imports."""
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "orders.payments.sandbox.tasks.redeliver_notices" in scheduled
    assert scheduled - set(app.tasks) == set()
    assert {"orders.payments.sandbox.tasks.deliver_trade_notice",
            "orders.payments.sandbox.tasks.deliver_refund_notice"} <= set(app.tasks)
