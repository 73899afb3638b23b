"""The Celery app. Configuration comes from Django settings (``CELERY_`` prefix)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

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
)
app.autodiscover_tasks()
# Task modules outside an app's top level: the payment sandbox (a stand-in third party whose
# workers deliver its notices) is a sub-package of orders that orders.tasks never imports.
app.autodiscover_tasks(["orders.payments.sandbox"])
