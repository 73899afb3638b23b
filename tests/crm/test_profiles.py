"""Lifecycle stage, RFM and KOC against hand-built members and hand-computed figures
(defaults: asleep ≥ 30 days, lost ≥ 90; R 3 ≤ 30 d, 2 ≤ 90 d; F 2 from 2, 3 from 5 orders;
M 2 from ¥100, 3 from ¥500; KOC ≥ 3 direct sign-ups with ≥ 2 paid orders)."""

from datetime import date
from decimal import Decimal

import pytest

from crm.models import MemberProfile, Stage
from crm.services.profiles import profiles_compute
from distribution.models import ConversionKind, ShareConversion, ShareLink
from orders.models import OrderState
from tests.crm.audience_world import paid_order
from tests.crm.helpers import sh
from tests.distribution.factories import MemberFactory
from tests.mall.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 5)


def profile(user):
    p = MemberProfile.objects.get(user=user)
    return p.stage, (p.r_score, p.f_score, p.m_score), p.paid_orders, p.spend


def test_stage_and_rfm_of_hand_built_members():
    shop = ShopFactory()
    joined = sh(1, 12)
    a, b, c, d, e, f = (UserFactory(date_joined=joined) for _ in range(6))
    paid_order(b, shop, "80.00", sh(3, 12))
    paid_order(c, shop, "60.00", sh(20, 12, month=11))
    paid_order(c, shop, "70.00", sh(28, 12, month=11))
    for day in (1, 5, 10, 15, 20):
        paid_order(d, shop, "120.00", sh(day, 12, month=10))
    paid_order(e, shop, "50.00", sh(1, 12, month=8))
    paid_order(f, shop, "99.00", sh(2, 12), state=OrderState.CANCELLED)
    f.date_joined = sh(1, 12, month=9)
    f.save(update_fields=["date_joined"])

    profiles_compute(today=TODAY)

    assert profile(a) == (Stage.NEW, (0, 0, 0), 0, Decimal("0.00"))
    assert profile(b) == (Stage.NEW, (3, 1, 1), 1, Decimal("80.00"))  # 2 days ago
    assert profile(c) == (Stage.ACTIVE, (3, 2, 2), 2, Decimal("130.00"))  # 7 days ago
    assert profile(d) == (Stage.ASLEEP, (2, 3, 3), 5, Decimal("600.00"))  # Oct 20: 46 days
    assert profile(e) == (Stage.LOST, (1, 1, 1), 1, Decimal("50.00"))  # Aug 1: 126 days
    assert profile(f) == (Stage.LOST, (0, 0, 0), 0, Decimal("0.00"))  # cancelled; joined 95 days ago


def test_koc_needs_both_sign_ups_and_their_orders_and_the_day_before_is_kept():
    shop = ShopFactory()
    koc, near = MemberFactory(), MemberFactory()
    invitees = [MemberFactory(parent=koc) for _ in range(3)]
    near_invitees = [MemberFactory(parent=near) for _ in range(3)]
    paid_order(invitees[0].user, shop, "30.00", sh(2, 12))
    paid_order(invitees[1].user, shop, "30.00", sh(3, 12))
    paid_order(near_invitees[0].user, shop, "30.00", sh(3, 12))

    profiles_compute(today=TODAY)
    profiles_compute(today=TODAY)  # twice: the same figures

    k, n = MemberProfile.objects.get(user=koc.user), MemberProfile.objects.get(user=near.user)
    assert (k.invites, k.invitee_orders, k.koc_from_funnel, k.is_koc) == (3, 2, False, True)
    assert (n.invites, n.invitee_orders, n.koc_from_funnel, n.is_koc) == (3, 1, False, False)
    assert MemberProfile.objects.get(user=invitees[0].user).previous_stage == Stage.NEW


def credit(link, user, *, order=None):
    kind = ConversionKind.ORDER if order else ConversionKind.SIGNUP
    ShareConversion.objects.create(kind=kind, link=link, day=TODAY, user=user, order=order,
                                   amount=order.total_amount if order else 0)


def test_koc_counts_the_share_funnel_where_the_members_links_recorded_conversions():
    """sharer: 1 direct sign-up with no order in the tree, but their two links credited 3
    sign-ups and 3 orders, one of them since cancelled → funnel (3, 2): KOC. tree_koc: 3 direct
    sign-ups with 2 paid orders (KOC by the tree) and one link that credited 1 sign-up, no
    order → the funnel's (1, 0) is used: not KOC."""
    shop = ShopFactory()
    sharer, tree_koc = MemberFactory(is_reseller=True), MemberFactory(is_reseller=True)
    MemberFactory(parent=sharer)
    poster, qr = (ShareLink.objects.create(reseller=sharer, channel=c) for c in ("poster", "qr"))
    buyers = [UserFactory() for _ in range(3)]
    for link, buyer in zip((poster, poster, qr), buyers, strict=True):
        credit(link, buyer)
    credit(poster, buyers[0], order=paid_order(buyers[0], shop, "80.00", sh(2, 12)))
    credit(qr, buyers[1], order=paid_order(buyers[1], shop, "50.00", sh(3, 12)))
    credit(qr, buyers[2], order=paid_order(buyers[2], shop, "60.00", sh(3, 12), state=OrderState.CANCELLED))
    invitees = [MemberFactory(parent=tree_koc) for _ in range(3)]
    paid_order(invitees[0].user, shop, "30.00", sh(2, 12))
    paid_order(invitees[1].user, shop, "30.00", sh(3, 12))
    credit(ShareLink.objects.create(reseller=tree_koc, channel="link"), invitees[2].user)

    profiles_compute(today=TODAY)

    s, t = MemberProfile.objects.get(user=sharer.user), MemberProfile.objects.get(user=tree_koc.user)
    assert (s.invites, s.invitee_orders, s.koc_from_funnel, s.is_koc) == (3, 2, True, True)
    assert (t.invites, t.invitee_orders, t.koc_from_funnel, t.is_koc) == (1, 0, True, False)
