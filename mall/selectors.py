"""Reads of the catalogue and shops. Each list is a fixed number of queries, whatever its size."""

from django.db.models import F, Min, Prefetch, Q, QuerySet, Sum

from mall.errors import CategoryNotFound, NotYourShop, ProductNotFound, ShopNotFound
from mall.models import SKU, Category, Product, ProductImage, Shop, User


def _with_listing_data(qs: QuerySet[Product]) -> QuerySet[Product]:
    """Annotate the lowest active price and total stock; prefetch images (1 extra query)."""
    active = Q(skus__is_active=True)
    return qs.annotate(
        min_price=Min("skus__price", filter=active),
        total_stock=Sum("skus__stock", filter=active),
    ).prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("sort_order", "id")))


def product_list(*, category: Category | None = None, q: str = "",
                 sort: str = "default") -> QuerySet[Product]:
    qs = Product.objects.filter(status=Product.Status.ON_SHELF)
    if category is not None:
        # Only active subcategories: hiding a category hides everything under it.
        visible = category.get_descendants(include_self=True).filter(is_active=True)
        qs = qs.filter(category__in=visible)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(subtitle__icontains=q)
                       | Q(category__name__icontains=q))
    qs = _with_listing_data(qs)
    ordering = {
        "sales": ["-sales_count", "-id"],
        "price_asc": [F("min_price").asc(nulls_last=True), "-id"],
        "price_desc": [F("min_price").desc(nulls_last=True), "-id"],
        "new": ["-created_at", "-id"],
    }.get(sort, ["-sort_order", "-sales_count", "-id"])
    return qs.order_by(*ordering)


def product_get(*, product_id: int, include_off_shelf: bool = False) -> Product:
    qs = Product.objects.select_related("category", "supplier").prefetch_related(
        Prefetch("skus", queryset=SKU.objects.filter(is_active=True).order_by("id")),
        Prefetch("images", queryset=ProductImage.objects.order_by("sort_order", "id")),
    )
    if not include_off_shelf:
        qs = qs.filter(status=Product.Status.ON_SHELF)
    product = qs.filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound()
    return product


def category_roots() -> QuerySet[Category]:
    return Category.objects.filter(parent__isnull=True, is_active=True).order_by("sort_order", "name")


def category_tree() -> list[Category]:
    """All active categories, in tree order, in one query (use ``level`` / ``parent_id``)."""
    return list(Category.objects.filter(is_active=True).order_by("tree_id", "lft"))


def category_get(*, category_id: int) -> Category:
    category = Category.objects.filter(pk=category_id, is_active=True).first()
    if category is None or category.get_ancestors().filter(is_active=False).exists():
        raise CategoryNotFound()
    return category


def shop_get(*, shop_id: int) -> Shop:
    shop = Shop.objects.select_related("owner").filter(pk=shop_id, is_active=True).first()
    if shop is None:
        raise ShopNotFound()
    return shop


def shop_products(*, shop: Shop) -> QuerySet[Product]:
    """The shop's listed products in its own order; the platform shop lists the whole catalogue."""
    qs = Product.objects.filter(status=Product.Status.ON_SHELF)
    if shop.is_platform:
        return _with_listing_data(qs).order_by("-sort_order", "-sales_count", "-id")
    return _with_listing_data(qs.filter(listings__shop=shop)).order_by(
        "-listings__is_pinned", "listings__sort_order", "-id")


def category_subtree(*, category_id: int) -> list[Category]:
    """An active category and its active descendants, in tree order, for the API.

    A category is visible only when its whole ancestor chain is active too, the same rule
    ``category_tree`` consumers apply when they drop orphans of inactive parents.
    """
    category = category_get(category_id=category_id)
    return list(category.get_descendants(include_self=True).filter(is_active=True)
                .order_by("tree_id", "lft"))


def shop_get_for_owner(*, owner: User) -> Shop:
    """The member's own shop (open or closed); ``ShopNotFound`` when they have none."""
    shop = Shop.objects.filter(owner=owner).first()
    if shop is None:
        raise ShopNotFound()
    return shop


def shop_listed_product_ids(*, shop: Shop) -> list[int]:
    """Ids of every product the shop lists, on shelf or not, in the shop's order."""
    return list(shop.listings.order_by("-is_pinned", "sort_order", "id").values_list("product_id", flat=True))


def shop_get_owned(*, owner: User, shop_id: int | str | None = None) -> Shop:
    """The member's own shop. A ``shop_id`` a client sent that is not theirs (another
    reseller's shop, or garbage) is refused with ``NotYourShop``: nothing is changed."""
    shop = shop_get_for_owner(owner=owner)
    if shop_id not in (None, "") and str(shop_id) != str(shop.pk):
        raise NotYourShop()
    return shop
