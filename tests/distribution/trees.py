"""Test helpers: the forest as plain data, and the reference numbers from django-mptt."""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from distribution.models import Member
from distribution.referral.tree.check import check_forest


def ranks(tree_id: int) -> dict[int, tuple[int, int, int]]:
    """``{id: (lft rank, rght rank, depth)}``: the gapped numbers made dense (1..2n)."""
    rows = list(Member.objects.filter(tree_id=tree_id).values_list("id", "lft", "rght", "depth"))
    values = sorted(v for _, lft, rght, _ in rows for v in (lft, rght))
    rank = {v: i + 1 for i, v in enumerate(values)}
    assert len(rank) == len(values), "duplicate numbers in one tree"
    return {mid: (rank[lft], rank[rght], depth) for mid, lft, rght, depth in rows}


def mptt_rebuild_numbers(tree_id: int) -> dict[int, tuple[int, int, int]]:
    """What django-mptt's own ``partial_rebuild`` gives, read and then rolled back."""
    with transaction.atomic():
        Member.objects.partial_rebuild(tree_id)
        numbers = {mid: (lft, rght, depth) for mid, lft, rght, depth
                   in Member.objects.filter(tree_id=tree_id).values_list("id", "lft", "rght", "depth")}
        transaction.set_rollback(True)
    return numbers


def assert_forest_exact() -> None:
    """No pending rows, and every tree equals django-mptt's rebuild (up to the gaps)."""
    assert not Member.objects.filter(lft=0).exists()
    report = check_forest(stale_before=timezone.now())
    assert report.problems == 0, report.details
    for tree_id in Member.objects.order_by().values_list("tree_id", flat=True).distinct():
        assert ranks(tree_id) == mptt_rebuild_numbers(tree_id)


def parent_map() -> dict[int, int | None]:
    return dict(Member.objects.order_by().values_list("id", "parent_id"))


def children_map() -> dict[int | None, list[int]]:
    children = defaultdict(list)
    for mid, pid in sorted(parent_map().items()):
        children[pid].append(mid)
    return children


def snapshot() -> tuple[list[tuple], int]:
    """Every member row (all columns) and the number of history rows: to assert that a
    refused action changed nothing."""
    from distribution.models import BindingHistory

    rows = list(Member.objects.order_by("id").values_list())
    return rows, BindingHistory.objects.count()
