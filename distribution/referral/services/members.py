"""Member nodes: creation at sign-up, invite codes, own sales."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.constants import OnConflict
from django.utils import timezone

from common.db import is_postgres
from common.fields import money_value
from common.money import to_money
from distribution import lock_objects
from distribution.models import BindingHistory, BindSource, Member
from distribution.referral.errors import InviteCodeOwn, InviteCodeUnknown, MemberNotFound
from distribution.referral.services.invite_codes import invite_code_generate, invite_code_normalize
from distribution.referral.services.invite_lookup import invite_code_lookup
from distribution.referral.services.placement import placement_schedule
from distribution.referral.tree import layout, store
from distribution.referral.tree.signup import insert_pending_member
from mall.models import User

SIGNUP_SOURCES = frozenset({BindSource.LINK, BindSource.QR, BindSource.CODE})
_CODE_ATTEMPTS = 5


class MemberExists(RuntimeError):
    """A programming error: this user already has a member node."""


@transaction.atomic(savepoint=False)
def member_create_for_user(*, user: User, invite_code: str | None = None,
                           source: str = BindSource.CODE, ip: str = "") -> Member:
    """Create the user's member node; called by the ``user_registered`` hook inside the
    sign-up transaction, so a bad invite code refuses the whole sign-up.

    With an inviter the member is *pending* (see ``distribution/tree``): a row with its
    parent link, plus a binding-history row. The cost does not depend on the tree's size.
    Without one it becomes the root of a new tree, numbered at once. The code is looked up
    within the invite-lookup limits of the client address ``ip`` (``invite_lookup``).
    """
    if invite_code is None or not invite_code.strip():
        return _create_root(user_id=user.pk)
    source = source if source in SIGNUP_SOURCES else BindSource.CODE
    now = timezone.now()
    create = _create_pending_pg if is_postgres() else _create_pending
    member = invite_code_lookup(
        invite_code=invite_code, ip=ip,
        find=lambda code: create(user_id=user.pk, code=code, source=source, now=now))
    placement_schedule(tree_id=member.tree_id)
    return member


def _create_pending_pg(*, user_id: int, code: str, source: str, now: datetime) -> Member:
    """One statement: inviter locked FOR KEY SHARE, member row, history row."""
    for _attempt in range(_CODE_ATTEMPTS):
        new_code = invite_code_generate()
        row = insert_pending_member(user_id=user_id, inviter_code=code, new_code=new_code,
                                    source=source, now=now)
        if row is None:
            raise InviteCodeUnknown()
        if row.inviter_user_id == user_id:
            raise InviteCodeOwn()  # the transaction rolls back the row just written
        if row.member_id is not None:
            member = Member(pk=row.member_id, user_id=user_id, parent_id=row.inviter_id, tree_id=row.tree_id,
                            depth=row.depth, lft=0, rght=0, joined_at=now, bound_at=now, bind_source=source,
                            invite_code=new_code)
            member._state.adding = False
            member._state.db = "default"
            return member
        if Member.objects.filter(user_id=user_id).exists():
            raise MemberExists(f"user {user_id} already has a member node")
    raise RuntimeError("could not find a free invite code")  # 5 collisions in a row: a broken RNG


def _create_pending(*, user_id: int, code: str, source: str, now: datetime) -> Member:
    """The portable form (SQLite, the embedded mode): the same rows, three statements."""
    inviter = lock_objects.member_lock_inviter(invite_code=code)
    if inviter is None:
        raise InviteCodeUnknown()
    if inviter.user_id == user_id:
        raise InviteCodeOwn()
    member = _insert(Member(user_id=user_id, parent_id=inviter.id, tree_id=inviter.tree_id,
                            depth=inviter.depth + 1, lft=0, rght=0, bound_at=now, bind_source=source,
                            joined_at=now))
    BindingHistory.objects.bulk_create([BindingHistory(
        member_id=member.pk, old_parent=None, new_parent_id=inviter.id, source=source, reason="sign-up")])
    return member


def member_get_or_create_for_user(*, user: User) -> Member:
    """The user's member node; users made outside sign-up (staff, imports) get a root."""
    member = Member.objects.filter(user_id=user.pk).first()
    if member is not None:
        return member
    try:
        with transaction.atomic():
            return member_create_for_user(user=user)
    except MemberExists:  # created concurrently
        return Member.objects.get(user_id=user.pk)


def _create_root(*, user_id: int) -> Member:
    # The global lock makes max(tree_id) + 1 unique; it is held to the end of the
    # sign-up transaction, which has nothing left to do but commit.
    lock_objects.roots_lock()
    return _insert(Member(user_id=user_id, parent=None, tree_id=store.next_tree_id(), depth=0,
                          lft=layout.ROOT_LFT, rght=layout.ROOT_RGHT))


def _insert(member: Member) -> Member:
    """A plain INSERT (no django-mptt ``save()``), with a fresh random invite code.

    ``ON CONFLICT DO NOTHING`` turns the (astronomically rare, 49.5 bits) code collision
    into "no row": try another code without aborting the caller's transaction.
    """
    fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    for _attempt in range(_CODE_ATTEMPTS):
        member.invite_code = invite_code_generate()
        rows = Member.objects._insert([member], fields=fields,
                                      returning_fields=Member._meta.db_returning_fields,
                                      on_conflict=OnConflict.IGNORE)
        if rows and rows[0] is not None:
            member.pk = rows[0][0]
            member._state.adding = False
            member._state.db = "default"
            return member
        if Member.objects.filter(user_id=member.user_id).exists():
            raise MemberExists(f"user {member.user_id} already has a member node")
    raise RuntimeError("could not find a free invite code")  # 5 collisions in a row: a broken RNG


def member_regenerate_invite_code(*, member: Member) -> str:
    """Staff: give the member a new code; the old one stops working at once."""
    for _attempt in range(_CODE_ATTEMPTS):
        code = invite_code_generate()
        try:
            with transaction.atomic():
                updated = Member.objects.filter(pk=member.pk).update(invite_code=code)
        except IntegrityError:  # the code is taken: draw again
            continue
        if not updated:
            raise MemberNotFound()
        member.invite_code = code
        return code
    raise RuntimeError("could not find a free invite code")


def member_record_paid_sales(*, member_id: int, amount: Decimal) -> None:
    """Add ``amount`` (negative for a refund) to the member's own paid sales.

    For the orders hook. A single-row UPDATE with ``F()``: concurrent payments add up, and
    it waits for at most one placement batch holding the row.
    """
    amount = to_money(amount)
    sales = F("own_paid_sales") + money_value(amount)
    if not Member.objects.filter(pk=member_id).update(own_paid_sales=sales):
        raise MemberNotFound()


def member_find_by_code(*, invite_code: str) -> Member | None:
    code = invite_code_normalize(invite_code)
    if code is None:
        return None
    return Member.objects.select_related("user").filter(invite_code=code).first()
