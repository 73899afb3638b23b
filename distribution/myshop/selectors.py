"""Reads for 我的小店 and 选品. Each page is a fixed number of queries, whatever the size of
the catalogue or the shop: the reseller with their shop (1), the products with their
cheapest SKU, first picture and whether the shop lists them (1), the categories (1), and the
commission preview (the upline chain and the product overrides, 2)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from distribution.commission.preview import cheapest_sku, product_units, share_earning_previews_for_units
from distribution.models import Member
from mall.models import Category, Product, ProductImage, Shop, ShopProduct, User

PAGE_SIZE = 20
# Past any catalogue (200,000 products): such a page is empty without asking the database, whose
# OFFSET is a bigint (page 10**21 was a 500: "bigint out of range").
MAX_PAGE = 10_000
PICK_SORTS = ("commission", "sales", "price_asc", "price_desc", "new")
# Sorting by commission ranks this many of the filtered products (the best sellers) in Python:
# a bound on the work per page for a large catalogue; filters and search narrow it first.
COMMISSION_RANKED = 2000


@dataclass
class ProductRow:
    product_id: int
    title: str
    image: str  # the storage name of the first picture, or ""
    price: Decimal | None  # the cheapest active SKU's
    sales: int
    in_shop: bool
    on_shelf: bool = True
    earning: Decimal | None = None  # 分享赚 (tier 1), None when it would earn nothing
    is_pinned: bool = False
    link: str = ""  # the reseller's share link of the product, set by the page


@dataclass
class PickPage:
    rows: list[ProductRow]
    page: int
    has_next: bool


def reseller_with_shop(*, user: User) -> tuple[Member | None, Shop | None]:
    """The user's member node (with level) and own shop, in one query."""
    member = (Member.objects.select_related("level", "user__shop").filter(user_id=user.pk).first()
              if user.is_authenticated else None)
    if member is None:
        return None, None
    shop = getattr(member.user, "shop", None)
    return member, shop


def _annotated(qs: QuerySet[Product], *, shop: Shop) -> QuerySet[Product]:
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by("sort_order", "id")
    return qs.select_related("commission").annotate(
        unit_price=cheapest_sku("price"), unit_cost=cheapest_sku("cost_price"),
        first_image=Subquery(first_image.values("image")[:1]),
        in_shop=Exists(ShopProduct.objects.filter(shop=shop, product=OuterRef("pk"))),
    )


def _in_category(category_id: int) -> Exists:
    """Products of an active category or any category under it (one subquery, no lookup)."""
    return Exists(Category.objects.filter(
        pk=category_id, is_active=True, tree_id=OuterRef("category__tree_id"),
        lft__lte=OuterRef("category__lft"), rght__gte=OuterRef("category__rght")))


def _row(product: Product) -> ProductRow:
    return ProductRow(product_id=product.pk, title=product.title, image=product.first_image or "",
                      price=product.unit_price, sales=product.sales_count, in_shop=product.in_shop,
                      on_shelf=product.status == Product.Status.ON_SHELF)


def _with_earnings(member: Member, rows: list[ProductRow], products: list[Product]) -> None:
    units, overrides = product_units(p for p in products if p.status == Product.Status.ON_SHELF)
    previews = share_earning_previews_for_units(member=member, units=units, overrides=overrides)
    for row in rows:
        row.earning = previews.get(row.product_id)


def picks_page(*, member: Member, shop: Shop, category_id: int | None = None, q: str = "",
               sort: str = "commission", page: int = 1) -> PickPage:
    """选品: the platform's products on sale, filtered and sorted, with what the member would
    earn on each and whether their shop lists it. Sorting by commission ranks the filtered
    catalogue (its ``COMMISSION_RANKED`` best sellers) by the engine's preview, computed in
    Python from one query."""
    if page > MAX_PAGE:
        return PickPage(rows=[], page=page, has_next=False)
    qs = Product.objects.filter(status=Product.Status.ON_SHELF)
    if category_id is not None:
        qs = qs.filter(_in_category(category_id))
    q = q.strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(subtitle__icontains=q))
    qs = _annotated(qs, shop=shop)
    start = (page - 1) * PAGE_SIZE
    if sort == "commission":
        products = list(qs.order_by("-sales_count", "-id")[:COMMISSION_RANKED])
    else:
        ordering = {"sales": ["-sales_count", "-id"], "new": ["-created_at", "-id"],
                    "price_asc": [F("unit_price").asc(nulls_last=True), "-id"],
                    "price_desc": [F("unit_price").desc(nulls_last=True), "-id"]}[sort]
        products = list(qs.order_by(*ordering)[start:start + PAGE_SIZE + 1])
        start = 0
    rows = [_row(p) for p in products]
    _with_earnings(member, rows, products)
    if sort == "commission":
        rows.sort(key=lambda r: (-(r.earning or Decimal(0)), -r.sales, -r.product_id))
    window = rows[start:start + PAGE_SIZE + 1]
    return PickPage(rows=window[:PAGE_SIZE], page=page, has_next=len(window) > PAGE_SIZE)


def shop_rows(*, member: Member, shop: Shop) -> list[ProductRow]:
    """Every product the shop lists (off-shelf ones too, marked), pinned first, then in the
    shop's order, with its 分享赚."""
    qs = _annotated(Product.objects.filter(listings__shop=shop), shop=shop).annotate(
        pinned=F("listings__is_pinned"))
    products = list(qs.order_by("-listings__is_pinned", "listings__sort_order", "listings__id"))
    rows = []
    for product in products:
        row = _row(product)
        row.is_pinned = product.pinned
        rows.append(row)
    _with_earnings(member, rows, products)
    return rows


def category_roots() -> list[Category]:
    return list(Category.objects.filter(parent__isnull=True, is_active=True).order_by("sort_order", "name"))
