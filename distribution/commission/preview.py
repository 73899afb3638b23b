"""分享赚: what a reseller would earn at tier 1 by sharing a product.

The preview is the commission engine run on a hypothetical order: one unit of the
product's cheapest active SKU, bought at its price by a shopper under the reseller (so the
reseller is tier 1 and their uplines are tiers 2..N). It uses the engine's own pieces —
the upline chain and the terms lookup of ``distribution.commission.services.records`` and the
arithmetic of ``distribution.commission.calc.item_commissions`` — so the cap is shared with
the upper tiers exactly as on a real order, and the figure equals the tier-1 record that
such an order creates (a test proves it).

Queries: the upline chain and the product overrides (one each; the rules and the level
rates come from the cache), whatever the number of products; SKUs come from a prefetch
when there is one, or from the caller (``share_earning_previews_for_units``).
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from common.fields import MoneyField
from distribution.commission.calc import TierTerm, item_commissions
from distribution.commission.services.records import beneficiary_chain, term_for
from distribution.commission.services.rules import level_rates_get, rules_get
from distribution.models import Member, ProductCommission
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
    skus = _cheapest_skus(products)
    return share_earning_previews_for_units(
        member=member, units={pid: (sku.price, sku.cost_price) for pid, sku in skus.items()})


def share_earning_previews_for_units(*, member: Member, units: dict[int, tuple[Decimal, Decimal]],
                                     overrides: dict[int, ProductCommission] | None = None,
                                     ) -> dict[int, Decimal]:
    """The same preview, given each product's cheapest active SKU as ``{product id: (price,
    cost price)}`` (e.g. annotated on a list query, so a list of any length adds no query
    for its SKUs) and, optionally, the products' own terms (``select_related("commission")``
    on that query; ``None`` looks them up)."""
    if not (member.is_reseller and member.is_active) or not units:
        return {}
    rules = rules_get()
    chain = beneficiary_chain(reseller=member, buyer=None, tiers=rules.tiers,
                              self_purchase=rules.self_purchase)
    if not chain or chain[0][0] != 1:
        return {}
    if overrides is None:
        overrides = ProductCommission.objects.in_bulk(list(units), field_name="product_id")
    level_rates = level_rates_get()
    previews = {}
    for product_id, (price, cost_price) in units.items():
        terms = []
        for tier, beneficiary in chain:
            rate, fixed = term_for(tier=tier, member=beneficiary, override=overrides.get(product_id),
                                    level_rates=level_rates)
            if rate is not None or fixed is not None:
                terms.append(TierTerm(tier=tier, beneficiary_id=beneficiary.pk, rate=rate,
                                      fixed_per_unit=fixed))
        amounts = item_commissions(base=price, quantity=1, unit_cost=cost_price,
                                   cap_rate=rules.global_cap_rate, terms=terms)
        if amounts.get(1, Decimal(0)) > 0:
            previews[product_id] = amounts[1]
    return previews


def share_earning_preview(*, member: Member, product: Product) -> Decimal | None:
    """What ``member`` earns at tier 1 when a shopper under them buys one unit of
    ``product``'s cheapest SKU; ``None`` when they would earn nothing (not an active
    reseller, no rate for their level or the product, no margin)."""
    return share_earning_previews(member=member, products=[product]).get(product.pk)


def product_units(products: Iterable[Product]) -> tuple[dict[int, tuple[Decimal, Decimal]],
                                                       dict[int, ProductCommission]]:
    """(units, overrides) for ``share_earning_previews_for_units`` from products annotated with
    ``unit_price`` / ``unit_cost`` (``cheapest_sku``) and fetched with ``select_related("commission")``."""
    units, overrides = {}, {}
    for product in products:
        if product.unit_price is not None:
            units[product.pk] = (product.unit_price, product.unit_cost)
        override = getattr(product, "commission", None)
        if override is not None:
            overrides[product.pk] = override
    return units, overrides


def cheapest_sku(field: str) -> Subquery:
    """A product's cheapest active SKU's ``field`` (ties: the first created), as a subquery."""
    skus = SKU.objects.filter(product=OuterRef("pk"), is_active=True).order_by("price", "id")
    return Subquery(skus.values(field)[:1], output_field=MoneyField())


def share_earning_shop_max(*, member: Member, shop: Shop) -> Decimal | None:
    """The highest preview among the shop's first ``SHOP_PREVIEW_PRODUCTS`` products: one query
    for the products with their cheapest SKU and own terms, one for the upline chain."""
    if not (member.is_reseller and member.is_active):
        return None
    products = Product.objects.filter(status=Product.Status.ON_SHELF)
    if shop.is_platform:
        products = products.order_by("-sort_order", "-sales_count", "-id")
    else:
        products = products.filter(listings__shop=shop).order_by(
            "-listings__is_pinned", "listings__sort_order", "-id")
    first = (products.select_related("commission").defer("description", "spec_options")
             .annotate(unit_price=cheapest_sku("price"), unit_cost=cheapest_sku("cost_price"))
             [:SHOP_PREVIEW_PRODUCTS])
    units, overrides = product_units(first)
    previews = share_earning_previews_for_units(member=member, units=units, overrides=overrides)
    return max(previews.values(), default=None)
