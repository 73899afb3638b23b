from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from mall.errors import ProductNotFound, ShopExists
from mall.lock_objects import shop_listings_lock
from mall.models import Product, Shop, ShopProduct, User


def platform_shop_get() -> Shop:
    """The platform's own shop: serves visitors who came through nobody."""
    shop = Shop.objects.filter(is_platform=True).first()
    if shop is None:
        try:
            # Stored once, so in the site's language, not in that of whoever came first.
            with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                shop = Shop.objects.create(is_platform=True, name=_("Quanzi official store"),
                                           intro=_("Curated by the platform"))
        except IntegrityError:  # created concurrently
            shop = Shop.objects.get(is_platform=True)
    return shop


@transaction.atomic
def shop_open(*, owner: User, name: str, intro: str = "") -> Shop:
    if Shop.objects.filter(owner=owner).exists():
        raise ShopExists()
    return Shop.objects.create(owner=owner, name=name.strip()[:40] or owner.display_name,
                               intro=intro.strip()[:200])


def shop_update(*, shop: Shop, name: str | None = None, intro: str | None = None) -> Shop:
    fields = ["updated_at"]
    if name is not None and name.strip():
        shop.name = name.strip()[:40]
        fields.append("name")
    if intro is not None:
        shop.intro = intro.strip()[:200]
        fields.append("intro")
    shop.save(update_fields=fields)
    return shop


@transaction.atomic
def shop_list_product(*, shop: Shop, product_id: int) -> ShopProduct:
    """Add a platform product to a shop, at the end of its list. Listing twice is a no-op."""
    product = Product.objects.filter(pk=product_id, status=Product.Status.ON_SHELF).first()
    if product is None:
        raise ProductNotFound()
    existing = ShopProduct.objects.filter(shop=shop, product=product).first()
    if existing:
        return existing
    last = shop.listings.aggregate(m=Max("sort_order"))["m"]
    return ShopProduct.objects.create(shop=shop, product=product,
                                      sort_order=0 if last is None else last + 1)


def shop_unlist_product(*, shop: Shop, product_id: int) -> None:
    ShopProduct.objects.filter(shop=shop, product_id=product_id).delete()


@transaction.atomic
def shop_reorder_products(*, shop: Shop, product_ids: list[int]) -> None:
    """Put the named products first, in the given order; the others keep their order after."""
    listings = shop_listings_lock(shop=shop)
    rank = {pid: i for i, pid in enumerate(product_ids)}
    listings.sort(key=lambda sp: (rank.get(sp.product_id, len(rank)), sp.sort_order, sp.id))
    for position, listing in enumerate(listings):
        listing.sort_order = position
    ShopProduct.objects.bulk_update(listings, ["sort_order"])
