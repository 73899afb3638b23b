"""Payout accounts: adding one within the rules, and revealing a number to staff.

``payout_account_create`` checks the channel against the rules, the number's shape (bank
cards by their Luhn digit), and the limit of accounts per member, then stores the number
encrypted with only a masked copy in clear. Revealing a full number is a
separate, permissioned step that writes a ``SensitiveAccessLog`` row in the same
transaction (PIPL): no row, no number.
"""

import re

from django.db import transaction

from common.crypto import encrypt, mask_account
from common.db import advisory_xact_lock
from distribution.models import CommissionRules, Member, PayoutAccount, SensitiveAccessLog
from distribution.wallet.errors import (
    PayoutAccountInvalid,
    PayoutAccountLimit,
    PayoutAccountNotFound,
    RevealForbidden,
    RevealReasonRequired,
    WithdrawalChannelNotAllowed,
)
from mall.models import User

MAX_PAYOUT_ACCOUNTS = 10
BANK_RE = re.compile(r"^\d{12,19}$")
ALIPAY_RE = re.compile(r"^(1[3-9]\d{9}|[^@\s]+@[^@\s]+\.[A-Za-z]{2,})$")
WECHAT_RE = re.compile(r"^[A-Za-z0-9_\-]{6,64}$")
PAYOUT_ACCOUNT_LOCK_NS = 0x515A5041  # "QZPA": one key per member id
REVEAL_PERMISSION = "distribution.pay_withdrawal"


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _account_valid(*, channel: str, account: str, holder_name: str, bank_name: str) -> bool:
    valid = {
        PayoutAccount.Channel.BANK: lambda a: bool(BANK_RE.match(a)) and _luhn_ok(a) and bool(bank_name),
        PayoutAccount.Channel.ALIPAY: lambda a: bool(ALIPAY_RE.match(a)),
        PayoutAccount.Channel.WECHAT: lambda a: bool(WECHAT_RE.match(a)),
    }.get(channel)
    return valid is not None and bool(holder_name) and valid(account)


@transaction.atomic
def payout_account_create(*, member: Member, channel: str, holder_name: str, account: str,
                          bank_name: str = "") -> PayoutAccount:
    """Add a payout account on a channel the rules allow, with a well-formed number (a bank
    card passes its Luhn check and names its bank); at most ``MAX_PAYOUT_ACCOUNTS``.

    The member's advisory lock makes the count and the insert one step, so two requests
    at once cannot both take the last slot.
    """
    if channel not in CommissionRules.get_solo().withdrawal_channels:
        raise WithdrawalChannelNotAllowed()
    advisory_xact_lock(member.pk, namespace=PAYOUT_ACCOUNT_LOCK_NS)
    if PayoutAccount.objects.filter(member=member).count() >= MAX_PAYOUT_ACCOUNTS:
        raise PayoutAccountLimit()
    account = (account or "").replace(" ", "").strip()
    holder_name, bank_name = (holder_name or "").strip(), (bank_name or "").strip()
    if not _account_valid(channel=channel, account=account, holder_name=holder_name, bank_name=bank_name):
        raise PayoutAccountInvalid()
    return PayoutAccount.objects.create(
        member=member, channel=channel, holder_name=holder_name[:40], bank_name=bank_name[:60],
        account_encrypted=encrypt(account), account_masked=mask_account(account),
    )


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
