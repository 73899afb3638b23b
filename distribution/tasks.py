"""Periodic and queued work of the referral app. Each task is safe to run twice at once:
placement takes the tree's lock with a try-lock, and the check only reads."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from common.alerts import AlertKind, alert_raise
from distribution.referral.services.placement import (
    referral_tree_place_pending,
    referral_trees_place_all_pending,
)
from distribution.referral.services.settings import referral_settings_get
from distribution.referral.tree.check import check_forest

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def place_referral_tree(tree_id: int) -> int:
    """Queued (coalesced) by sign-ups: number the tree's pending members."""
    result = referral_tree_place_pending(tree_id=tree_id)
    return 0 if result is None else result.placed


@shared_task(ignore_result=True)
def place_pending_referral_trees() -> int:
    """Beat sweep: the freshness guarantee even if a queued placement was lost or skipped."""
    return referral_trees_place_all_pending().placed


@shared_task(ignore_result=True)
def check_referral_trees() -> bool:
    """Nightly: compare every tree with a rebuild and log the verdict."""
    bound = referral_settings_get().pending_alert_seconds
    report = check_forest(stale_before=timezone.now() - timedelta(seconds=bound))
    if report.ok:
        logger.info("referral tree check: %s", report.summary())
    else:
        alert_raise(kind=AlertKind.REFERRAL_TREE_CHECK, subject=f"referral tree check: {report.summary()}",
                    details="\n".join(report.details))
    return report.ok


@shared_task(ignore_result=True)
def settle_commissions() -> int:
    """Beat sweep: settle pending commission whose item window has closed. Safe to run twice
    at once or to be killed halfway (see ``commissions_settle_due``)."""
    from distribution.reseller.services.levels import commissions_settle_and_review_levels

    result = commissions_settle_and_review_levels()
    if result.records:
        logger.info("settled %s commission records, %s", result.records, result.amount)
    return result.records


@shared_task(ignore_result=True)
def reconcile_wallets() -> bool:
    """Nightly: cached balances against the ledger; settled records against credits."""
    from distribution.wallet.services.reconcile import wallets_reconcile

    report = wallets_reconcile()
    if report.ok:
        logger.info("wallet reconciliation: %s wallets, %s records, clean",
                    report.wallets_checked, report.records_checked)
    else:
        alert_raise(kind=AlertKind.WALLET_RECONCILIATION,
                    subject=f"wallet reconciliation found {len(report.problems)} problems",
                    details="\n".join(report.problems[:200]))
    return report.ok


@shared_task(ignore_result=True)
def refresh_team_rollups() -> int:
    """Beat sweep: the precomputed figures of the biggest teams, for the staff tree browser
    (one ordered pass per big tree; safe to run twice at once)."""
    from distribution.referral.services.team_rollups import team_rollups_refresh

    result = team_rollups_refresh()
    logger.info("team rollups: %s rows from %s members in %s trees", result.rows, result.members_scanned,
                result.trees)
    return result.rows


@shared_task(ignore_result=True)
def rollup_share_funnel(days: int = 2) -> int:
    """Beat: rebuild the share-funnel roll-up of today and yesterday (the funnel pages are
    fresh within its interval). Idempotent: a rerun, or a run after one killed halfway,
    gives the same rows; ``manage.py rollup_share_funnel --days 31`` rebuilds a month."""
    from distribution.funnel.rollup import funnel_rollup

    result = funnel_rollup(days=days)
    if result.skipped:
        logger.info("share funnel roll-up skipped: another run holds the lock")
    return result.rows


@shared_task(ignore_result=True)
def rollup_share_funnel_month() -> int:
    """Nightly: the whole 31-day window (late conversions of older days)."""
    return rollup_share_funnel(days=31)
