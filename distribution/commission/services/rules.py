"""Commission rules: read, and change with an audit row per changed field."""

from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from common.money import FEN
from distribution import lock_objects
from distribution.commission.errors import CommissionRulesInvalid, CommissionTiersExceeded
from distribution.models import (
    MAX_TIERS,
    CommissionRules,
    LevelRate,
    ProductCommission,
    ResellerLevel,
    RuleChange,
)
from mall.models import Product, User

EDITABLE = ("tiers", "global_cap_rate", "self_purchase", "attribution_policy", "withdrawal_min_amount",
            "withdrawal_fee_rate", "withdrawal_daily_limit", "withdrawal_channels")


LEVEL_RATES_CACHE_KEY = "distribution:level-rates:v1"
PRODUCT_TERMS_CACHE_KEY = "distribution:product-terms:v1:{}"
_NO_TERMS = "none"  # cached "this product has no terms of its own"


def rules_get() -> CommissionRules:
    """The rules in force (``CommissionRules.get_solo``: cached, cleared after each change)."""
    return CommissionRules.get_solo()


def level_rates_get() -> dict[tuple[int, int], Decimal]:
    """{(level id, tier): rate} for every level, cached like the rules."""
    rates = cache.get(LEVEL_RATES_CACHE_KEY)
    if rates is None:
        rates = {(lr.level_id, lr.tier): lr.rate for lr in LevelRate.objects.all()}
        cache.set(LEVEL_RATES_CACHE_KEY, rates, timeout=3600)
    return rates


def product_terms_get(product_ids: list[int]) -> dict[int, ProductCommission]:
    """{product id: its own terms} for those of ``product_ids`` that have any.

    Cached per product, "no terms" included (most products have none), so the checkout
    reads the table only for products it has not seen since their terms last changed;
    ``product_commission_set`` forgets the product's entry."""
    keys = {pid: PRODUCT_TERMS_CACHE_KEY.format(pid) for pid in set(product_ids)}
    cached = cache.get_many(list(keys.values()))
    terms: dict[int, ProductCommission] = {}
    missing = []
    for pid, key in keys.items():
        if key not in cached:
            missing.append(pid)
        elif cached[key] != _NO_TERMS:
            terms[pid] = cached[key]
    if missing:
        found = ProductCommission.objects.in_bulk(missing, field_name="product_id")
        cache.set_many({keys[pid]: found.get(pid, _NO_TERMS) for pid in missing}, timeout=3600)
        terms.update(found)
    return terms


def _forget(key: str) -> None:
    # Now, and again after commit: a reader between now and the commit caches the old row.
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _audit(*, subject: str, changes: dict[str, tuple[object, object]], operator: User | None) -> None:
    RuleChange.objects.bulk_create([
        RuleChange(subject=subject, field=field, old_value=str(old)[:200], new_value=str(new)[:200],
                   operator=operator)
        for field, (old, new) in changes.items()
    ])


@transaction.atomic
def rules_update(*, operator: User | None, **values: object) -> CommissionRules:
    """Change the rules. Paid tiers above 3 are refused here, by the form (validators)
    and by a database CHECK (禁止传销条例 art. 7)."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise CommissionRulesInvalid(code="unknown_rule")
    if "tiers" in values and not 1 <= int(values["tiers"]) <= MAX_TIERS:
        raise CommissionTiersExceeded()
    rules = lock_objects.commission_rules_lock()
    changes = {f: (getattr(rules, f), v) for f, v in values.items() if getattr(rules, f) != v}
    for field, (_, new) in changes.items():
        setattr(rules, field, new)
    try:
        rules.full_clean()
    except ValidationError as exc:
        raise CommissionRulesInvalid(" ".join(exc.messages)) from None
    if changes:
        rules.save(update_fields=[*changes, "updated_at"])  # SingletonModel.save drops the cache
        _audit(subject="rules", changes=changes, operator=operator)
    return rules


@transaction.atomic
def level_rate_set(*, level: ResellerLevel, tier: int, rate: Decimal, operator: User | None) -> LevelRate:
    if not 1 <= tier <= MAX_TIERS:
        raise CommissionTiersExceeded()
    if not Decimal("0") <= rate <= Decimal("1"):
        raise CommissionRulesInvalid(code="rate_out_of_range")
    current = lock_objects.level_rate_lock(level_id=level.pk, tier=tier)
    old = current.rate if current else None
    if current is None:
        current = LevelRate.objects.create(level=level, tier=tier, rate=rate)
    elif current.rate != rate:
        current.rate = rate
        current.save(update_fields=["rate"])
    if old != rate:
        _forget(LEVEL_RATES_CACHE_KEY)
        _audit(subject=f"level:{level.pk}:{level.name}", changes={f"tier{tier}": (old, rate)},
               operator=operator)
    return current


@transaction.atomic
def product_commission_set(*, product: Product, mode: str, tiers: dict[int, Decimal],
                           operator: User | None) -> ProductCommission:
    if any(not 1 <= t <= MAX_TIERS for t in tiers):
        raise CommissionTiersExceeded()
    if mode == ProductCommission.Mode.FIXED and any(v != v.quantize(FEN) for v in tiers.values()):
        raise CommissionRulesInvalid(code="fixed_amount_places")  # money: at most 2 places
    override = lock_objects.product_commission_lock(product_id=product.pk)
    values = {"mode": mode, **{f"tier{t}": v for t, v in tiers.items()}}
    changes = {f: (getattr(override, f), v) for f, v in values.items() if getattr(override, f) != v}
    for field, (_, new) in changes.items():
        setattr(override, field, new)
    try:
        override.full_clean()
    except ValidationError as exc:
        raise CommissionRulesInvalid(" ".join(exc.messages)) from None
    override.save()
    _forget(PRODUCT_TERMS_CACHE_KEY.format(product.pk))
    if changes:
        _audit(subject=f"product:{product.pk}", changes=changes, operator=operator)
    return override
