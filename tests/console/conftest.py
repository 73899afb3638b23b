import datetime

import pytest

from console.dates import local_today
from console.services.rollup import figures_rollup_day, figures_rollup_range
from tests.console.world import World, build_world

# The console tests pay and ship real orders through the sandbox gateway.
from tests.orders.conftest import _payment_settings, sandbox_key_dir  # noqa: F401


def roll_up_world(w: World) -> None:
    figures_rollup_range(first=w.day(-1), last=w.day(3))
    figures_rollup_day(day=w.day(40))
    figures_rollup_day(day=local_today())


@pytest.fixture
def world(db) -> World:
    w = build_world()
    roll_up_world(w)
    return w


@pytest.fixture
def raw_world(db) -> World:
    """The world without any rollup."""
    return build_world()


__all__ = ["datetime"]
