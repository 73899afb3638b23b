"""Wallets: an append-only ledger per reseller plus cached balances.

Every change of a balance is one ``LedgerEntry`` (never updated or deleted — a database
trigger refuses it) and one guarded ``UPDATE`` of the cached columns on ``Wallet``, in
the same transaction. ``reconcile_wallets`` proves the two agree.

Buckets:
- ``available``: money the reseller may withdraw. It may go NEGATIVE after a refund
  claws back commission that was already withdrawn: that is debt. It nets against later
  credits and blocks withdrawals until it is positive again.
- ``held``: requested withdrawals under review.
- ``withdrawn``: paid out.
- pending commission is not a wallet balance: it is read from the pending commission
  records (it is not money yet).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.crypto import decrypt, mask_account
from common.fields import MoneyField
from common.money import ZERO
from distribution.models.commission import WithdrawalChannel


class Wallet(models.Model):
    member = models.OneToOneField("distribution.Member", on_delete=models.PROTECT,
                                  related_name="wallet", verbose_name=_("member"))
    available = MoneyField(_("available"), default=ZERO)
    held = MoneyField(_("held"), default=ZERO)
    withdrawn = MoneyField(_("withdrawn"), default=ZERO)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("wallet")
        verbose_name_plural = _("wallets")
        constraints = [
            models.CheckConstraint(condition=Q(held__gte=0), name="wallet_held_not_negative"),
            models.CheckConstraint(condition=Q(withdrawn__gte=0), name="wallet_withdrawn_not_negative"),
        ]

    def __str__(self) -> str:
        return str(self.member)

    @property
    def debt(self) -> Decimal:
        return -self.available if self.available < 0 else ZERO

    @property
    def withdrawable(self) -> Decimal:
        return self.available if self.available > 0 else ZERO


class LedgerEntry(models.Model):
    """One movement of money. Append-only: enforced by a database trigger."""

    class Kind(models.TextChoices):
        COMMISSION_CREDIT = "commission_credit", _("commission credit")
        REVERSAL = "reversal", _("commission reversal")
        WITHDRAWAL_HOLD = "withdrawal_hold", _("withdrawal hold")
        WITHDRAWAL_RELEASE = "withdrawal_release", _("withdrawal release")
        PAYOUT = "payout", _("payout")
        ADJUSTMENT = "adjustment", _("staff adjustment")

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="entries",
                               verbose_name=_("wallet"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    available_delta = MoneyField(_("available change"))
    held_delta = MoneyField(_("held change"), default=ZERO)
    withdrawn_delta = MoneyField(_("withdrawn change"), default=ZERO)
    available_after = MoneyField(_("available after"))
    # What caused it: a commission record, a withdrawal, or a staff adjustment (reason).
    commission_record = models.ForeignKey("distribution.CommissionRecord", on_delete=models.PROTECT,
                                          null=True, blank=True, related_name="ledger_entries",
                                          verbose_name=_("commission record"))
    withdrawal = models.ForeignKey("Withdrawal", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="entries", verbose_name=_("withdrawal"))
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("operator"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-id"]
        constraints = [
            # A settled commission record is credited exactly once (I3).
            models.UniqueConstraint(fields=["commission_record"],
                                    condition=Q(kind="commission_credit"),
                                    name="ledger_one_credit_per_record"),
            models.UniqueConstraint(fields=["withdrawal", "kind"],
                                    condition=Q(withdrawal__isnull=False),
                                    name="ledger_one_entry_per_withdrawal_step"),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | ~Q(reason=""), name="ledger_adjustment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.available_delta}"


class PayoutAccount(models.Model):
    """Where a reseller's withdrawals go. The account number is stored encrypted."""

    Channel = WithdrawalChannel

    member = models.ForeignKey("distribution.Member", on_delete=models.PROTECT,
                               related_name="payout_accounts", verbose_name=_("member"))
    channel = models.CharField(_("channel"), max_length=10, choices=WithdrawalChannel.choices)
    holder_name = models.CharField(_("account holder"), max_length=40)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    account_encrypted = models.TextField(_("account (encrypted)"))
    account_masked = models.CharField(_("account"), max_length=40)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.account_masked}"

    def reveal(self) -> str:
        """The clear account number. Callers that show it to staff must audit-log it."""
        return decrypt(self.account_encrypted)

    @staticmethod
    def mask(value: str) -> str:
        return mask_account(value)


class Withdrawal(models.Model):
    class State(models.TextChoices):
        # Contexts: the orders catalogue translates the same words for orders.
        REQUESTED = "requested", pgettext_lazy("withdrawal", "requested")
        APPROVED = "approved", pgettext_lazy("withdrawal", "approved")
        PAID = "paid", pgettext_lazy("withdrawal", "paid out")
        REJECTED = "rejected", pgettext_lazy("withdrawal", "rejected")
        FAILED = "failed", pgettext_lazy("withdrawal", "failed")

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="withdrawals",
                               verbose_name=_("wallet"))
    amount = MoneyField(_("amount"))
    fee = MoneyField(_("fee"), default=ZERO)
    net_amount = MoneyField(_("amount paid out"))
    channel = models.CharField(_("channel"), max_length=10, choices=WithdrawalChannel.choices)
    payout_account = models.ForeignKey(PayoutAccount, on_delete=models.PROTECT,
                                       related_name="withdrawals", verbose_name=_("payout account"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.REQUESTED, db_index=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=200, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name=_("paid by"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payout_reference = models.CharField(_("payout reference"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-id"]
        permissions = [
            ("review_withdrawal", _("Can approve or reject withdrawals")),
            ("pay_withdrawal", _("Can record withdrawal payouts")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["wallet", "idempotency_key"],
                                    name="withdrawal_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="withdrawal_amount_positive"),
            models.CheckConstraint(condition=Q(fee__gte=0) & Q(net_amount__gte=0),
                                   name="withdrawal_fee_and_net_not_negative"),
            # Maker-checker: whoever records the payout is never whoever approved it.
            models.CheckConstraint(
                condition=(Q(paid_by__isnull=True) | Q(reviewed_by__isnull=True)
                           | ~Q(paid_by=F("reviewed_by"))),
                name="withdrawal_payer_is_not_reviewer"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount} {self.get_state_display()}"
