"""Forms of the earnings pages (我的收益: withdraw, payout accounts).

They check shape only (present, lengths, 2 decimal places, choices); the rules live in the
services, whose domain errors the views attach to the right field.
"""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from distribution.models import PayoutAccount
from distribution.models import WithdrawalChannel as Channel
from distribution.wallet.errors import (
    InsufficientBalance,
    PayoutAccountInvalid,
    WithdrawalAmountInvalid,
    WithdrawalBelowMinimum,
    WithdrawalChannelNotAllowed,
)


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class DomainErrorsMixin:
    """Attach a service's domain error to the field it is about (else to the form)."""

    error_fields: dict[type[DomainError], str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        target = next((name for kind, name in self.error_fields.items() if isinstance(error, kind)), None)
        self.add_error(target, str(error.message))  # type: ignore[attr-defined]


# --- reseller pages -------------------------------------------------------------------------


class WithdrawForm(DomainErrorsMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to withdraw"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "autocomplete": "off",
                                        "placeholder": "0.00"}))
    payout_account = forms.ModelChoiceField(label=_("Pay to"), queryset=PayoutAccount.objects.none(),
                                            widget=forms.RadioSelect, empty_label=None)
    # A fresh key per rendered form: a double submit of one form holds the money once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    error_fields = {WithdrawalAmountInvalid: "amount", WithdrawalBelowMinimum: "amount",
                    InsufficientBalance: "amount", PayoutAccountInvalid: "payout_account",
                    WithdrawalChannelNotAllowed: "payout_account"}

    def __init__(self, *args: object, accounts: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payout_account"].queryset = accounts
        if not self.is_bound:
            self.initial["idempotency_key"] = new_idempotency_key()
            self.initial.setdefault("payout_account", next(iter(accounts), None))

    def with_new_key(self) -> "WithdrawForm":
        """The same form for another try, under a new key (the last one may be used up)."""
        data = self.data.copy()
        data["idempotency_key"] = new_idempotency_key()
        self.data = data
        return self


class PayoutAccountForm(DomainErrorsMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    holder_name = forms.CharField(label=_("Account holder"), max_length=40, widget=forms.TextInput(
        attrs={"autocomplete": "name", "placeholder": _("Real name on the account")}))
    account = forms.CharField(label=_("Account"), max_length=64, widget=forms.TextInput(
        attrs={"autocomplete": "off", "placeholder": _("Card number, Alipay account or WeChat ID")}))
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False, widget=forms.TextInput(
        attrs={"placeholder": _("Bank cards only, e.g. 工商银行")}))

    error_fields = {PayoutAccountInvalid: "account", WithdrawalChannelNotAllowed: "channel"}

    def __init__(self, *args: object, channels: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(v, label) for v, label in Channel.choices if v in channels]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("channel") == Channel.BANK and not data.get("bank_name", "").strip():
            self.add_error("bank_name", _("Enter the bank of the card."))
        return data
