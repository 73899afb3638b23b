from decimal import Decimal

import pytest

from common.money import format_cny, round_down, round_half_up, to_money


def test_round_down_never_rounds_up():
    assert round_down(Decimal("1.239")) == Decimal("1.23")
    assert round_down(Decimal("0.009")) == Decimal("0.00")


def test_round_half_up():
    assert round_half_up(Decimal("1.235")) == Decimal("1.24")


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("12.3"), "¥12.30"), (Decimal("0"), "¥0.00"), (Decimal("-5.5"), "-¥5.50"),
    (Decimal("12345.6"), "¥12,345.60"),
])
def test_format_cny(value, shown):
    assert format_cny(value) == shown


def test_to_money_refuses_sub_fen_amounts():
    assert to_money("12.3") == Decimal("12.30")
    with pytest.raises(ValueError, match="more than 2 decimal places"):
        to_money("1.001")
