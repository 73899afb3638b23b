"""Factories and helpers that build orders through the real services."""

from decimal import Decimal

import factory
from django.http import HttpResponse
from django.test import Client

from mall.models import SKU, User
from orders.models import Address, Order, OrderItem, Refund, ReturnAddress
from orders.payments.sandbox import notices, provider
from orders.payments.sandbox.models import SandboxRefund, SandboxTrade
from orders.services.checkout import CheckoutLine, order_create
from orders.services.payment import payment_notice_handle, payment_start
from tests.mall.factories import SKUFactory, UserFactory


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    receiver = "王小明"
    phone = "13800138000"
    province = "浙江省"
    city = "杭州市"
    district = "西湖区"
    detail = "文三路 100 号"
    is_default = True


class ReturnAddressFactory(factory.django.DjangoModelFactory):
    """The platform default unless given a supplier."""

    class Meta:
        model = ReturnAddress

    supplier = None
    is_platform_default = factory.LazyAttribute(lambda o: o.supplier is None)
    receiver = "圈子退货仓"
    phone = "0571-88886666"
    province = "浙江省"
    city = "杭州市"
    district = "余杭区"
    detail = "仓前街道 1 号 3 号库"
    note = ""


def place_order(
    *, user: User | None = None, lines: list[tuple[SKU, int]] | None = None, address: Address | None = None
) -> Order:
    user = user or UserFactory()
    address = address or AddressFactory(user=user)
    lines = lines or [(SKUFactory(price=Decimal("10.00"), stock=10), 1)]
    return order_create(
        user=user, address=address, lines=[CheckoutLine(sku_id=sku.pk, quantity=q) for sku, q in lines]
    )


def set_discount(order: Order, item: OrderItem, discount: Decimal) -> None:
    """Give one item a discount (checkout has no promotions yet), keeping every sum exact."""
    OrderItem.objects.filter(pk=item.pk).update(
        discount_amount=discount, paid_amount=item.line_amount - discount
    )
    Order.objects.filter(pk=order.pk).update(
        discount_amount=order.discount_amount + discount, total_amount=order.total_amount - discount
    )
    order.refresh_from_db()


def open_and_pay_at_cashier(order: Order) -> SandboxTrade:
    """The shopper opens the cashier and pays; returns the provider's trade (no notice yet)."""
    start = payment_start(order=order, return_url="/")
    token = start.cashier_url.rstrip("/").rsplit("/", 1)[-1]
    return provider.cashier_pay(token=token)


def deliver_trade_notice(trade: SandboxTrade) -> None:
    headers, body = notices.trade_notice_build(trade)
    payment_notice_handle(provider="sandbox", headers=headers, body=body)


def pay(order: Order) -> Order:
    """Pay ``order`` through the sandbox: cashier, then the signed notice."""
    deliver_trade_notice(open_and_pay_at_cashier(order))
    order.refresh_from_db()
    return order


NOTIFY_URL = "/pay/notify/sandbox/"


def post_refund_notice(client: Client, refund: Refund) -> HttpResponse:
    """The sandbox provider's signed notice for ``refund``, POSTed to the real notify endpoint
    (what its delivery task does over HTTP); returns the endpoint's response."""
    provider_refund = SandboxRefund.objects.select_related("trade").get(out_refund_no=refund.refund_no)
    headers, body = notices.refund_notice_build(provider_refund)
    return client.post(
        NOTIFY_URL,
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


__all__ = [
    "AddressFactory",
    "ReturnAddressFactory",
    "pay",
    "place_order",
    "post_refund_notice",
    "set_discount",
]
