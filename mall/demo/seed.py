"""Load the demo data through the services. Every step looks before it creates, so running
it again creates nothing and changes nothing it already made."""

import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from common.money import round_half_up
from mall.demo import data
from mall.demo.images import draw_category_icon, draw_product_image
from mall.hooks import hooks
from mall.models import SKU, Category, Product, ProductImage, Shop, Supplier, User
from mall.services.catalog import product_create, sku_set_price, sku_set_stock
from mall.services.shops import platform_shop_get, shop_list_product, shop_open

Progress = Callable[[str], None]
IMAGES_PER_PRODUCT = 2


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    # Accounts that already existed: their passwords are never reset.
    existing_accounts: dict[str, User] = field(default_factory=dict)
    _checked: dict[tuple[str, str], bool] = field(default_factory=dict)

    def password_works(self, phone: str, password: str) -> bool:
        """Whether the printed demo password still signs ``phone`` in. The demo accounts share
        one hash, so each distinct (hash, password) costs one slow check."""
        user = self.existing_accounts.get(phone)
        if user is None:
            return True
        key = (user.password, password)
        if key not in self._checked:
            self._checked[key] = user.check_password(password)
        return self._checked[key]


def _checksum(n: int, text: str) -> int:
    return zlib.crc32(f"{text}|{n}".encode()) & 0xFFFFFFFF


def ean13(twelve_digits: str) -> str:
    """Append the EAN-13 check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve_digits))
    return twelve_digits + str((10 - total % 10) % 10)


def product_barcode_base(seed: data.ProductSeed) -> str:
    """10 digits, stable per product: 693 (a China prefix) + 7 digits from the title."""
    return f"693{_checksum(0, seed.title) % 10**7:07d}"


def cost_for(price: str, margin: str) -> Decimal:
    return round_half_up(Decimal(price) * (1 - Decimal(margin)))


# --- catalogue -------------------------------------------------------------------------------


def seed_suppliers(report: SeedReport) -> dict[str, Supplier]:
    suppliers = {}
    for s in data.SUPPLIERS:
        supplier, created = Supplier.objects.get_or_create(name=s.name, defaults={
            "contact_name": s.contact_name, "contact_phone": s.contact_phone,
            "settlement_account_name": s.name, "settlement_bank": s.bank,
            "settlement_account_no": s.account_no,
        })
        report.created["suppliers"] += created
        suppliers[s.name] = supplier
    return suppliers


def _set_icon(category: Category, root: data.RootCategory) -> None:
    if category.icon:
        return
    png = draw_category_icon(colors=root.colors, ink=root.ink, shape=root.shape)
    category.icon.save(f"category-{category.pk}.png", ContentFile(png), save=False)
    # A plain UPDATE: no need to run django-mptt's save() for one image column.
    Category.objects.filter(pk=category.pk).update(icon=category.icon.name)


def seed_categories(report: SeedReport, progress: Progress) -> dict[str, Category]:
    """Roots and subcategories by name (subcategory names are unique in the demo data)."""
    by_name = {}
    for position, root_seed in enumerate(data.CATEGORIES):
        root, created = Category.objects.get_or_create(parent=None, name=root_seed.name,
                                                       defaults={"sort_order": position})
        report.created["categories"] += created
        _set_icon(root, root_seed)
        by_name[root.name] = root
        for child_position, child_name in enumerate(root_seed.children):
            child, created = Category.objects.get_or_create(parent=root, name=child_name,
                                                            defaults={"sort_order": child_position})
            report.created["categories"] += created
            _set_icon(child, root_seed)
            by_name[child_name] = child
        progress(f"分类 {root_seed.name}: {' / '.join(root_seed.children)}")
    return by_name


def describe(seed: data.ProductSeed, root: data.RootCategory) -> str:
    """The product page's rich description: intro, highlights, spec table, notices."""
    brand, _, name = seed.title.partition(" ")
    rows = [("品牌", brand), ("品名", name or seed.title), ("产地", seed.origin),
            ("重量", f"约 {seed.grams} g"),
            *((spec_name, " / ".join(values)) for spec_name, values in seed.specs)]
    return "\n".join([
        format_html("<p><strong>{}</strong> {}。{}，{}。</p>", brand, name, seed.subtitle,
                    seed.points[0]),
        format_html("<h3>产品亮点</h3>\n<ul>{}</ul>",
                    format_html_join("", "<li>{}</li>", ((p,) for p in seed.points))),
        format_html('<h3>规格参数</h3>\n<table class="spec-table"><tbody>{}</tbody></table>',
                    format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)),
        format_html("<h3>购买须知</h3>\n<p>{}</p>", root.notice),
        "<p>现货商品48小时内发货；新疆、西藏等偏远地区需补运费。如有疑问请联系店主或平台客服。</p>",
    ])


def _sku_stock(seed: data.ProductSeed, index: int, position: int, count: int) -> int:
    if seed.sold_out:
        return 0
    # A few sold-out options so the storefront shows them disabled: the last option of every
    # sixth product.
    if count > 1 and position == count - 1 and index % 6 == 2:
        return 0
    return 20 + _checksum(position, seed.title) % 380


def _vary_skus(product: Product, seed: data.ProductSeed, index: int) -> int:
    skus = list(product.skus.order_by("id"))
    base = product_barcode_base(seed)
    for position, sku in enumerate(skus):
        override = next((seed.prices[v] for v in sku.specs.values() if v in seed.prices), None)
        if override is not None:
            sku_set_price(sku_id=sku.pk, price=override, cost_price=cost_for(override, seed.margin))
        sku_set_stock(sku_id=sku.pk, stock=_sku_stock(seed, index, position, len(skus)))
        barcode = ean13(f"{base}{position:02d}")
        if not SKU.objects.filter(barcode=barcode).exists():
            SKU.objects.filter(pk=sku.pk).update(barcode=barcode)
    return len(skus)


