"""The demo's share funnel: 小雨's and 阿杰's share links with 30 days of visits, the team
sign-ups and the paid demo-history orders credited to them, then the roll-up — so the
reseller centre's 分享效果 and 我的客户 pages have figures at once.

Visits are made-up rows (deterministic, about 40 a day for 小雨); sign-ups and orders are
the real demo members and orders (their dates, their commission). Once: nothing when 小雨
already has share links.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from common.fields import money_sum
from distribution.demo import data
from distribution.funnel.rollup import funnel_rollup
from distribution.models import (
    CommissionRecord,
    ConversionKind,
    Member,
    OrderAttribution,
    ShareChannel,
    ShareConversion,
    ShareLink,
    ShareTouch,
    ShareVisit,
)
from mall.models import Shop
from orders.models import Order

DAYS = 30
SHOP_VISITS = {data.XIAOYU: 24, data.AJIE: 8}  # a day, about
PRODUCT_LINKS = 3  # products of the shop shared as posters and links


def _links(reseller: Member) -> list[ShareLink]:
    links = [ShareLink.objects.create(reseller=reseller, channel=channel) for channel in ShareChannel.values]
    shop = Shop.objects.filter(owner_id=reseller.user_id).first()
    products = list(shop.products.order_by("pk")[:PRODUCT_LINKS]) if shop else []
    for product in products:
        links += [ShareLink.objects.create(reseller=reseller, channel=channel, product=product)
                  for channel in (ShareChannel.POSTER, ShareChannel.LINK)]
    return links


def _visits(links: list[ShareLink], per_day: int, rng: random.Random) -> int:
    today = timezone.localdate()
    rows = []
    for back in range(DAYS):
        for link in links:
            weight = 3 if link.product_id is None and link.channel == ShareChannel.LINK else 1
            for _ in range(rng.randint(0, per_day * weight // len(links) * 2)):
                day = today - timedelta(days=back)
                rows.append(ShareVisit(day=day, link=link, visitor=rng.getrandbits(62)))
    ShareVisit.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


def _conversions(reseller: Member, links: list[ShareLink]) -> int:
    shop_link = links[0]
    by_product = {link.product_id: link for link in links if link.product_id}
    rows = [ShareConversion(kind=ConversionKind.SIGNUP, link=shop_link, user_id=member.user_id,
                            day=timezone.localdate(member.joined_at))
            for member in Member.objects.filter(parent=reseller)]
    credited = OrderAttribution.objects.filter(reseller=reseller).values("order_id")
    orders = Order.objects.filter(pk__in=credited, paid_at__isnull=False).prefetch_related("items")
    for order in orders:
        items = list(order.items.all())
        link = next((by_product[i.product_id] for i in items if i.product_id in by_product), shop_link)
        commission = CommissionRecord.objects.filter(order=order, beneficiary=reseller).aggregate(
            total=money_sum("original_amount"))["total"]
        rows.append(ShareConversion(kind=ConversionKind.ORDER, link=link, user_id=order.user_id, order=order,
                                    day=timezone.localdate(order.paid_at), amount=order.total_amount
                                    - order.shipping_fee, commission=commission or 0))
        ShareTouch.objects.update_or_create(user_id=order.user_id,
                                            defaults={"link": link, "touched_at": order.paid_at})
    ShareConversion.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def demo_funnel_build() -> str | None:
    """Build the demo funnel once; a line for the seed's output, or None if it exists."""
    xiaoyu = Member.objects.filter(user__phone=data.XIAOYU).first()
    if xiaoyu is None or ShareLink.objects.filter(reseller=xiaoyu).exists():
        return None
    rng = random.Random(11)  # noqa: S311 - made-up demo visitors, the same every time
    visits = conversions = 0
    with transaction.atomic():
        for phone, per_day in SHOP_VISITS.items():
            reseller = Member.objects.filter(user__phone=phone, is_reseller=True).first()
            if reseller is None:
                continue
            links = _links(reseller)
            visits += _visits(links, per_day, rng)
            conversions += _conversions(reseller, links)
    funnel_rollup(days=DAYS + 1)
    return f"分享效果: {visits} 次访问, {conversions} 个注册和订单 (小雨、阿杰)"
