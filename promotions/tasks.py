"""Celery tasks of promotions. Each is safe to run twice or to die halfway."""

import logging

from celery import shared_task

from promotions.services.partner_reports import partners_reconcile
from promotions.services.returning import returning_customers_grant

logger = logging.getLogger(__name__)


@shared_task(name="promotions.tasks.grant_returning_customer_coupons")
def grant_returning_customer_coupons() -> int:
    return returning_customers_grant()


@shared_task(name="promotions.tasks.reconcile_partners")
def reconcile_partners() -> list[str]:
    """Nightly: the partner ledgers against budgets, funded coupons and verified vouchers.
    Problems are logged at ERROR (the alert) and returned."""
    report = partners_reconcile()
    for problem in report.problems:
        logger.error("partner reconciliation: %s", problem)
    return report.problems
