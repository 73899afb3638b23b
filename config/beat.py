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

ORDERS: dict = {
    "orders-cancel-expired": {"task": "orders.tasks.cancel_expired_orders",
                              "schedule": timedelta(minutes=1)},
    "orders-reconcile-payments": {"task": "orders.tasks.reconcile_payments",
                                  "schedule": timedelta(minutes=1)},
    "orders-reconcile-refunds": {"task": "orders.tasks.reconcile_refunds",
                                 "schedule": timedelta(minutes=5)},
    "orders-auto-receive": {"task": "orders.tasks.auto_receive_orders",
                            "schedule": timedelta(minutes=30)},
    "orders-close-aftersale-windows": {"task": "orders.tasks.close_aftersale_windows",
                                       "schedule": timedelta(minutes=30)},
    # The sandbox provider (a stand-in third party) re-sends notices nobody acknowledged
    # (WeChat's back-off); its tasks are discovered by config/celery.py.
    "orders-sandbox-redeliver-notices": {"task": "orders.payments.sandbox.tasks.redeliver_notices",
                                         "schedule": timedelta(seconds=15)},
}

DISTRIBUTION: dict = {
    # The freshness bound of team figures: sign-ups also queue their own (coalesced)
    # placement; this sweep catches whatever was skipped or lost. See distribution/tree.
    "distribution-place-pending-referral-trees": {
        "task": "distribution.tasks.place_pending_referral_trees",
        "schedule": timedelta(seconds=10),
    },
    "distribution-settle-commissions": {
        "task": "distribution.tasks.settle_commissions",
        "schedule": timedelta(minutes=1),
    },
    "distribution-reconcile-wallets": {
        "task": "distribution.tasks.reconcile_wallets",
        "schedule": crontab(minute=45, hour=3),
    },
    "distribution-check-referral-trees": {
        "task": "distribution.tasks.check_referral_trees",
        "schedule": crontab(minute=30, hour=3),
    },
}

PROMOTIONS: dict = {
    # 老客专享: idempotent per member and day (promotions/services/returning.py).
    "promotions-grant-returning-customer-coupons": {
        "task": "promotions.tasks.grant_returning_customer_coupons",
        "schedule": crontab(minute=15, hour=9),
    },
    "promotions-reconcile-partners": {
        "task": "promotions.tasks.reconcile_partners",
        "schedule": crontab(minute=50, hour=3),
    },
}

BEAT_SCHEDULE = {**MALL, **ORDERS, **DISTRIBUTION, **PROMOTIONS}

__all__ = ["BEAT_SCHEDULE", "timedelta"]
