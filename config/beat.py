"""The Celery beat schedule, in code. Each app owns its section.

Every task here is a sweep that selects its work from the database and is safe to run
twice at once or to be killed halfway: the schedule only decides how soon work is
noticed, never whether it happens exactly once.
"""

import math
from datetime import datetime, timedelta

from celery.schedules import crontab, schedstate, schedule

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
    # Team figures of teams >= 5,000 members for the staff tree browser (models/rollup.py:
    # rows older than 15 minutes are not used, so a missed run only makes pages slower).
    # One pass over each big tree: ~5 s at 1M members on 2 busy cores.
    "distribution-refresh-team-rollups": {
        "task": "distribution.tasks.refresh_team_rollups",
        "schedule": timedelta(minutes=5),
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
    # The share funnel pages read this roll-up: fresh within 5 minutes (today and yesterday).
    "distribution-rollup-share-funnel": {
        "task": "distribution.tasks.rollup_share_funnel",
        "schedule": timedelta(minutes=5),
    },
    # Once a night the whole 30-day window, so late conversions of older days are counted.
    "distribution-rollup-share-funnel-month": {
        "task": "distribution.tasks.rollup_share_funnel_month",
        "schedule": crontab(minute=15, hour=4),
    },
}

CONSOLE: dict = {
    # The dashboard's and the reports' daily tables: today (fresh within this interval) and
    # yesterday; older days are rewritten by ``manage.py console_backfill``.
    "console-rollup-recent-days": {
        "task": "console.tasks.rollup_recent_days",
        "schedule": timedelta(minutes=10),
    },
}

CRM: dict = {
    # The outbox: each run drains due messages for up to 50 s (any number may overlap:
    # claims are SKIP LOCKED), so a queued message waits at most ~10 s for its decision.
    "crm-dispatch-outbox": {"task": "crm.tasks.dispatch_outbox", "schedule": timedelta(seconds=10)},
    "crm-reap-deliveries": {"task": "crm.tasks.reap_deliveries", "schedule": timedelta(minutes=5)},
    "crm-compute-profiles": {"task": "crm.tasks.compute_profiles", "schedule": crontab(minute=15, hour=2)},
    # Rule tags after the profiles (~3-4 min at 10^6 members; the two do not depend on each
    # other's rows, the order only keeps the night's heavy work apart).
    "crm-compute-rule-tags": {"task": "crm.tasks.compute_rule_tags", "schedule": crontab(minute=30, hour=2)},
    # SOPs: a due step is queued within 5 min (catch-up 24 h; keyed per member, step, occasion).
    "crm-run-sops": {"task": "crm.tasks.run_sops", "schedule": timedelta(minutes=5)},
    "crm-learn-repurchase-cycles": {"task": "crm.tasks.learn_repurchase_cycles",
                                    "schedule": crontab(minute=40, hour=2)},
    # Reminders are queued for 10:00 Shanghai of the day they are computed for.
    "crm-send-repurchase-reminders": {"task": "crm.tasks.send_repurchase_reminders",
                                      "schedule": crontab(minute=0, hour=3)},
    # Handover: pending transfers complete 24 h after they were made (idempotent sweep).
    "crm-complete-customer-transfers": {"task": "crm.tasks.complete_customer_transfers",
                                        "schedule": timedelta(minutes=5)},
    # The churn digest of yesterday's stage changes, once per day (a claimed row per day).
    "crm-send-churn-digest": {"task": "crm.tasks.send_churn_digest", "schedule": crontab(minute=0, hour=8)},
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

BEAT_SCHEDULE = {**MALL, **ORDERS, **DISTRIBUTION, **PROMOTIONS, **CONSOLE, **CRM}


class _Aligned(schedule):
    """Due at every multiple of ``run_every`` since the epoch (wall clock), not ``run_every``
    after the last run: two beats with it send the same task at the same instant, the worst
    case for the sweeps' idempotency (plain intervals keep the beats' start-up offset)."""

    def is_due(self, last_run_at: datetime) -> schedstate:
        every = self.run_every.total_seconds()
        now = self.now().timestamp()
        due_at = (math.floor(self.maybe_make_aware(last_run_at).timestamp() / every) + 1) * every
        if now >= due_at:
            return schedstate(is_due=True, next=(math.floor(now / every) + 1) * every - now)
        return schedstate(is_due=False, next=due_at - now)


def beat_schedule_compressed(schedule: dict, *, every_seconds: float | None) -> dict:
    """The schedule with every interval entry due each ``every_seconds``, on the same wall-clock
    instants for every beat (the crontab entries keep their time of day); ``None`` leaves it
    as it is.

    For tests only (``QUANZI_BEAT_EVERY_SECONDS``, read by the settings; production refuses
    it): tests/test_two_beats.py runs two beats at one second to show a second beat doubles
    nothing.
    """
    if not every_seconds:
        return schedule
    return {name: {**entry, "schedule": _Aligned(timedelta(seconds=every_seconds))}
            if isinstance(entry["schedule"], timedelta) else entry
            for name, entry in schedule.items()}


__all__ = ["BEAT_SCHEDULE", "beat_schedule_compressed", "timedelta"]
