"""The Celery app. Configuration comes from Django settings (``CELERY_`` prefix)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Queues: money work (payments, refunds, commission settlement, wallet checks) has a
# worker of its own, so a flood of messages or a slow report never delays a payment;
# "messages" is for member messaging; everything else goes to the default queue
# (CELERY_TASK_DEFAULT_QUEUE). The names are settings (QUANZI_QUEUES), so a test or bench
# run can use queues of its own. `make prod` (Procfile) runs one worker on the money
# queue and one on the messages and default queues.
MONEY_TASKS = frozenset({
    "orders.tasks.cancel_expired_orders",  # closes the payment at the provider, releases stock
    "orders.tasks.reconcile_payments",
    "orders.tasks.reconcile_refunds",
    "orders.tasks.close_aftersale_windows",  # what makes commission settle-able
    "distribution.tasks.settle_commissions",
    "distribution.tasks.reconcile_wallets",
})
MESSAGE_TASK_PREFIXES = ("crm.",)


def route_task(name: str, args, kwargs, options, task=None, **kw) -> dict | None:
    """Celery router: the queue of a task, by its name; None → the default queue."""
    from django.conf import settings

    if name in MONEY_TASKS:
        return {"queue": settings.QUANZI_QUEUES["money"]}
    if name.startswith(MESSAGE_TASK_PREFIXES):
        return {"queue": settings.QUANZI_QUEUES["messages"]}
    return None


app = Celery("quanzi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # A task is acknowledged only after it ran, so a killed worker's task is redelivered;
    # every task is written to be safe to run twice.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=120,
    task_time_limit=180,
    timezone="Asia/Shanghai",
    enable_utc=True,
    broker_connection_retry_on_startup=True,
    task_routes=(route_task,),
)
app.autodiscover_tasks()
# Task modules outside an app's top level: the payment sandbox (a stand-in third party whose
# workers deliver its notices) is a sub-package of orders that orders.tasks never imports.
app.autodiscover_tasks(["orders.payments.sandbox"])
