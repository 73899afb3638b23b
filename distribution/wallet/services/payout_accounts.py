"""Payout accounts: adding one within the rules, and revealing a number to staff.

``payout_account_add`` (``services.withdrawals``) validates and encrypts the number; this
module adds what the member-facing pages and API need around it: only the channels the
rules allow, and a bounded number of accounts per member. Revealing a full number is a
separate, permissioned step that writes a ``SensitiveAccessLog`` row in the same
transaction (PIPL): no row, no number.
"""

from django.db import transaction

from common.db import advisory_xact_lock
from distribution.errors import WithdrawalChannelNotAllowed
from distribution.models import CommissionRules, Member, PayoutAccount, SensitiveAccessLog
from distribution.wallet.errors import (
    PayoutAccountLimit,
    PayoutAccountNotFound,
    RevealForbidden,
    RevealReasonRequired,
)
from distribution.wallet.services.withdrawals import payout_account_add
from mall.models import User

MAX_PAYOUT_ACCOUNTS = 10
PAYOUT_ACCOUNT_LOCK_NS = 0x515A5041  # "QZPA": one key per member id
REVEAL_PERMISSION = "distribution.pay_withdrawal"


@transaction.atomic
def payout_account_create(*, member: Member, channel: str, holder_name: str, account: str,
                          bank_name: str = "") -> PayoutAccount:
    """Add a payout account on a channel the rules allow; at most ``MAX_PAYOUT_ACCOUNTS``.

    The member's advisory lock makes the count and the insert one step, so two requests
    at once cannot both take the last slot.
    """
    if channel not in CommissionRules.get_solo().withdrawal_channels:
        raise WithdrawalChannelNotAllowed()
    advisory_xact_lock(member.pk, namespace=PAYOUT_ACCOUNT_LOCK_NS)
    if PayoutAccount.objects.filter(member=member).count() >= MAX_PAYOUT_ACCOUNTS:
        raise PayoutAccountLimit()
    return payout_account_add(member=member, channel=channel, holder_name=holder_name, account=account,
                              bank_name=bank_name)


def can_reveal_accounts(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(REVEAL_PERMISSION))


def _describe(account: PayoutAccount) -> str:
    return (f"payout account #{account.pk} ({account.channel} {account.account_masked}) "
            f"of member #{account.member_id}")[:200]


@transaction.atomic
def payout_account_reveal(*, account_id: int, staff: User, reason: str) -> str:
    """The full account number, for staff who pay withdrawals out, with a reason that is
    logged (who, what, when, why) before the number is returned."""
    if not can_reveal_accounts(staff):
        raise RevealForbidden()
    reason = (reason or "").strip()
    if not reason:
        raise RevealReasonRequired()
    account = PayoutAccount.objects.filter(pk=account_id).first()
    if account is None:
        raise PayoutAccountNotFound()
    SensitiveAccessLog.objects.create(staff=staff, object_repr=_describe(account), field="account_number",
                                      reason=reason[:200])
    return account.reveal()
