"""Acceptance 1 (I1): a sign-up storm from real processes, with staff moves in between."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from distribution.models import Member
from distribution.referral.services.placement import referral_trees_place_all_pending
from distribution.referral.tree.check import check_forest
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import mptt_rebuild_numbers, ranks

WORKERS = 8
SIGNUPS = 250
MOVES = 20  # in total, spread over the workers
REPO = Path(__file__).resolve().parents[2]


def _spawn(worker: int, moves: int, start_at: float) -> subprocess.Popen:
    settings = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           # the children must use pytest-django's test database, not the configured one
           "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.distribution.storm_worker", str(worker), str(SIGNUPS), str(moves),
         str(start_at)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_signup_storm_with_moves_leaves_every_tree_exact():
    # given: one big tree, grown by preferential attachment
    root = MemberFactory()
    members = [root]
    for i in range(60):
        members.append(MemberFactory(parent=members[(i * 7919) % len(members)]))
    started = time.monotonic()

    # when: 8 processes sign up 250 members each at once, 20 staff moves among them
    start_at = time.time() + 3.0  # after every child has started Django
    moves = [MOVES // WORKERS + (1 if w < MOVES % WORKERS else 0) for w in range(WORKERS)]
    procs = [_spawn(w, moves[w], start_at) for w in range(WORKERS)]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-3000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    referral_trees_place_all_pending()
    elapsed = time.monotonic() - started

    # then
    unexpected = [tb for r in reports for tb in r["unexpected"]]
    assert unexpected == [], unexpected[0]
    assert sum(r["signups"] for r in reports) == WORKERS * SIGNUPS
    assert sum(r["moves"] for r in reports) == MOVES
    assert Member.objects.count() == 61 + WORKERS * SIGNUPS
    assert not Member.objects.filter(lft=0).exists()
    report = check_forest(stale_before=timezone.now())
    assert (report.problems, report.details) == (0, [])
    roots = list(Member.objects.filter(parent__isnull=True).values_list("tree_id", flat=True))
    assert len(roots) == len(set(roots)) == report.trees
    assert ranks(root.tree_id) == mptt_rebuild_numbers(root.tree_id)
    assert Member.objects.filter(tree_id=root.tree_id).count() > WORKERS * SIGNUPS // 2
    print(f"\nstorm: {WORKERS}x{SIGNUPS} sign-ups, {sum(r['moves'] for r in reports)} moves "
          f"({sum(r['refused_moves'] for r in reports)} refused), {report.trees} trees, {elapsed:.1f} s")
