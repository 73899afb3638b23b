"""Queued and periodic work of the crm app. Every task is safe to run twice at once or to be
killed halfway: the dispatcher claims with SKIP LOCKED inside one transaction, deliveries
are claimed by conditional UPDATEs (``services/dispatch.py``, ``services/delivery.py``)."""

import time

from celery import shared_task

from crm.services.delivery import deliveries_reap, messages_deliver
from crm.services.dispatch import outbox_dispatch_batch

DISPATCH_BUDGET_SECONDS = 50  # the beat runs every 10 s; one run stops well before the next overlaps much


def outbox_drain(*, budget_seconds: float = DISPATCH_BUDGET_SECONDS, limit: int = 500,
                 max_batches: int | None = None) -> int:
    """Dispatch batches until the due queue is empty, the budget is spent or ``max_batches``
    batches are done; deliver each batch's external messages right after its commit.
    Returns the messages decided."""
    deadline = time.monotonic() + budget_seconds
    decided = batches = 0
    while time.monotonic() < deadline and (max_batches is None or batches < max_batches):
        batches += 1
        result = outbox_dispatch_batch(limit=limit)
        if result.to_deliver:
            messages_deliver(message_ids=result.to_deliver)
        decided += result.claimed
        if result.claimed < limit:
            break
    return decided


@shared_task(ignore_result=True)
def dispatch_outbox(max_batches: int | None = None) -> int:
    """The beat's run drains for up to 50 s. ``max_batches`` bounds one run instead, so a
    backlog can be fanned out as many small tasks over every worker process (a task that
    finds the queue empty returns at once; like any run, safe to run twice or at once)."""
    return outbox_drain(max_batches=max_batches)


@shared_task(ignore_result=True)
def reap_deliveries() -> dict[str, int]:
    return deliveries_reap()


@shared_task(ignore_result=True)
def compute_profiles() -> int:
    """Daily: every member's stage, RFM and KOC for today (an upsert; safe to run twice)."""
    from django.utils import timezone

    from crm.services.profiles import profiles_compute

    return profiles_compute(today=timezone.localdate())


@shared_task(ignore_result=True)
def compute_rule_tags() -> dict[str, int]:
    """Daily, after the profiles: every member's rule tags for today (adds what holds,
    removes what stopped holding, in committed id ranges: safe to run twice or to kill)."""
    from django.utils import timezone

    from crm.services.rule_tags import rule_tags_compute

    return rule_tags_compute(today=timezone.localdate())


@shared_task(ignore_result=True)
def run_sops() -> dict[str, int]:
    """Every 5 min: members leave / enter SOPs and due steps are queued (keyed per member,
    step and occasion in the outbox: safe to run twice)."""
    from crm.services.sops import sops_run

    return sops_run()


@shared_task(ignore_result=True)
def learn_repurchase_cycles() -> int:
    from django.utils import timezone

    from crm.services.repurchase import cycles_learn

    return cycles_learn(today=timezone.localdate())


@shared_task(ignore_result=True)
def send_repurchase_reminders() -> int:
    """Daily: reminders keyed per (product, last purchase date, member): safe to run twice."""
    from django.utils import timezone

    from crm.services.repurchase import repurchase_remind

    return repurchase_remind(today=timezone.localdate())


@shared_task(ignore_result=True)
def complete_customer_transfers() -> int:
    """Every 5 min: transfers whose 24 h refusal window has passed (idempotent)."""
    from crm.services.handover import customer_transfers_complete

    return customer_transfers_complete()


@shared_task(ignore_result=True)
def send_churn_digest() -> bool:
    """Each morning: yesterday's churn digest by e-mail, once per day."""
    from datetime import timedelta

    from django.utils import timezone

    from crm.services.digest import churn_digest_send

    return churn_digest_send(day=timezone.localdate() - timedelta(days=1))