def _create_product(seed: data.ProductSeed, index: int, *, category: Category, supplier: Supplier,
                    root: data.RootCategory) -> tuple[Product, int]:
    with transaction.atomic():
        product = product_create(
            supplier=supplier, category=category, title=seed.title, subtitle=seed.subtitle,
            price=seed.price, cost_price=cost_for(seed.price, seed.margin),
            spec_options=[{"name": name, "values": list(values)} for name, values in seed.specs],
            description=describe(seed, root), weight_grams=seed.grams, on_shelf=not seed.off_shelf,
        )
        sku_count = _vary_skus(product, seed, index)
        # Demo history: units sold is normally counted by the orders app.
        Product.objects.filter(pk=product.pk).update(sales_count=seed.sales)
    return product, sku_count


def _add_images(product: Product, seed: data.ProductSeed, root: data.RootCategory, *, index: int,
                size: int) -> int:
    if product.images.exists():
        return 0
    for variant in range(IMAGES_PER_PRODUCT):
        jpeg = draw_product_image(label=seed.short, colors=root.colors, ink=root.ink,
                                  shape=root.shape, variant=variant, size=size, seed=index)
        image = ProductImage(product=product, sort_order=variant)
        image.image.save(f"demo-{product.pk}-{variant + 1}.jpg", ContentFile(jpeg), save=False)
        image.save()
    return IMAGES_PER_PRODUCT


def _roots_by_child() -> dict[str, data.RootCategory]:
    return {child: root for root in data.CATEGORIES for child in root.children}


def seed_products(report: SeedReport, progress: Progress, *, categories: dict[str, Category],
                  suppliers: dict[str, Supplier], image_size: int) -> None:
    roots = _roots_by_child()
    existing = dict(Product.objects.filter(title__in=[p.title for p in data.PRODUCTS])
                    .values_list("title", "pk"))
    total = len(data.PRODUCTS)
    for index, seed in enumerate(data.PRODUCTS):
        root = roots[seed.category]
        if seed.title in existing:
            product, state = Product.objects.get(pk=existing[seed.title]), "已存在"
        else:
            product, sku_count = _create_product(seed, index, category=categories[seed.category],
                                                 supplier=suppliers[root.supplier], root=root)
            report.created["products"] += 1
            report.created["skus"] += sku_count
            state = f"新建 {sku_count} 个SKU"
        report.created["images"] += _add_images(product, seed, root, index=index, size=image_size)
        progress(f"[{index + 1}/{total}] 商品 {seed.title} ({state})")


# --- accounts and shops -------------------------------------------------------------------------


def _account(report: SeedReport, seed: data.AccountSeed, *, password_hash: str, staff: bool = False,
             member: bool = True) -> User:
    user = User.objects.filter(phone=seed.phone).first()
    if user is not None:
        report.existing_accounts[seed.phone] = user
        return user
    with transaction.atomic():
        user = User.objects.create_user(seed.phone, None, nickname=seed.nickname, is_staff=staff,
                                        is_superuser=staff, phone_verified_at=timezone.now())
        user.password = password_hash
        user.save(update_fields=["password"])
        if member:
            # As a real sign-up would: higher apps (referral tree) set up their side.
            hooks.call("user_registered", user=user, invite_code=None, source="code")
    report.created["users"] += 1
    return user


def seed_accounts(report: SeedReport, progress: Progress, *, staff_password: str) -> list[User]:
    """The staff superuser, the shopper, and the resellers (returned in data order)."""
    _account(report, data.STAFF, password_hash=make_password(staff_password), staff=True,
             member=False)
    demo_hash = make_password(data.DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    _account(report, data.SHOPPER, password_hash=demo_hash)
    resellers = [_account(report, seed, password_hash=demo_hash) for seed in data.RESELLERS]
    progress(f"账号 运营 {data.STAFF.phone}, 买家 {data.SHOPPER.phone}, 店主 ×{len(resellers)}")
    return resellers


def _shop_picks(seed: data.AccountSeed) -> Iterable[int]:
    roots = Category.objects.filter(parent__isnull=True, name__in=seed.shop_categories)
    in_categories = Category.objects.none()
    for root in roots:
        in_categories |= root.get_descendants(include_self=True)
    count = 8 + _checksum(0, seed.phone) % 8  # 8..15 products per shop
    return (Product.objects.filter(status=Product.Status.ON_SHELF, category__in=in_categories)
            .order_by("-sales_count", "id").values_list("pk", flat=True)[:count])


def seed_shops(report: SeedReport, progress: Progress, *, resellers: list[User]) -> None:
    platform_shop_get()
    roots = {root.name: root for root in data.CATEGORIES}
    for seed, owner in zip(data.RESELLERS, resellers, strict=True):
        shop = Shop.objects.filter(owner=owner).first()
        if shop is None:
            shop = shop_open(owner=owner, name=seed.shop_name, intro=seed.shop_intro)
            report.created["shops"] += 1
        if not shop.avatar:
            root = roots[seed.shop_categories[0]]
            png = draw_category_icon(colors=root.colors, ink=root.ink, shape=root.shape, size=200)
            shop.avatar.save(f"shop-{shop.pk}.png", ContentFile(png), save=False)
            Shop.objects.filter(pk=shop.pk).update(avatar=shop.avatar.name)
        # Only fill an empty shop, so products an owner took off stay off.
        if not shop.listings.exists():
            for product_id in _shop_picks(seed):
                shop_list_product(shop=shop, product_id=product_id)
                report.created["listings"] += 1
        progress(f"微店 {shop.name}: {shop.listings.count()} 件商品")
