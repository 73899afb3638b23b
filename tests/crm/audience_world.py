"""Hand-built orders for the profile and pack tests (only what the crm reads)."""

from datetime import timedelta
from decimal import Decimal

from orders.models import Order, OrderItem, OrderState

_counter = iter(range(10**8))


def paid_order(user, shop, amount: str, paid_at, *, state=OrderState.COMPLETED) -> Order:
    total = Decimal(amount)
    return Order.objects.create(
        number=f"QT{next(_counter):08d}", user=user, shop=shop, state=state, subtotal=total, shipping_fee=0,
        total_amount=total, receiver="张三", receiver_phone="13900000000", province="浙江省", city="杭州市",
        district="西湖区", address_detail="文三路 1 号", payment_deadline=paid_at + timedelta(minutes=30),
        paid_at=paid_at)


def paid_purchase(user, shop, sku, paid_at, *, state=OrderState.COMPLETED) -> Order:
    """A paid order of one unit of ``sku`` (a purchase of its product)."""
    order = paid_order(user, shop, "30.00", paid_at, state=state)
    OrderItem.objects.create(order=order, sku=sku, product=sku.product, product_title=sku.product.title,
                             unit_price=Decimal("30.00"), cost_price=Decimal("10.00"), quantity=1,
                             line_amount=Decimal("30.00"), paid_amount=Decimal("30.00"))
    return order
