"""Withdrawals: request (holds at once), review, payout. Every step is a guarded
transition; the ledger's unique (withdrawal, kind) makes each money step happen once.
Maker-checker: the staff member who records the payout (paid or failed) is never the one
who approved the withdrawal, superusers included."""

import re
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from common.crypto import encrypt, mask_account
from common.money import round_half_up, to_money
from distribution import lock_objects
from distribution.errors import (
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    InsufficientBalance,
    PayoutAccountInvalid,
    PayoutByReviewerRefused,
    SelfApprovalRefused,
    WalletInDebt,
    WithdrawalAmountInvalid,
    WithdrawalBelowMinimum,
    WithdrawalChannelNotAllowed,
    WithdrawalDailyLimit,
    WithdrawalNotFound,
    WithdrawalReviewForbidden,
    WithdrawalStateInvalid,
)
from distribution.models import CommissionRules, LedgerEntry, Member, PayoutAccount, Withdrawal
from distribution.wallet.services.wallet import _post, wallet_for_member
from mall.models import User

KEY_RE = re.compile(r"^[A-Za-z0-9_\-:.]{8,64}$")
BANK_RE = re.compile(r"^\d{12,19}$")
ALIPAY_RE = re.compile(r"^(1[3-9]\d{9}|[^@\s]+@[^@\s]+\.[A-Za-z]{2,})$")
WECHAT_RE = re.compile(r"^[A-Za-z0-9_\-]{6,64}$")


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def payout_account_add(*, member: Member, channel: str, holder_name: str, account: str,
                       bank_name: str = "") -> PayoutAccount:
    account = (account or "").replace(" ", "").strip()
    holder_name = (holder_name or "").strip()
    valid = {
        PayoutAccount.Channel.BANK: lambda a: bool(BANK_RE.match(a)) and _luhn_ok(a),
        PayoutAccount.Channel.ALIPAY: lambda a: bool(ALIPAY_RE.match(a)),
        PayoutAccount.Channel.WECHAT: lambda a: bool(WECHAT_RE.match(a)),
    }.get(channel)
    if valid is None or not holder_name or not valid(account):
        raise PayoutAccountInvalid()
    if channel == PayoutAccount.Channel.BANK and not bank_name.strip():
        raise PayoutAccountInvalid()
    return PayoutAccount.objects.create(
        member=member, channel=channel, holder_name=holder_name[:40], bank_name=bank_name.strip()[:60],
        account_encrypted=encrypt(account), account_masked=mask_account(account),
    )


def _parse_amount(raw: Decimal | str) -> Decimal:
    try:
        amount = to_money(raw)
    except (ValueError, InvalidOperation):
        raise WithdrawalAmountInvalid() from None
    if amount <= 0:
        raise WithdrawalAmountInvalid()
    return amount


def _today_start() -> datetime:
    local_now = timezone.localtime()
    return timezone.make_aware(datetime.combine(local_now.date(), time.min))


