"""I2: for every item, Σ commissions ≤ cap ≤ paid amount; every amount has 2 places and
is rounded down. Property-based over prices, quantities, rates, caps and tier setups."""

from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distribution.commission.calc import TierTerm, item_cap, item_commissions

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=4)
fixed = st.decimals(min_value=Decimal("0"), max_value=Decimal("999.99"), places=2)


@st.composite
def terms(draw: st.DrawFn) -> list[TierTerm]:
    tiers = draw(st.lists(st.integers(min_value=1, max_value=3), unique=True, max_size=3))
    out = []
    for tier in sorted(tiers):
        if draw(st.booleans()):
            out.append(TierTerm(tier=tier, beneficiary_id=tier, rate=draw(rates)))
        else:
            out.append(TierTerm(tier=tier, beneficiary_id=tier, fixed_per_unit=draw(fixed)))
    return out


@settings(max_examples=400, deadline=None)
@given(unit_price=money, quantity=st.integers(min_value=1, max_value=50),
       cost_share=st.decimals(min_value=Decimal("0"), max_value=Decimal("1.2"), places=2),
       discount_share=st.decimals(min_value=Decimal("0"), max_value=Decimal("0.9"), places=2),
       cap_rate=rates, tier_terms=terms())
def test_sum_within_cap_within_paid_two_places_rounded_down(unit_price, quantity, cost_share,
                                                            discount_share, cap_rate, tier_terms):
    line = unit_price * quantity
    paid = (line - (line * discount_share).quantize(Decimal("0.01"), rounding=ROUND_DOWN))
    unit_cost = (unit_price * cost_share).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    amounts = item_commissions(base=paid, quantity=quantity, unit_cost=unit_cost,
                               cap_rate=cap_rate, terms=tier_terms)
    cap = item_cap(base=paid, quantity=quantity, unit_cost=unit_cost, cap_rate=cap_rate)

    assert sum(amounts.values(), Decimal("0")) <= cap <= paid
    assert cap <= (paid * cap_rate)
    assert cap <= max(Decimal("0"), paid - unit_cost * quantity)
    for term in tier_terms:
        amount = amounts[term.tier]
        assert amount >= 0
        assert amount == amount.quantize(Decimal("0.01"))
        exact = paid * term.rate if term.rate is not None else term.fixed_per_unit * quantity
        assert amount <= exact  # rounding never goes up, scaling never adds


def test_hand_computed_example():
    # 3 × ¥33.33, cost ¥20 each: paid 99.99, margin 39.99, global cap 50 % → 49.99.
    # Tier 1 10 % = 9.999 → 9.99; tier 2 5 % = 4.9995 → 4.99 (ROUND_DOWN, not half-up).
    amounts = item_commissions(
        base=Decimal("99.99"), quantity=3, unit_cost=Decimal("20.00"), cap_rate=Decimal("0.5"),
        terms=[TierTerm(tier=1, beneficiary_id=1, rate=Decimal("0.10")),
               TierTerm(tier=2, beneficiary_id=2, rate=Decimal("0.05"))])

    assert amounts == {1: Decimal("9.99"), 2: Decimal("4.99")}


def test_margin_cap_scales_tiers_proportionally():
    # paid 100, cost 95 → margin 5 < raw 10 + 5; scaled by 5/15: 3.333 → 3.33, 1.666 → 1.66.
    amounts = item_commissions(
        base=Decimal("100.00"), quantity=1, unit_cost=Decimal("95.00"), cap_rate=Decimal("0.5"),
        terms=[TierTerm(tier=1, beneficiary_id=1, rate=Decimal("0.10")),
               TierTerm(tier=2, beneficiary_id=2, rate=Decimal("0.05"))])

    assert amounts == {1: Decimal("3.33"), 2: Decimal("1.66")}


def test_fixed_amount_is_per_unit_not_per_line():
    amounts = item_commissions(
        base=Decimal("300.00"), quantity=3, unit_cost=Decimal("50.00"), cap_rate=Decimal("0.5"),
        terms=[TierTerm(tier=1, beneficiary_id=1, fixed_per_unit=Decimal("8.00"))])

    assert amounts == {1: Decimal("24.00")}


def test_a_fourth_tier_cannot_even_be_expressed():
    with pytest.raises(ValueError, match="tier 4"):
        TierTerm(tier=4, beneficiary_id=1, rate=Decimal("0.01"))


def test_nothing_is_earned_on_a_fully_refunded_item():
    amounts = item_commissions(
        base=Decimal("0.00"), quantity=0, unit_cost=Decimal("10.00"), cap_rate=Decimal("0.5"),
        terms=[TierTerm(tier=1, beneficiary_id=1, rate=Decimal("0.10"))])

    assert amounts == {1: Decimal("0.00")}
