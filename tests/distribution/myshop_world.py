"""A reseller with a shop, and a catalogue, for the 我的小店 tests."""

from dataclasses import dataclass
from decimal import Decimal

from django.test import Client

from distribution.models import Member
from mall.models import SKU, Product, ProductImage, Shop
from mall.services.shops import shop_open
from tests.distribution.commission_world import make_world
from tests.mall.factories import CategoryFactory, SKUFactory, SupplierFactory


@dataclass
class ShopWorld:
    seller: Member
    shop: Shop
    other_shop: Shop
    buyer: Member


def shop_world() -> ShopWorld:
    world = make_world(tiers=2, rates=("0.10", "0.05", "0"))
    shop = shop_open(owner=world.seller.user, name="小雨的店")
    other = shop_open(owner=world.mid.user, name="阿杰的店")
    return ShopWorld(seller=world.seller, shop=shop, other_shop=other, buyer=world.buyer)


def catalogue(n: int, *, category=None, with_images: bool = False) -> list[Product]:
    """``n`` products on sale, with a price that grows and a cost that makes the margin vary,
    so sorting by commission is not sorting by price."""
    category = category or CategoryFactory()
    supplier = SupplierFactory()
    products = Product.objects.bulk_create([
        Product(supplier=supplier, category=category, title=f"商品{i:03d}", status=Product.Status.ON_SHELF,
                sales_count=i)
        for i in range(n)])
    SKU.objects.bulk_create([
        SKU(product=p, specs={"规格": "标准"}, spec_key=SKU.make_spec_key({"规格": "标准"}),
            price=Decimal(100 + i), cost_price=Decimal(100 + i) - Decimal(i % 7 * 5 + 1),
            stock=10)
        for i, p in enumerate(products)])
    if with_images:
        ProductImage.objects.bulk_create([ProductImage(product=p, image=f"products/p{p.pk}.jpg")
                                          for p in products])
    return products


def signed_in(client: Client, member: Member) -> Client:
    client.force_login(member.user)
    return client


def one_sku(price: str = "100.00", cost: str = "40.00") -> SKU:
    return SKUFactory(price=Decimal(price), cost_price=Decimal(cost))
