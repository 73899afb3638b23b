"""Demo data for 我的小店 and sharing: the platform's recommended selection (so a reseller
approved during the demo opens a shop that is not empty), 素材 for the best sellers, and 小雨's
shop with a cover picture and a pinned product. Idempotent: only what is missing is added."""

import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from mall.demo import data
from mall.demo.seed import Progress, SeedReport
from mall.models import MaterialImage, Product, ProductMaterial, RecommendedProduct, Shop
from mall.services.shops import shop_pin_product

RECOMMENDED = 6
WITH_MATERIALS = 5
COPY_TEXTS = (
    "回购第三次了！{title}，家里人都说好用，{price} 这个价真的很香 戳链接直接买～",
    "今日小店推荐：{title}。自己先用过才推荐给大家，有问题随时问我～",
)


def _cover(colors: tuple[str, str]) -> bytes:
    image = Image.linear_gradient("L").rotate(90).resize((1080, 480))
    start = Image.new("RGB", image.size, colors[0])
    end = Image.new("RGB", image.size, colors[1])
    cover = Image.composite(start, end, image)
    draw = ImageDraw.Draw(cover, "RGBA")
    draw.ellipse((760, -120, 1200, 320), fill=(255, 255, 255, 46))
    draw.ellipse((-80, 300, 260, 640), fill=(255, 255, 255, 36))
    out = io.BytesIO()
    cover.save(out, "JPEG", quality=86)
    return out.getvalue()


def seed_sharing(report: SeedReport, progress: Progress) -> None:
    best = list(Product.objects.filter(status=Product.Status.ON_SHELF).order_by("-sales_count", "id")
                .prefetch_related("images", "skus")[:max(RECOMMENDED, WITH_MATERIALS)])
    if not RecommendedProduct.objects.exists():
        RecommendedProduct.objects.bulk_create([RecommendedProduct(product=p, sort_order=i)
                                                for i, p in enumerate(best[:RECOMMENDED])])
        report.created["recommended"] += RECOMMENDED
    for product in best[:WITH_MATERIALS]:
        if product.materials.exists():
            continue
        prices = sorted(s.price for s in product.skus.all())
        price = f"¥{prices[0]}" if prices else ""
        for position, template in enumerate(COPY_TEXTS):
            material = ProductMaterial.objects.create(
                product=product, sort_order=position, text=template.format(title=product.title, price=price))
            MaterialImage.objects.bulk_create([MaterialImage(material=material, image=image.image.name,
                                                             sort_order=i)
                                               for i, image in enumerate(product.images.all()[:3])])
            report.created["materials"] += 1
    xiaoyu = Shop.objects.filter(owner__phone=data.RESELLERS[0].phone).first()
    if xiaoyu is not None:
        if not xiaoyu.cover:
            picture = ContentFile(_cover(("#ff8a65", "#e4393c")))
            xiaoyu.cover.save(f"cover-{xiaoyu.pk}.jpg", picture, save=False)
            Shop.objects.filter(pk=xiaoyu.pk).update(cover=xiaoyu.cover.name)
        first = xiaoyu.listings.order_by("sort_order", "id").first()
        if first is not None and not xiaoyu.listings.filter(is_pinned=True).exists():
            shop_pin_product(shop=xiaoyu, product_id=first.product_id, pinned=True)
    progress(f"选品与素材: 推荐 {RecommendedProduct.objects.count()} 件, "
             f"素材 {ProductMaterial.objects.count()} 条")
