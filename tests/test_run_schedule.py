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
