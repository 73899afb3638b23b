"""Row locks for the mall app. Every ``select_for_update`` goes through here."""

from mall.models import SKU, Shop, ShopProduct


def sku_lock_stock(*, sku_id: int) -> int | None:
    """Lock a SKU row until the transaction ends and return its stock (None if gone)."""
    return (SKU.objects.select_for_update(of=("self",)).filter(pk=sku_id).order_by("pk")
            .values_list("stock", flat=True).first())


def shop_listings_lock(*, shop: Shop) -> list[ShopProduct]:
    """Lock every listing of a shop (in pk order, like every lock; callers sort them)."""
    return list(shop.listings.select_for_update(of=("self",)).order_by("pk"))