@transaction.atomic
def withdrawal_request(*, member: Member, amount: Decimal | str, payout_account_id: int,
                       idempotency_key: str) -> Withdrawal:
    """Ask for a payout. The amount is held at once.

    The same ``idempotency_key`` returns the first withdrawal; the same key with a
    different amount or account is refused. The wallet row is locked first, so concurrent
    requests are serialized and can never hold more than is available (I4).
    """
    amount = _parse_amount(amount)
    if not KEY_RE.match(idempotency_key or ""):
        raise IdempotencyKeyInvalid()
    account = PayoutAccount.objects.filter(pk=payout_account_id, member=member).first()
    if account is None:
        raise PayoutAccountInvalid()
    wallet = lock_objects.wallet_lock(wallet_id=wallet_for_member(member=member).pk)
    existing = Withdrawal.objects.filter(wallet=wallet, idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.amount != amount or existing.payout_account_id != account.pk:
            raise IdempotencyKeyReused()
        return existing
    rules = CommissionRules.get_solo()
    if account.channel not in rules.withdrawal_channels:
        raise WithdrawalChannelNotAllowed()
    if amount < rules.withdrawal_min_amount:
        raise WithdrawalBelowMinimum()
    if wallet.available < 0:
        raise WalletInDebt()
    if wallet.available < amount:
        raise InsufficientBalance()
    today = (Withdrawal.objects.filter(wallet=wallet, requested_at__gte=_today_start())
             .exclude(state=Withdrawal.State.REJECTED).count())
    if today >= rules.withdrawal_daily_limit:
        raise WithdrawalDailyLimit()
    fee = round_half_up(amount * rules.withdrawal_fee_rate)
    withdrawal = Withdrawal.objects.create(
        wallet=wallet, amount=amount, fee=fee, net_amount=amount - fee, channel=account.channel,
        payout_account=account, idempotency_key=idempotency_key,
    )
    _post(wallet_id=wallet.pk, kind=LedgerEntry.Kind.WITHDRAWAL_HOLD, available=-amount,
          held=amount, guard_available=True, withdrawal=withdrawal)
    return withdrawal


def _reviewable(*, withdrawal_id: int, operator: User, perm: str) -> Withdrawal:
    """The withdrawal, if ``operator`` is active staff with ``perm`` and it is not their own.

    The payout desk's steps (paid, failed) also refuse the withdrawal's approver
    (maker-checker); ``_transition`` checks that again under the row lock, and a database
    CHECK (``withdrawal_payer_is_not_reviewer``) backs the paid step.
    """
    withdrawal = Withdrawal.objects.select_related("wallet__member").filter(pk=withdrawal_id).first()
    if withdrawal is None:
        raise WithdrawalNotFound()
    _check_reviewer(withdrawal=withdrawal, operator=operator, perm=perm)
    if perm == "pay_withdrawal":
        _check_not_approver(withdrawal=withdrawal, operator=operator)
    return withdrawal


def _check_not_approver(*, withdrawal: Withdrawal, operator: User) -> None:
    """Superusers included: holding both permissions never lets one person approve and pay."""
    if withdrawal.reviewed_by_id is not None and withdrawal.reviewed_by_id == operator.pk:
        raise PayoutByReviewerRefused()


def _check_reviewer(*, withdrawal: Withdrawal, operator: User, perm: str) -> None:
    if not (operator.is_active and operator.is_staff and operator.has_perm(f"distribution.{perm}")):
        raise WithdrawalReviewForbidden()
    if withdrawal.wallet.member.user_id == operator.pk:
        raise SelfApprovalRefused()


def _transition(*, withdrawal_id: int, source: str, target: str, payout_operator: User | None = None,
                **fields: object) -> Withdrawal:
    """Guarded state change: only from ``source``; returns the locked, updated row.

    ``payout_operator``: the payout desk's step, refused to the withdrawal's approver."""
    withdrawal = lock_objects.withdrawal_lock(withdrawal_id=withdrawal_id)
    if withdrawal is None:
        raise WithdrawalNotFound()
    if withdrawal.state != source:
        raise WithdrawalStateInvalid()
    if payout_operator is not None:
        _check_not_approver(withdrawal=withdrawal, operator=payout_operator)
    for name, value in fields.items():
        setattr(withdrawal, name, value)
    withdrawal.state = target
    withdrawal.save(update_fields=["state", *fields])
    return withdrawal


@transaction.atomic
def withdrawal_approve(*, withdrawal_id: int, operator: User) -> Withdrawal:
    _reviewable(withdrawal_id=withdrawal_id, operator=operator, perm="review_withdrawal")
    return _transition(withdrawal_id=withdrawal_id, source=Withdrawal.State.REQUESTED,
                       target=Withdrawal.State.APPROVED, reviewed_by=operator,
                       reviewed_at=timezone.now())


@transaction.atomic
def withdrawal_reject(*, withdrawal_id: int, operator: User, reason: str) -> Withdrawal:
    _reviewable(withdrawal_id=withdrawal_id, operator=operator, perm="review_withdrawal")
    reason = (reason or "").strip()
    if not reason:
        raise WithdrawalStateInvalid(code="reason_required")
    withdrawal = _transition(withdrawal_id=withdrawal_id, source=Withdrawal.State.REQUESTED,
                             target=Withdrawal.State.REJECTED, reviewed_by=operator,
                             reviewed_at=timezone.now(), reject_reason=reason[:200])
    _post(wallet_id=withdrawal.wallet_id, kind=LedgerEntry.Kind.WITHDRAWAL_RELEASE,
          available=withdrawal.amount, held=-withdrawal.amount, withdrawal=withdrawal)
    return withdrawal


@transaction.atomic
def withdrawal_mark_paid(*, withdrawal_id: int, operator: User, reference: str) -> Withdrawal:
    """Record that the money went out through the channel, with its reference."""
    _reviewable(withdrawal_id=withdrawal_id, operator=operator, perm="pay_withdrawal")
    reference = (reference or "").strip()
    if not reference:
        raise WithdrawalStateInvalid(code="reference_required")
    withdrawal = _transition(withdrawal_id=withdrawal_id, source=Withdrawal.State.APPROVED,
                             target=Withdrawal.State.PAID, payout_operator=operator, paid_by=operator,
                             paid_at=timezone.now(), payout_reference=reference[:64])
    _post(wallet_id=withdrawal.wallet_id, kind=LedgerEntry.Kind.PAYOUT, held=-withdrawal.amount,
          withdrawn=withdrawal.amount, withdrawal=withdrawal)
    return withdrawal


@transaction.atomic
def withdrawal_mark_failed(*, withdrawal_id: int, operator: User, reason: str) -> Withdrawal:
    _reviewable(withdrawal_id=withdrawal_id, operator=operator, perm="pay_withdrawal")
    withdrawal = _transition(withdrawal_id=withdrawal_id, source=Withdrawal.State.APPROVED,
                             target=Withdrawal.State.FAILED, payout_operator=operator,
                             reject_reason=(reason or "").strip()[:200])
    _post(wallet_id=withdrawal.wallet_id, kind=LedgerEntry.Kind.WITHDRAWAL_RELEASE,
          available=withdrawal.amount, held=-withdrawal.amount, withdrawal=withdrawal)
    return withdrawal
