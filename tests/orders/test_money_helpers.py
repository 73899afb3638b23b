from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.money import allocate, from_fen, to_fen, unit_share_total


def test_to_fen_and_back_are_exact():
    assert to_fen(Decimal("12.34")) == 1234
    assert from_fen(1234) == Decimal("12.34")
    with pytest.raises(ValueError, match="more than 2 decimal places"):
        to_fen(Decimal("0.001"))
    with pytest.raises(TypeError):
        from_fen(12.5)


def test_unit_shares_round_down_and_the_last_unit_takes_the_remainder():
    assert [unit_share_total(Decimal("29.99"), 3, n) for n in range(4)] == [
        Decimal("0.00"),
        Decimal("9.99"),
        Decimal("19.98"),
        Decimal("29.99"),
    ]


@given(
    st.integers(min_value=1, max_value=10**7),
    st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=8),
)
def test_allocate_always_sums_exactly(total_fen, weights):
    total = from_fen(total_fen)
    shares = allocate(total, [Decimal(w) for w in weights])

    assert sum(shares) == total
    assert all(s >= 0 and s == s.quantize(Decimal("0.01")) for s in shares)


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=1, max_value=50), st.data())
def test_any_split_of_units_refunds_exactly_the_paid_amount(paid_fen, quantity, data):
    paid = from_fen(paid_fen)
    cuts = sorted(data.draw(st.lists(st.integers(min_value=0, max_value=quantity), max_size=5)))
    points = [0, *cuts, quantity]

    parts = [
        unit_share_total(paid, quantity, b) - unit_share_total(paid, quantity, a) for a, b in pairwise(points)
    ]

    assert sum(parts) == paid
    assert all(p >= 0 for p in parts)
