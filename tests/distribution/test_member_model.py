"""Member rows are written by the services only; a save never touches tree columns."""

import pytest

from distribution.models import Member, TreeWriteRefused
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import assert_forest_exact
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_saving_a_stale_instance_does_not_write_its_tree_columns():
    root = MemberFactory()
    a = MemberFactory(parent=root)
    stale = Member.objects.get(pk=root.pk)
    stale.lft, stale.rght = 5, 6
    stale.is_active = False

    stale.save()

    fresh = Member.objects.get(pk=root.pk)
    assert (fresh.lft, fresh.is_active) == (1, False)
    assert Member.objects.get(pk=a.pk).parent_id == root.pk
    assert_forest_exact()


def test_changing_the_upline_through_save_is_refused():
    root, other = MemberFactory(), MemberFactory()
    member = MemberFactory(parent=root)
    member.parent = other

    with pytest.raises(TreeWriteRefused):
        member.save()

    assert Member.objects.get(pk=member.pk).parent_id == root.pk


def test_creating_or_deleting_through_the_orm_is_refused():
    user = UserFactory()

    with pytest.raises(TreeWriteRefused):
        Member.objects.create(user=user, invite_code="ABCDEFGHJK", tree_id=1, depth=0)
    with pytest.raises(TreeWriteRefused):
        MemberFactory().delete()

    assert not Member.objects.filter(user=user).exists()


def test_tree_columns_cannot_be_named_in_update_fields():
    member = MemberFactory()

    with pytest.raises(TreeWriteRefused):
        member.save(update_fields=["lft"])
