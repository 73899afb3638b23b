"""Using a coupon at checkout, and giving it back when an unpaid order is cancelled.

Checkout (``orders``) asks through its hooks; these functions answer (``handlers.py``
registers them). ``coupon_reserve`` runs inside ``order_create``'s transaction: the coupon's
row lock makes two checkouts racing for one coupon take it once (the second waits, then
finds it used and gets ``CouponUsed``; its whole checkout rolls back).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import update_rows
from common.fields import money_sum
from common.money import ZERO, format_cny, unit_share_total
from mall.models import Category, Shop, User
from orders.discounts import DiscountLine, DiscountOption
from orders.models import Order, OrderItem
from promotions.calc import Scope, discount_for, eligible_lines
from promotions.errors import (
    CouponBelowThreshold,
    CouponExpired,
    CouponNotApplicable,
    CouponNotFound,
    CouponNotStarted,
    CouponUsed,
    PartnerBudgetExhausted,
)
from promotions.labels import rule_text
from promotions.lock_objects import coupon_lock_for_member, coupon_lock_for_order
from promotions.models import Coupon, CouponScope, CouponState, CouponTemplate, PartnerLedgerEntry
from promotions.services.partner_ledger import partner_budget_charge, partner_budget_credit

KEY_PREFIX = "coupon:"
_PROBLEMS = {"below_threshold": CouponBelowThreshold, "not_applicable": CouponNotApplicable}


def coupon_id_from_key(key: str) -> int | None:
    if not key.startswith(KEY_PREFIX) or not key[len(KEY_PREFIX) :].isdigit():
        return None
    return int(key[len(KEY_PREFIX) :])


def template_scope(template: CouponTemplate) -> Scope:
    if template.scope == CouponScope.CATEGORIES:
        chosen = template.categories.all()
        ids = Category.objects.get_queryset_descendants(chosen, include_self=True).values_list(
            "pk", flat=True
        )
        return Scope(kind=template.scope, category_ids=frozenset(ids))
    if template.scope == CouponScope.PRODUCTS:
        return Scope(
            kind=template.scope, product_ids=frozenset(template.products.values_list("pk", flat=True))
        )
    return Scope(kind=template.scope, shop_id=template.shop_id)


def coupon_title(coupon: Coupon) -> str:
    return f"{coupon.template.name} · {rule_text(coupon.template)}"


def _problem_text(coupon: Coupon, reason: str, eligible: list[DiscountLine]) -> str:
    if reason == "below_threshold":
        missing = coupon.template.threshold - sum((line.line_amount for line in eligible), ZERO)
        return _("Add %(missing)s more of eligible items to use it.") % {"missing": format_cny(missing)}
    return str(_PROBLEMS[reason]().message)


def _option(coupon: Coupon, lines: list[DiscountLine], shop: Shop, now: datetime) -> DiscountOption:
    eligible = eligible_lines(template_scope(coupon.template), lines, shop_id=shop.pk)
    amount, reason = discount_for(coupon.template, eligible)
    problem = ""
    if coupon.valid_from > now:
        problem, amount = str(CouponNotStarted().message), ZERO
    elif reason:
        problem = _problem_text(coupon, reason, eligible)
    elif (partner := coupon.template.partner) is not None and partner.budget_left < amount:
        problem, amount = str(PartnerBudgetExhausted().message), ZERO
    return DiscountOption(
        key=coupon.key,
        title=coupon_title(coupon),
        amount=amount,
        sku_ids=frozenset(line.sku_id for line in eligible),
        problem=problem,
        expires_at=coupon.valid_until,
    )


def coupon_options(*, user: User, lines: list[DiscountLine], shop: Shop) -> list[DiscountOption]:
    """Every unused, unexpired coupon of the member, with what it takes off these lines."""
    if not user.is_authenticated:
        return []
    now = timezone.now()
    coupons = (
        Coupon.objects.select_related("template__partner")
        .filter(user=user, state=CouponState.UNUSED, valid_until__gt=now)
        .order_by("valid_until", "pk")
    )
    return [_option(coupon, lines, shop, now) for coupon in coupons]


def _check_usable(coupon: Coupon | None, now: datetime) -> Coupon:
    if coupon is None:
        raise CouponNotFound()
    if coupon.state != CouponState.UNUSED:
        raise CouponUsed()
    if coupon.valid_until <= now:
        raise CouponExpired()
    if coupon.valid_from > now:
        raise CouponNotStarted()
    return coupon


def coupon_reserve(*, user: User, key: str, lines: list[DiscountLine], shop: Shop) -> DiscountOption | None:
    """Inside checkout's transaction: lock the member's coupon (held until commit), check it
    again and say what it takes off; ``coupon_attach_order`` marks it used with the order, in
    the same transaction. ``None`` for a key that is not a coupon's."""
    coupon_id = coupon_id_from_key(key)
    if coupon_id is None:
        return None
    now = timezone.now()
    coupon = _check_usable(coupon_lock_for_member(coupon_id=coupon_id, user_id=user.pk), now)
    eligible = eligible_lines(template_scope(coupon.template), lines, shop_id=shop.pk)
    amount, reason = discount_for(coupon.template, eligible)
    if reason:
        raise _PROBLEMS[reason]()
    return DiscountOption(
        key=coupon.key,
        title=coupon_title(coupon),
        amount=amount,
        sku_ids=frozenset(line.sku_id for line in eligible),
        expires_at=coupon.valid_until,
    )


