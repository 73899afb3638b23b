"""The one rule for resolving an invite code that a client typed or followed.

Every such path calls ``invite_code_lookup``: sign-up (API and page, through the
``user_registered`` hook), binding (API and page), the share link ``/s/<code>`` and its QR
code ``/s/<code>/qr.png``. Staff look-ups in the admin do not: staff are not guessing.

The limits are ``ReferralSettings.invite_lookups_per_minute_ip`` (per client address; an
IPv6 client counts as its /64) and ``invite_lookups_per_minute_account`` (per signed-in
member), over a fixed one-minute window on the cache (Redis in production):

- each lookup takes a slot before it reads the database, and a code that exists gives its
  slot back, so only wrong codes use up the allowance (many shoppers behind one carrier
  NAT following real share links are not refused);
- once the allowance is used up every lookup is refused, right codes too, so the refusal
  tells a guesser nothing; the refused lookup changes nothing (``InviteRateLimited``,
  HTTP 429, ``invite_rate_limited``).
"""

from collections.abc import Callable
from typing import TypeVar

from common import ratelimit
from distribution.models import Member
from distribution.referral.errors import InviteCodeMalformed, InviteCodeUnknown, InviteRateLimited
from distribution.referral.services.invite_codes import invite_code_normalize
from distribution.referral.services.settings import referral_settings_get

LOOKUP_WINDOW_SECONDS = 60

T = TypeVar("T")


def _reserve(*, ip: str, user_id: int | None) -> list[str]:
    """Take one slot from each allowance that applies; refuse (and take nothing) when one
    is used up."""
    rules = referral_settings_get()
    wanted: list[tuple[str, int]] = []
    if ip:
        wanted.append((f"invite:ip:{ratelimit.address_key(ip)}", rules.invite_lookups_per_minute_ip))
    if user_id is not None:
        wanted.append((f"invite:acct:{user_id}", rules.invite_lookups_per_minute_account))
    taken: list[str] = []
    for key, limit in wanted:
        taken.append(key)
        if not ratelimit.hit(key, limit=limit, window_seconds=LOOKUP_WINDOW_SECONDS):
            _release(taken)
            raise InviteRateLimited()
    return taken


def _release(keys: list[str]) -> None:
    for key in keys:
        ratelimit.release(key)


def invite_code_lookup(*, invite_code: str, ip: str, user_id: int | None = None,
                       find: Callable[[str], T]) -> T:
    """Run ``find(normalized_code)`` within the lookup limits and return what it returns.

    ``find`` raises ``InviteCodeUnknown`` when no member has the code: that lookup keeps its
    slot. Anything else ``find`` returns or raises means the code exists: the slot is given
    back. ``ip`` is the client's address and ``user_id`` the signed-in member, if any;
    internal callers (seeding, factories) pass neither and are not limited.

    Raises ``InviteCodeMalformed`` (counts nothing: no lookup is made) or
    ``InviteRateLimited``.
    """
    code = invite_code_normalize(invite_code)
    if code is None:
        raise InviteCodeMalformed()
    slots = _reserve(ip=ip, user_id=user_id)
    found = True
    try:
        return find(code)
    except InviteCodeUnknown:
        found = False
        raise
    finally:
        if found:
            _release(slots)


def _member_by_code(code: str) -> Member:
    member = Member.objects.select_related("user").filter(invite_code=code).first()
    if member is None:
        raise InviteCodeUnknown()
    return member


def invite_code_resolve(*, invite_code: str, ip: str, user_id: int | None = None) -> Member:
    """The member who owns ``invite_code``, within the lookup limits (see the module)."""
    return invite_code_lookup(invite_code=invite_code, ip=ip, user_id=user_id, find=_member_by_code)
