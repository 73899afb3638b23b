"""What the referral app does when ``mall`` and ``orders`` call their hooks.

Every handler runs INSIDE the transaction of the change that fired it (see
``mall/hooks.py`` and ``orders/hooks.py``), so its writes happen exactly once with that
change or not at all. Settlement is not a hook: ``commissions_settle_due`` sweeps the
database for items whose window has closed (see ``distribution/tasks.py``).
"""

from decimal import Decimal

from django.http import HttpRequest

from distribution.commission.services.records import (
    commission_create_for_order,
    commission_recompute_for_item,
    commission_snapshot_for_order,
)
from distribution.funnel.recording import share_landing_record, share_order_record, share_signin_record
from distribution.referral.services.members import member_create_for_user
from mall.models import User
from orders.models import Order, OrderItem, Payment


def on_user_registered(*, user: User, invite_code: str | None, source: str, ip: str = "") -> None:
    """A bad invite code, or one over the client's lookup limit, raises and refuses the
    whole sign-up."""
    member_create_for_user(user=user, invite_code=invite_code, source=source, ip=ip)


def on_order_created(*, order: Order, items: list[OrderItem]) -> None:
    commission_snapshot_for_order(order=order, items=items)


def on_order_paid(*, order: Order, payment: Payment) -> None:
    commission_create_for_order(order=order)
    share_order_record(order=order)  # after the records: it reads the link reseller's commission


def on_user_signed_in(*, request: HttpRequest, user: User) -> None:
    share_signin_record(request=request, user_id=user.pk)


def on_share_landed(*, request: HttpRequest, invite_code: str, src: str, product_id: int | None) -> None:
    share_landing_record(request=request, invite_code=invite_code, src=src, product_id=product_id)


def on_item_refunded(*, order_item: OrderItem, refund_amount: Decimal) -> None:
    commission_recompute_for_item(order_item=order_item, refund_amount=refund_amount)
