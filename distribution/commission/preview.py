"""分享赚: what a reseller would earn at tier 1 by sharing a product.

The preview is the commission engine run on a hypothetical order: one unit of the
product's cheapest active SKU, bought at its price by a shopper under the reseller (so the
reseller is tier 1 and their uplines are tiers 2..N). It uses the engine's own pieces —
the upline chain and the terms lookup of ``distribution.commission.services.records`` and the
arithmetic of ``distribution.commission.calc.item_commissions`` — so the cap is shared with
the upper tiers exactly as on a real order, and the figure equals the tier-1 record that
such an order creates (a test proves it).

Queries: the rules, the upline chain (2), the product overrides and the level rates (one
each), whatever the number of products; SKUs come from a prefetch when there is one.
"""

from collections.abc import Iterable
from decimal import Decimal

from distribution.commission.calc import TierTerm, item_commissions
from distribution.commission.services.records import beneficiary_chain, term_for
from distribution.commission.services.rules import rules_get
from distribution.models import LevelRate, Member, ProductCommission
from mall.models import SKU, Product, Shop

SHOP_PREVIEW_PRODUCTS = 200  # the shop header looks at this many products, in the shop's order


def _cheapest_skus(products: list[Product]) -> dict[int, SKU]:
    """Each product's cheapest active SKU (ties: the first created)."""
    prefetched = [getattr(p, "_prefetched_objects_cache", {}).get("skus") for p in products]
    if products and all(skus is not None for skus in prefetched):
        candidates: Iterable[SKU] = (sku for skus in prefetched for sku in skus)
    else:
        candidates = SKU.objects.filter(product_id__in=[p.pk for p in products], is_active=True)
    cheapest: dict[int, SKU] = {}
    for sku in candidates:
        best = cheapest.get(sku.product_id)
        if sku.is_active and (best is None or (sku.price, sku.pk) < (best.price, best.pk)):
            cheapest[sku.product_id] = sku
    return cheapest


def share_earning_previews(*, member: Member, products: list[Product]) -> dict[int, Decimal]:
    """Tier-1 earning per product id; products that would earn nothing are absent."""
    if not (member.is_reseller and member.is_active) or not products:
        return {}
    rules = rules_get()
    chain = beneficiary_chain(reseller=member, buyer=None, tiers=rules.tiers,
                              self_purchase=rules.self_purchase)
    if not chain or chain[0][0] != 1:
        return {}
    skus = _cheapest_skus(products)
    overrides = ProductCommission.objects.in_bulk(list(skus), field_name="product_id")
    level_rates = {(lr.level_id, lr.tier): lr.rate for lr in
                   LevelRate.objects.filter(level_id__in={m.level_id for _, m in chain if m.level_id})}
    previews = {}
    for product_id, sku in skus.items():
        terms = []
        for tier, beneficiary in chain:
            rate, fixed = term_for(tier=tier, member=beneficiary, override=overrides.get(product_id),
                                    level_rates=level_rates)
            if rate is not None or fixed is not None:
                terms.append(TierTerm(tier=tier, beneficiary_id=beneficiary.pk, rate=rate,
                                      fixed_per_unit=fixed))
        amounts = item_commissions(base=sku.price, quantity=1, unit_cost=sku.cost_price,
                                   cap_rate=rules.global_cap_rate, terms=terms)
        if amounts.get(1, Decimal(0)) > 0:
            previews[product_id] = amounts[1]
    return previews


def share_earning_preview(*, member: Member, product: Product) -> Decimal | None:
    """What ``member`` earns at tier 1 when a shopper under them buys one unit of
    ``product``'s cheapest SKU; ``None`` when they would earn nothing (not an active
    reseller, no rate for their level or the product, no margin)."""
    return share_earning_previews(member=member, products=[product]).get(product.pk)


def share_earning_shop_max(*, member: Member, shop: Shop) -> Decimal | None:
    """The highest preview among the shop's first ``SHOP_PREVIEW_PRODUCTS`` products."""
    if not (member.is_reseller and member.is_active):
        return None
    products = Product.objects.filter(status=Product.Status.ON_SHELF)
    if shop.is_platform:
        products = products.order_by("-sort_order", "-sales_count", "-id")
    else:
        products = products.filter(listings__shop=shop).order_by("listings__sort_order", "-id")
    first = list(products.only("id")[:SHOP_PREVIEW_PRODUCTS])
    return max(share_earning_previews(member=member, products=first).values(), default=None)
