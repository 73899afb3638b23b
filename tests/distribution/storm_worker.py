"""One process of the sign-up storm (``test_storm.py``). Run as a script:

    python -m tests.distribution.storm_worker WORKER SIGNUPS MOVES START_AT

against the database named by DATABASE_URL. Prints one JSON line with its counts and
every unexpected exception (the "no 500" criterion: a domain error is an answer, anything
else would have been a 500).
"""

import json
import os
import random
import sys
import time
import traceback


def phone(worker: int, i: int) -> str:
    return f"1{3 + worker % 7}{worker}{i:08d}"  # distinct per worker, and from the factories' 139...


def main(worker: int, signups: int, moves: int, start_at: float) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.conf import settings
    from django.db import connection

    from common.errors import DomainError
    from distribution.models import Member
    from distribution.referral.services.moves import member_move
    from mall.services.accounts import user_register

    settings.SIGNUP_REQUIRES_SMS_CODE = False
    rng = random.Random(worker)
    report = {"worker": worker, "signups": 0, "roots": 0, "moves": 0, "refused_moves": 0, "unexpected": []}
    big_root = Member.objects.filter(parent__isnull=True).order_by("id").first()
    big_tree = big_root.tree_id  # its root is never moved, so its tree_id stays
    move_at = set(rng.sample(range(signups), moves))
    time.sleep(max(0.0, start_at - time.time()))

    def inviter_code() -> str:
        # preferential attachment: a random member of the big tree, or (half the time) its
        # upline, which favours members who already have many downlines
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT invite_code, parent_id FROM {Member._meta.db_table} WHERE tree_id = %s"
                " ORDER BY random() LIMIT 1", [big_tree])
            code, parent_id = cursor.fetchone()
        if parent_id is not None and rng.random() < 0.5:
            code = Member.objects.values_list("invite_code", flat=True).get(pk=parent_id)
        return code

    for i in range(signups):
        try:
            if rng.random() < 0.05:
                user_register(phone=phone(worker, i), password="Storm-pass-123", source="link")
                report["roots"] += 1
            else:
                user_register(phone=phone(worker, i), password="Storm-pass-123",
                              invite_code=inviter_code(), source="link")
            report["signups"] += 1
            if i in move_at:
                for _attempt in range(10):  # until one is applied: a random pair may be refused
                    mover = Member.objects.exclude(pk=big_root.pk).order_by("?").first()
                    target = Member.objects.order_by("?").first()
                    new_parent = None if rng.random() < 0.15 else target
                    try:
                        member_move(member=mover, new_parent=new_parent, operator=None, reason="storm")
                    except DomainError:  # a cycle or the same upline: refused, as it should be
                        report["refused_moves"] += 1
                    else:
                        report["moves"] += 1
                        break
        except Exception:
            report["unexpected"].append(traceback.format_exc())
    return report


if __name__ == "__main__":
    args = sys.argv[1:]
    print(json.dumps(main(int(args[0]), int(args[1]), int(args[2]), float(args[3]))))