def coupon_attach_order(*, order: Order) -> None:
    """In ``order_created``: mark the coupon locked by ``coupon_reserve`` (same transaction)
    used by this order. A partner-funded coupon also charges the partner's budget here, or
    the checkout fails with ``PartnerBudgetExhausted``."""
    coupon_id = coupon_id_from_key(order.discount_key)
    if coupon_id is None:
        return
    used = {
        "state": CouponState.USED,
        "used_at": timezone.now(),
        "order_id": order.pk,
        "discount_amount": order.discount_amount,
    }
    unused = {"id": coupon_id, "user_id": order.user_id, "state": CouponState.UNUSED, "order_id": None}
    # The common case, on the checkout's path: one guarded statement, built once.
    if update_rows(Coupon, where={**unused, "funded_by_id": None}, values=used):
        return
    reserved = Coupon.objects.filter(
        pk=coupon_id, user_id=order.user_id, state=CouponState.UNUSED, order__isnull=True
    )
    partner_id = reserved.values_list("funded_by_id", flat=True).first()
    if partner_id is None or reserved.update(**used) != 1:
        raise CouponUsed()  # the reserve's lock makes this impossible; never half-discount an order
    partner_budget_charge(
        partner_id=partner_id,
        amount=order.discount_amount,
        ref=f"order:{order.pk}",
        order_number=order.number,
    )


@transaction.atomic
def coupon_release_for_order(*, order: Order) -> Coupon | None:
    """An unpaid order was cancelled (in its transaction): its coupon is the member's again,
    exactly once. A refunded order never calls this: its coupon stays used."""
    if coupon_id_from_key(order.discount_key) is None:
        return None
    coupon = coupon_lock_for_order(order_id=order.pk)
    if coupon is None or coupon.state != CouponState.USED:
        return None
    if coupon.funded_by_id is not None:
        partner_budget_credit(
            partner_id=coupon.funded_by_id,
            amount=coupon.discount_amount,
            ref=f"cancel:{order.pk}",
            order_number=order.number,
        )
    Coupon.objects.filter(pk=coupon.pk).update(
        state=CouponState.UNUSED, order=None, used_at=None, discount_amount=ZERO
    )
    coupon.refresh_from_db()
    return coupon


def partner_credit_for_refund(*, order_item: OrderItem) -> PartnerLedgerEntry | None:
    """In ``item_refunded``: the partner that funded the order's coupon gets the refunded units'
    share of the item's discount back, if the refund comes before the item's after-sales window
    closed (after it, the funded discount stays charged). Exact: the credits of an item add up
    to ``unit_share_total`` of its discount over the units refunded so far."""
    if order_item.discount_amount <= 0 or order_item.window_closed_at is not None:
        return None
    order = order_item.order
    if coupon_id_from_key(order.discount_key) is None:
        return None
    partner_id = Coupon.objects.filter(order_id=order.pk).values_list("funded_by_id", flat=True).first()
    if partner_id is None:
        return None
    prefix = f"refund:{order_item.pk}:"
    credited = -PartnerLedgerEntry.objects.filter(partner_id=partner_id, ref__startswith=prefix).aggregate(
        total=money_sum("amount")
    )["total"]
    due = unit_share_total(order_item.discount_amount, order_item.quantity, order_item.refunded_quantity)
    return partner_budget_credit(
        partner_id=partner_id,
        amount=due - credited,
        ref=f"{prefix}{order_item.refunded_quantity}",
        order_number=order.number,
    )
