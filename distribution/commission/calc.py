"""The commission arithmetic, pure: no database, no settings.

Used for real records (at payment), for recomputation after a refund, and for the
"分享赚" preview on product pages, so all three always agree.

For one order item:
- base = the item's paid amount (after discounts, without shipping);
- cap = min(global cap rate × base, margin) where margin = base − unit cost × quantity,
  never below 0 (so cap ≤ base);
- each tier's raw amount = rate × base, or fixed amount per unit × quantity;
- if Σ raw > cap, every tier is scaled by cap / Σ raw (the tiers keep their proportions);
- each amount is rounded DOWN to the fen (common.money.round_down); what is left stays
  with the platform. Hence Σ amounts ≤ cap ≤ base (I2).
"""

from dataclasses import dataclass
from decimal import Decimal

from common.money import ZERO, round_down
from distribution.compliance import MAX_TIERS


@dataclass(frozen=True)
class TierTerm:
    """What one tier earns on an item: a rate of the base, or a fixed amount per unit."""

    tier: int
    beneficiary_id: int
    rate: Decimal | None = None
    fixed_per_unit: Decimal | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.tier <= MAX_TIERS:
            raise ValueError(f"tier {self.tier} outside 1..{MAX_TIERS}")
        if (self.rate is None) == (self.fixed_per_unit is None):
            raise ValueError("a tier term has exactly one of rate and fixed_per_unit")


def item_cap(*, base: Decimal, quantity: int, unit_cost: Decimal, cap_rate: Decimal) -> Decimal:
    if base <= 0 or quantity <= 0:
        return ZERO
    margin = base - unit_cost * quantity
    return max(ZERO, min(round_down(base * cap_rate), round_down(margin), base))


def item_commissions(
    *, base: Decimal, quantity: int, unit_cost: Decimal, cap_rate: Decimal, terms: list[TierTerm]
) -> dict[int, Decimal]:
    """Amount per tier for one item (tiers with no term are absent)."""
    if len({t.tier for t in terms}) != len(terms):
        raise ValueError("one term per tier")
    cap = item_cap(base=base, quantity=quantity, unit_cost=unit_cost, cap_rate=cap_rate)
    raw = {
        t.tier: (base * t.rate if t.rate is not None else t.fixed_per_unit * quantity)
        if quantity > 0 and base > 0 else ZERO
        for t in terms
    }
    total = sum(raw.values(), ZERO)
    if total > cap:
        return {tier: round_down(amount * cap / total) for tier, amount in raw.items()}
    return {tier: round_down(amount) for tier, amount in raw.items()}
