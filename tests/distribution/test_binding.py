"""Binding after sign-up, by bind mode, and every way it is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from distribution.models import BindingHistory, Member
from distribution.referral.errors import (
    AlreadyBound,
    BindingCycle,
    BindingWindowClosed,
    InviteCodeMalformed,
    InviteCodeOwn,
    InviteCodeUnknown,
    InviteRateLimited,
)
from distribution.referral.services.binding import member_bind
from distribution.referral.services.settings import referral_settings_get, referral_settings_update
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import assert_forest_exact, snapshot

pytestmark = pytest.mark.django_db


def age(member: Member, **delta) -> None:
    Member.objects.filter(pk=member.pk).update(joined_at=timezone.now() - timedelta(**delta),
                                               bound_at=timezone.now() - timedelta(**delta))


def test_permanent_mode_binds_an_unbound_member_within_the_window():
    inviter, member = MemberFactory(), MemberFactory()
    team_member = MemberFactory(parent=member)

    bound = member_bind(member=member, invite_code=inviter.invite_code, source="link", ip="10.0.0.1")

    assert (bound.parent_id, bound.tree_id, bound.depth, bound.bind_source) == (
        inviter.pk, inviter.tree_id, 1, "link")
    assert Member.objects.get(pk=team_member.pk).tree_id == inviter.tree_id  # the team follows
    history = BindingHistory.objects.get(member=member)
    assert (history.old_parent_id, history.new_parent_id, history.source, history.operator_id) == (
        None, inviter.pk, "link", None)
    assert_forest_exact()


def test_permanent_mode_refuses_after_the_window_and_changes_nothing():
    inviter, member = MemberFactory(), MemberFactory()
    age(member, minutes=referral_settings_get().permanent_window_minutes + 1)
    before = snapshot()

    with pytest.raises(BindingWindowClosed):
        member_bind(member=member, invite_code=inviter.invite_code)

    assert snapshot() == before


def test_permanent_mode_refuses_a_bound_member():
    first, second = MemberFactory(), MemberFactory()
    member = MemberFactory(parent=first)
    before = snapshot()

    with pytest.raises(AlreadyBound):
        member_bind(member=member, invite_code=second.invite_code)

    assert snapshot() == before


def test_protected_mode_holds_the_binding_for_the_protection_period():
    referral_settings_update(bind_mode="protected", protected_days=30)
    first, second = MemberFactory(), MemberFactory()
    member = MemberFactory(parent=first)
    age(member, days=29)
    before = snapshot()

    with pytest.raises(AlreadyBound):
        member_bind(member=member, invite_code=second.invite_code)

    assert snapshot() == before


def test_protected_mode_rebinds_after_the_protection_period():
    referral_settings_update(bind_mode="protected", protected_days=30)
    first, second = MemberFactory(), MemberFactory()
    member = MemberFactory(parent=first)
    age(member, days=31)

    bound = member_bind(member=member, invite_code=second.invite_code, source="qr")

    assert bound.parent_id == second.pk
    rebind = BindingHistory.objects.filter(member=member).order_by("id").last()
    assert (rebind.old_parent_id, rebind.new_parent_id, rebind.source) == (first.pk, second.pk, "qr")
    assert_forest_exact()


def test_override_mode_rebinds_on_every_valid_invite():
    referral_settings_update(bind_mode="override")
    first, second = MemberFactory(), MemberFactory()
    member = MemberFactory(parent=first)

    member_bind(member=member, invite_code=second.invite_code)
    member_bind(member=member, invite_code=first.invite_code)

    assert Member.objects.get(pk=member.pk).parent_id == first.pk
    assert BindingHistory.objects.filter(member=member).count() == 3  # sign-up + 2 re-binds
    assert_forest_exact()


@pytest.mark.parametrize(("code", "error"), [
    ("", InviteCodeMalformed),
    ("12345", InviteCodeMalformed),
    ("OOOOOOOOOO", InviteCodeMalformed),
    ("ZZZZZZZZZZ", InviteCodeUnknown),
])
def test_bad_codes_are_refused_and_change_nothing(code, error):
    member = MemberFactory()
    before = snapshot()

    with pytest.raises(error):
        member_bind(member=member, invite_code=code)

    assert snapshot() == before


def test_own_code_is_refused():
    member = MemberFactory()
    before = snapshot()

    with pytest.raises(InviteCodeOwn):
        member_bind(member=member, invite_code=member.invite_code)

    assert snapshot() == before


def test_binding_into_own_team_is_refused_as_a_cycle():
    referral_settings_update(bind_mode="override")
    member = MemberFactory()
    downline = MemberFactory(parent=member)
    grand = MemberFactory(parent=downline, place=False)  # pending: the check must still see it
    before = snapshot()

    with pytest.raises(BindingCycle):
        member_bind(member=member, invite_code=grand.invite_code)

    assert snapshot() == before  # even the placement done under the lock was rolled back


def test_a_rebind_to_the_same_upline_is_already_bound():
    referral_settings_update(bind_mode="override")
    inviter = MemberFactory()
    member = MemberFactory(parent=inviter)
    before = snapshot()

    with pytest.raises(AlreadyBound):
        member_bind(member=member, invite_code=inviter.invite_code)

    assert snapshot() == before


def test_lookups_are_rate_limited_per_account():
    referral_settings_update(bind_mode="override", invite_lookups_per_minute_account=3)
    member = MemberFactory()
    for _ in range(3):
        with pytest.raises(InviteCodeUnknown):
            member_bind(member=member, invite_code="ZZZZZZZZZZ")
    inviter = MemberFactory()
    before = snapshot()

    with pytest.raises(InviteRateLimited):
        member_bind(member=member, invite_code=inviter.invite_code)

    assert snapshot() == before


def test_lookups_are_rate_limited_per_ip_across_accounts():
    referral_settings_update(invite_lookups_per_minute_ip=2)
    inviter = MemberFactory()
    for _ in range(2):
        with pytest.raises(InviteCodeUnknown):
            member_bind(member=MemberFactory(), invite_code="ZZZZZZZZZZ", ip="10.0.0.9")

    with pytest.raises(InviteRateLimited):
        member_bind(member=MemberFactory(), invite_code=inviter.invite_code, ip="10.0.0.9")
    assert not BindingHistory.objects.exists()


def test_settings_changes_are_seen_at_once_through_the_cache():
    assert referral_settings_get().bind_mode == "permanent"

    referral_settings_update(bind_mode="override")

    assert referral_settings_get().bind_mode == "override"
