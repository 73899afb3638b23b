"""I6: recruiting earns nothing. A member with 100 invitees and no sales."""

from decimal import Decimal

import pytest

from distribution.models import Member
from distribution.referral import selectors
from distribution.referral.services.placement import referral_tree_place_pending
from tests.distribution.factories import MemberFactory, ResellerLevelFactory

pytestmark = pytest.mark.django_db


def test_a_recruiter_with_100_invitees_and_no_sales_has_no_sales_and_keeps_the_level():
    level = ResellerLevelFactory(name="普通", weight=1, is_default=True)
    recruiter = MemberFactory(is_reseller=True, level=level)
    for _ in range(100):
        MemberFactory(parent=recruiter, place=False)
    referral_tree_place_pending(tree_id=recruiter.tree_id)

    recruiter = Member.objects.get(pk=recruiter.pk)
    assert selectors.team_size(member=recruiter) == 100
    assert recruiter.own_paid_sales == Decimal("0.00")
    assert selectors.team_paid_sales(member=recruiter) == Decimal("0.00")
    assert recruiter.level_id == level.pk
