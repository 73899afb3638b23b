"""The Celery beat schedule, in code. Each app owns its section.

Every task here is a sweep that selects its work from the database and is safe to run
twice at once or to be killed halfway: the schedule only decides how soon work is
noticed, never whether it happens exactly once.
"""

from datetime import timedelta

from celery.schedules import crontab

MALL = {
    "mall-purge-expired-phone-codes": {
        "task": "mall.tasks.purge_expired_phone_codes",
        "schedule": crontab(minute=5, hour=4),
    },
}

ORDERS: dict = {}

DISTRIBUTION: dict = {}

BEAT_SCHEDULE = {**MALL, **ORDERS, **DISTRIBUTION}

__all__ = ["BEAT_SCHEDULE", "timedelta"]
