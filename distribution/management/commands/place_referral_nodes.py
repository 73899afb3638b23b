from django.core.management.base import BaseCommand

from distribution.referral.services.placement import (
    referral_tree_place_pending,
    referral_trees_place_all_pending,
)


class Command(BaseCommand):
    help = "Number the pending members of one referral tree, or of every tree that has some."

    def add_arguments(self, parser):
        parser.add_argument("--tree-id", type=int, default=None)

    def handle(self, *args, tree_id=None, **options):
        if tree_id is None:
            result = referral_trees_place_all_pending()
            self.stdout.write(f"placed {result.placed} members in {result.trees} trees "
                              f"({result.skipped} trees busy, left for the next run)")
            return
        placed = referral_tree_place_pending(tree_id=tree_id, wait=True)
        self.stdout.write(f"tree {tree_id}: placed {placed.placed} members, wrote {placed.rewritten} rows, "
                          f"respaced {len(placed.respaced)} subtrees")
