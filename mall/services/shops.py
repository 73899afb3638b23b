from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from mall.errors import ProductNotFound, ProductNotInShop, ShopExists
from mall.lock_objects import shop_listings_lock
from mall.models import Product, RecommendedProduct, Shop, ShopProduct, User
from mall.services.shop_images import CleanImage


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
    """Open a reseller's shop, listing the platform's recommended selection (staff choose it
    in the admin), so no shop opens empty. Only shops opened from now on get it: an existing
    shop is never filled behind its owner's back."""
    if Shop.objects.filter(owner=owner).exists():
        raise ShopExists()
    shop = Shop.objects.create(owner=owner, name=name.strip()[:40] or owner.display_name,
                               intro=intro.strip()[:200])
    recommended = (RecommendedProduct.objects.filter(product__status=Product.Status.ON_SHELF)
                   .order_by("sort_order", "id").values_list("product_id", flat=True))
    ShopProduct.objects.bulk_create([ShopProduct(shop=shop, product_id=product_id, sort_order=position)
                                     for position, product_id in enumerate(recommended)])
    return shop


def _replace_image(shop: Shop, field: str, image: CleanImage) -> None:
    old = getattr(shop, field)
    old_name = old.name if old else ""
    getattr(shop, field).save(f"{field}.{image.extension}", ContentFile(image.content), save=False)
    if old_name:  # the old picture goes once the new one is committed
        storage = old.storage
        transaction.on_commit(lambda: storage.delete(old_name))


@transaction.atomic
def shop_update(*, shop: Shop, name: str | None = None, intro: str | None = None,
                logo: CleanImage | None = None, cover: CleanImage | None = None) -> Shop:
    """Rename the shop, change its introduction, logo or cover. Pictures must come through
    ``shop_images.shop_image_clean`` (checked and resized) first."""
    fields = ["updated_at"]
    if name is not None and name.strip():
        shop.name = name.strip()[:40]
        fields.append("name")
    if intro is not None:
        shop.intro = intro.strip()[:200]
        fields.append("intro")
    if logo is not None:
        _replace_image(shop, "avatar", logo)
        fields.append("avatar")
    if cover is not None:
        _replace_image(shop, "cover", cover)
        fields.append("cover")
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


@transaction.atomic
def shop_pin_product(*, shop: Shop, product_id: int, pinned: bool) -> ShopProduct:
    """Pin a listed product to the top of the shop (or unpin it)."""
    shop_listings_lock(shop=shop)
    listing = ShopProduct.objects.filter(shop=shop, product_id=product_id).first()
    if listing is None:
        raise ProductNotInShop()
    if listing.is_pinned != pinned:
        listing.is_pinned = pinned
        listing.save(update_fields=["is_pinned"])
    return listing


@transaction.atomic
def shop_move_product(*, shop: Shop, product_id: int, offset: int) -> list[int]:
    """Move a listed product ``offset`` places up (negative) or down in the shop's order,
    among the listings of its own kind (pinned or not). Returns the new order of ids."""
    listings = shop_listings_lock(shop=shop)
    listings.sort(key=lambda sp: (not sp.is_pinned, sp.sort_order, sp.id))
    index = next((i for i, sp in enumerate(listings) if sp.product_id == product_id), None)
    if index is None:
        raise ProductNotInShop()
    moving = listings[index]
    group = [sp for sp in listings if sp.is_pinned == moving.is_pinned]
    others = [sp for sp in listings if sp.is_pinned != moving.is_pinned]
    position = group.index(moving)
    group.insert(max(0, min(len(group) - 1, position + offset)), group.pop(position))
    ordered = group + others if moving.is_pinned else others + group
    for rank, listing in enumerate(ordered):
        listing.sort_order = rank
    ShopProduct.objects.bulk_update(ordered, ["sort_order"])
    return [sp.product_id for sp in ordered]
