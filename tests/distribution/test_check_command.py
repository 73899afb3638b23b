"""``check_referral_tree``: silent on a good forest, loud (non-zero) on any drift."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from distribution.models import Member
from distribution.tasks import check_referral_trees
from tests.distribution.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = MemberFactory()
    a = MemberFactory(parent=root)
    b = MemberFactory(parent=root)
    a1 = MemberFactory(parent=a)
    other = MemberFactory()
    return {"root": root, "a": a, "b": b, "a1": a1, "other": other}


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("check_referral_tree", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_a_good_forest_passes(tree):
    MemberFactory(parent=tree["b"], place=False)  # fresh pending rows are fine

    assert run().strip() == ("OK: 2 trees, 6 members (5 placed, 1 pending, 0 pending beyond the bound),"
                             " 0 problems")
    assert "1 trees, 1 members" in run("--tree-id", str(tree["other"].tree_id))
    assert check_referral_trees() is True


def test_siblings_out_of_rebuild_order_are_drift(tree):
    a, b = Member.objects.get(pk=tree["a"].pk), Member.objects.get(pk=tree["b"].pk)
    Member.objects.filter(pk=a.pk).update(lft=b.lft, rght=b.rght)
    Member.objects.filter(pk=b.pk).update(lft=a.lft, rght=a.rght)
    Member.objects.filter(pk=tree["a1"].pk).update(lft=b.lft + 1, rght=b.lft + 2)

    with pytest.raises(CommandError, match="DRIFT"):
        run()
    assert check_referral_trees() is False


def test_a_wrong_depth_is_drift(tree):
    Member.objects.filter(pk=tree["a1"].pk).update(depth=5)

    with pytest.raises(CommandError, match=r"DRIFT.* 1 problems"):
        run()


def test_a_member_in_another_tree_than_its_parent_is_drift(tree):
    Member.objects.filter(pk=tree["a1"].pk).update(tree_id=tree["other"].tree_id)

    with pytest.raises(CommandError, match="DRIFT"):
        run()


def test_two_roots_sharing_a_tree_id_are_drift(tree):
    Member.objects.filter(pk=tree["other"].pk).update(tree_id=tree["root"].tree_id)

    with pytest.raises(CommandError, match="DRIFT"):
        run("--tree-id", str(tree["root"].tree_id))


def test_members_pending_beyond_the_bound_are_reported(tree):
    late = MemberFactory(parent=tree["b"], place=False)
    Member.objects.filter(pk=late.pk).update(joined_at=timezone.now() - timedelta(minutes=5))

    with pytest.raises(CommandError, match=r"STALE.*1 pending beyond the bound"):
        run()
    assert "OK" in run("--stale-seconds", "600")


def test_place_referral_nodes_places_one_tree_or_all(tree):
    from io import StringIO

    MemberFactory(parent=tree["a"], place=False)
    MemberFactory(parent=tree["other"], place=False)
    out = StringIO()

    call_command("place_referral_nodes", "--tree-id", str(tree["root"].tree_id), stdout=out)
    call_command("place_referral_nodes", stdout=out)

    assert out.getvalue().splitlines() == [
        f"tree {tree['root'].tree_id}: placed 1 members, wrote 1 rows, respaced 0 subtrees",
        "placed 1 members in 1 trees (0 trees busy, left for the next run)",
    ]
    assert not Member.objects.filter(lft=0).exists()


def test_the_placement_tasks_place_pending_members(tree):
    from distribution.tasks import place_pending_referral_trees, place_referral_tree

    MemberFactory(parent=tree["a"], place=False)
    MemberFactory(parent=tree["other"], place=False)

    assert place_referral_tree(tree["root"].tree_id) == 1
    assert place_pending_referral_trees() == 1
    assert not Member.objects.filter(lft=0).exists()
