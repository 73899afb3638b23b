"""Binding after sign-up: a signed-in member enters or follows an invite.

The bind mode (``ReferralSettings.bind_mode``) decides whether an existing binding may
change: ``permanent`` (only an unbound member, within N minutes of signing up),
``protected`` (a binding holds N days), ``override`` (every valid invite re-binds).
"""

from datetime import datetime, timedelta

from django.utils import timezone

from distribution.models import BindMode, BindSource, Member, ReferralSettings
from distribution.referral.errors import AlreadyBound, BindingWindowClosed, InviteCodeOwn
from distribution.referral.services.invite_lookup import invite_code_resolve
from distribution.referral.services.moves import member_rebind
from distribution.referral.services.settings import referral_settings_get

BIND_SOURCES = frozenset({BindSource.LINK, BindSource.QR, BindSource.CODE})


def member_bind(*, member: Member, invite_code: str, source: str = BindSource.CODE, ip: str = "") -> Member:
    """Bind ``member`` under the owner of ``invite_code``, if the bind mode allows it.

    The code is looked up within the invite-lookup limits (``invite_lookup``: per client
    address ``ip`` and per member). Checked before anything is locked (cheap refusals), and
    the mode rules again under the tree locks with fresh rows (two binds racing cannot both
    win in permanent mode).
    """
    inviter = invite_code_resolve(invite_code=invite_code, ip=ip, user_id=member.user_id)
    if inviter.pk == member.pk:
        raise InviteCodeOwn()
    rules = referral_settings_get()

    def check(fresh: Member) -> None:
        _check_mode(fresh, inviter, rules, timezone.now())

    check(Member.objects.get(pk=member.pk))
    source = source if source in BIND_SOURCES else BindSource.CODE
    return member_rebind(member=member, inviter=inviter, source=source, reason="invite", check=check)


def _check_mode(member: Member, inviter: Member, rules: ReferralSettings, now: datetime) -> None:
    if member.parent_id == inviter.pk:
        raise AlreadyBound()
    if rules.bind_mode == BindMode.PERMANENT:
        if member.parent_id is not None:
            raise AlreadyBound()
        if now > member.joined_at + timedelta(minutes=rules.permanent_window_minutes):
            raise BindingWindowClosed()
    elif rules.bind_mode == BindMode.PROTECTED and member.parent_id is not None:
        bound_at = member.bound_at or member.joined_at
        if now < bound_at + timedelta(days=rules.protected_days):
            raise AlreadyBound()
