"""A reseller with a shop, and a visitor who arrives through their share link, signs up
on the real pages and buys (helpers of the share-funnel tests)."""

from decimal import Decimal

from django.test import Client
from django.urls import reverse

from distribution.funnel.rollup import funnel_rollup
from mall.models import User
from mall.sms import backends as sms_backends
from orders.models import Address
from tests.distribution.commission_world import World, make_world
from tests.mall.factories import ShopFactory, SKUFactory
from tests.orders.factories import pay, place_order

PASSWORD = "Quanzi-strong-9"


def reseller_world() -> World:
    world = make_world()
    ShopFactory(owner=world.seller.user, name="小雨的店")
    return world


def sign_up_through_session(client: Client, phone: str, invite_code: str) -> User:
    response = client.post(reverse("mall:signup_code"), {"phone": phone}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    code = sms_backends.outbox[-1].params["code"]
    response = client.post(reverse("mall:signup"), {"phone": phone, "code": code, "password": PASSWORD,
                                                    "invite_code": invite_code})
    assert response.status_code == 302, response.content
    return User.objects.get(phone=phone)


def buy(user: User, price: str = "100.00", quantity: int = 1):
    sku = SKUFactory(price=Decimal(price), cost_price=Decimal("40.00"), stock=50)
    address = Address.objects.filter(user=user).first()
    return pay(place_order(user=user, lines=[(sku, quantity)], address=address))


def rolled_up(days: int = 2) -> int:
    return funnel_rollup(days=days).rows
