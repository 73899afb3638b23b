"""Forms of the earnings pages and of the staff admin.

They check shape only (present, lengths, 2 decimal places, choices); the rules live in the
services, whose domain errors the views attach to the right field.
"""

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from distribution.errors import (
    InsufficientBalance,
    PayoutAccountInvalid,
    WithdrawalAmountInvalid,
    WithdrawalBelowMinimum,
    WithdrawalChannelNotAllowed,
)
from distribution.models import MAX_TIERS, CommissionRules, LevelRate, PayoutAccount, ProductCommission
from distribution.models import WithdrawalChannel as Channel

TIERS_MESSAGE = _("Commission is paid to at most 3 tiers (禁止传销条例 art. 7). Choose 1, 2 or 3.")


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


# --- staff admin ----------------------------------------------------------------------------


class CommissionRulesForm(forms.ModelForm):
    withdrawal_channels = forms.MultipleChoiceField(label=_("withdrawal channels"), choices=Channel.choices,
                                                    widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = CommissionRules
        fields = ["tiers", "global_cap_rate", "self_purchase", "attribution_policy", "withdrawal_min_amount",
                  "withdrawal_fee_rate", "withdrawal_daily_limit", "withdrawal_channels"]
        help_texts = {
            "global_cap_rate": _("A share of the paid amount: 0.5000 is 50 %."),
            "withdrawal_fee_rate": _("A share of the amount: 0.0060 is 0.6 %."),
        }

    def clean_tiers(self) -> int:
        tiers = self.cleaned_data["tiers"]
        if not 1 <= tiers <= MAX_TIERS:
            raise ValidationError(TIERS_MESSAGE, code="tiers_exceeded")
        return tiers

    def clean_withdrawal_channels(self) -> list[str]:
        # In the order of the choices, so an unchanged selection is not logged as a change.
        chosen = set(self.cleaned_data["withdrawal_channels"])
        return [value for value, _label in Channel.choices if value in chosen]


class LevelRateForm(forms.ModelForm):
    tier = forms.IntegerField(label=_("tier"), min_value=1)

    class Meta:
        model = LevelRate
        fields = ["level", "tier", "rate"]
        help_texts = {"rate": _("A share of the item's paid amount: 0.1000 is 10 %.")}

    def clean_tier(self) -> int:
        tier = self.cleaned_data["tier"]
        if tier > MAX_TIERS:
            raise ValidationError(TIERS_MESSAGE, code="tiers_exceeded")
        return tier


class ProductCommissionForm(forms.ModelForm):
    class Meta:
        model = ProductCommission
        fields = ["product", "mode", "tier1", "tier2", "tier3"]
        help_texts = {"mode": _("Rate: a share of the item's paid amount (0.1000 is 10 %). Fixed: an amount "
                                "in yuan per unit, at most 2 decimal places.")}

    def clean(self) -> dict:
        data = super().clean()
        mode = data.get("mode")
        for tier in range(1, MAX_TIERS + 1):
            value = data.get(f"tier{tier}")
            if value is None:
                continue
            if mode == ProductCommission.Mode.RATE and value > 1:
                self.add_error(f"tier{tier}", _("A rate is at most 1.0000 (100 %)."))
            if mode == ProductCommission.Mode.FIXED and value != value.quantize(Decimal("0.01")):
                self.add_error(f"tier{tier}", _("A fixed amount has at most 2 decimal places."))
        return data


class AdjustForm(forms.Form):
    amount = forms.DecimalField(label=_("amount"), max_digits=12, decimal_places=2,
                                help_text=_("Positive to credit, negative to debit the available balance."))
    reason = forms.CharField(label=_("reason"), max_length=200,
                             help_text=_("Kept in the ledger with your name; the reseller sees it."))

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise ValidationError(_("Enter an amount other than zero."), code="zero")
        return amount


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class ReferenceForm(forms.Form):
    reference = forms.CharField(label=_("payout reference"), max_length=64,
                                help_text=_("The transfer's reference from the bank, Alipay or WeChat Pay."))


class ConfirmForm(forms.Form):
    pass


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("why you need the full number"), max_length=200,
                             help_text=_("Kept in the sensitive data access log with your name."))
