"""Withdrawals: request (holds at once), review, payout. Every step is a guarded
transition; the ledger's unique (withdrawal, kind) makes each money step happen once.
Maker-checker: the staff member who records the payout (paid or failed) is never the one
who approved the withdrawal, superusers included."""

import re
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from common.money import round_half_up, to_money
from distribution import lock_objects
from distribution.models import CommissionRules, Member, PayoutAccount, Withdrawal
from distribution.wallet.errors import (
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
from distribution.wallet.services.wallet import wallet_for_member, wallet_hold, wallet_pay_out, wallet_release
from mall.models import User

KEY_RE = re.compile(r"^[A-Za-z0-9_\-:.]{8,64}$")
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
                       idempotency_key: str) -> tuple[Withdrawal, bool]:
    """Ask for a payout: ``(withdrawal, created)``. The amount is held at once.

    The same ``idempotency_key`` returns the first withdrawal with ``created=False`` (the
    API answers 200 instead of 201); the same key with a different amount or account is
    refused. The wallet row is locked first, so concurrent requests are serialized: they
    can never hold more than is available (I4), and of two requests with one key exactly
    one creates it.
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
        return existing, False
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
    wallet_hold(withdrawal=withdrawal)
    return withdrawal, True


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
    wallet_release(withdrawal=withdrawal)
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
    wallet_pay_out(withdrawal=withdrawal)
    return withdrawal


@transaction.atomic
def withdrawal_mark_failed(*, withdrawal_id: int, operator: User, reason: str) -> Withdrawal:
    _reviewable(withdrawal_id=withdrawal_id, operator=operator, perm="pay_withdrawal")
    withdrawal = _transition(withdrawal_id=withdrawal_id, source=Withdrawal.State.APPROVED,
                             target=Withdrawal.State.FAILED, payout_operator=operator,
                             reject_reason=(reason or "").strip()[:200])
    wallet_release(withdrawal=withdrawal)
    return withdrawal
