"""Celery tasks of promotions. Each is safe to run twice or to die halfway."""

from celery import shared_task

from promotions.services.returning import returning_customers_grant


@shared_task(name="promotions.tasks.grant_returning_customer_coupons")
def grant_returning_customer_coupons() -> int:
    return returning_customers_grant()
