"""Sign-up through the real ``user_register`` service: the member node and its binding."""

import pytest

from distribution.models import BindingHistory, Member
from distribution.referral.errors import InviteCodeMalformed, InviteCodeUnknown
from distribution.referral.services.members import member_create_for_user, member_get_or_create_for_user
from distribution.referral.tree import layout
from mall.models import User
from mall.services.accounts import user_register
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import assert_forest_exact
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Quanzi-test-123"


@pytest.fixture(autouse=True)
def _no_sms(settings):
    settings.SIGNUP_REQUIRES_SMS_CODE = False


def signup(phone: str, invite_code: str | None = None, source: str = "code") -> User:
    return user_register(phone=phone, password=PASSWORD, invite_code=invite_code, source=source)


def test_signup_without_invite_makes_a_new_root_numbered_at_once():
    user = signup("13700000001")

    member = user.member
    assert (member.parent_id, member.depth, member.lft, member.rght) == (None, 0, 1, layout.ROOT_RGHT)
    assert (member.bound_at, member.bind_source) == (None, "")
    assert not BindingHistory.objects.exists()


def test_roots_get_distinct_tree_ids():
    members = [signup(f"1370000000{i}").member for i in range(4)]

    assert len({m.tree_id for m in members}) == 4


def test_signup_with_invite_binds_at_once_and_is_placed_after_commit(django_capture_on_commit_callbacks):
    inviter = MemberFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user = signup("13700000002", invite_code=inviter.invite_code.lower(), source="qr")

    member = Member.objects.get(user=user)
    assert (member.parent_id, member.tree_id, member.depth, member.lft, member.rght) == (
        inviter.pk, inviter.tree_id, 1, 0, 0)
    assert member.bind_source == "qr" and member.bound_at is not None
    history = BindingHistory.objects.get()
    assert (history.member_id, history.old_parent_id, history.new_parent_id, history.source,
            history.operator_id) == (member.pk, None, inviter.pk, "qr", None)
    # when: the sign-up's placement callback runs after commit (eager Celery in tests: inline);
    # the other callbacks are settings rows filling the cache.
    placements = [c for c in callbacks if "placement" in c.__qualname__]
    assert len(placements) == 1
    placements[0]()
    member.refresh_from_db()
    assert member.lft > inviter.lft and member.rght < inviter.rght
    assert_forest_exact()


def test_an_unknown_signup_source_is_recorded_as_code():
    inviter = MemberFactory()

    user = signup("13700000003", invite_code=inviter.invite_code, source="sms")

    assert user.member.bind_source == "code"
    assert BindingHistory.objects.get().source == "code"


@pytest.mark.parametrize(("code", "error"), [
    ("ABC", InviteCodeMalformed),
    ("ABCDEFGHI0", InviteCodeMalformed),  # 0 is not in the alphabet
    ("ABCDEFGHJK", InviteCodeUnknown),
])
def test_a_bad_invite_code_refuses_the_whole_signup(code, error):
    MemberFactory()
    users_before = User.objects.count()

    with pytest.raises(error):
        signup("13700000004", invite_code=code)

    assert User.objects.count() == users_before
    assert not User.objects.filter(phone="13700000004").exists()
    assert Member.objects.count() == 1
    assert not BindingHistory.objects.exists()


def test_a_user_made_outside_signup_gets_a_root_on_first_use():
    user = UserFactory()

    member = member_get_or_create_for_user(user=user)
    again = member_get_or_create_for_user(user=user)

    assert member.pk == again.pk and member.parent_id is None
    assert Member.objects.filter(user=user).count() == 1


def test_members_under_one_inviter_share_its_tree():
    inviter = MemberFactory()
    users = [signup(f"1370000001{i}", invite_code=inviter.invite_code) for i in range(3)]

    assert {u.member.tree_id for u in users} == {inviter.tree_id}
    assert [u.member.parent_id for u in users] == [inviter.pk] * 3


def test_the_member_a_signup_returns_carries_its_stored_invite_code():
    # given: an inviter (on PostgreSQL the sign-up is one INSERT … RETURNING statement)
    inviter = MemberFactory()

    # when
    member = member_create_for_user(user=UserFactory(), invite_code=inviter.invite_code)

    # then: the returned node can invite at once, with the code that is stored
    stored = Member.objects.get(pk=member.pk)
    assert member.invite_code == stored.invite_code
    assert len(stored.invite_code) == 10
    invitee = member_create_for_user(user=UserFactory(), invite_code=member.invite_code)
    assert invitee.parent_id == member.pk
