"""What promotions does when ``mall`` and ``orders`` call their hooks (registered in
``apps.py``). Each runs where its hook says (``mall/hooks.py``, ``orders/hooks.py``)."""

import logging
from typing import Any

from django.db import transaction

from common.errors import DomainError
from mall.models import Shop, User
from orders.discounts import DiscountLine, DiscountOption
from orders.models import Order, OrderItem
from promotions.models import CouponSource, CouponTemplate
from promotions.services.issue import coupon_grant
from promotions.services.redeem import (
    coupon_attach_order,
    coupon_options,
    coupon_release_for_order,
    coupon_reserve,
    partner_credit_for_refund,
)

logger = logging.getLogger(__name__)


def on_user_registered(*, user: User, **_: Any) -> None:
    """Inside the sign-up transaction: the new-member gift (新人礼), if staff set one.

    A gift that ran out (or was switched off) never refuses a sign-up: it is tried in a
    savepoint and skipped.
    """
    template = CouponTemplate.objects.filter(is_signup_gift=True, is_active=True).first()
    if template is None:
        return
    try:
        with transaction.atomic():
            coupon_grant(template=template, user=user, source=CouponSource.SIGNUP, key=f"signup:{user.pk}")
    except DomainError as exc:
        logger.info("no new-member gift for user %s: %s", user.pk, exc.code)


def discount_options(*, user: User, lines: list[DiscountLine], shop: Shop) -> list[DiscountOption]:
    return coupon_options(user=user, lines=lines, shop=shop)


def discount_reserve(*, user: User, key: str, lines: list[DiscountLine], shop: Shop) -> DiscountOption | None:
    return coupon_reserve(user=user, key=key, lines=lines, shop=shop)


def on_order_created(*, order: Order, **_: Any) -> None:
    if order.discount_key:
        coupon_attach_order(order=order)


def on_order_cancelled(*, order: Order) -> None:
    if order.discount_key:
        coupon_release_for_order(order=order)


def on_item_refunded(*, order_item: OrderItem, **_: Any) -> None:
    """Inside the refund's transaction: a partner-funded discount goes back to its budget."""
    partner_credit_for_refund(order_item=order_item)
