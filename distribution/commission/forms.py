"""Staff forms for the commission rules, level rates and product terms (shape checks only;
the rules themselves live in ``commission/services/rules.py``)."""


from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.forms import PercentField, rate_as_percent
from common.money import FEN
from distribution.models import MAX_TIERS, CommissionRules, LevelRate, ProductCommission
from distribution.models import WithdrawalChannel as Channel

TIERS_MESSAGE = _("Commission is paid to at most 3 tiers (禁止传销条例 art. 7). Choose 1, 2 or 3.")


class CommissionRulesForm(forms.ModelForm):
    global_cap_rate = PercentField(label=_("global cap"), help_text=_(
        "A share of the paid amount, in percent: 50 is 50 %."))
    withdrawal_fee_rate = PercentField(label=_("withdrawal fee rate"), help_text=_(
        "A share of the amount, in percent: 0.6 is 0.6 %."))
    withdrawal_channels = forms.MultipleChoiceField(label=_("withdrawal channels"), choices=Channel.choices,
                                                    widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = CommissionRules
        fields = ["tiers", "global_cap_rate", "self_purchase", "attribution_policy", "withdrawal_min_amount",
                  "withdrawal_fee_rate", "withdrawal_daily_limit", "withdrawal_channels"]

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
    rate = PercentField(label=_("rate"), help_text=_("A share of the item's paid amount, in percent: "
                                                     "10 is 10 %."))

    class Meta:
        model = LevelRate
        fields = ["level", "tier", "rate"]

    def clean_tier(self) -> int:
        tier = self.cleaned_data["tier"]
        if tier > MAX_TIERS:
            raise ValidationError(TIERS_MESSAGE, code="tiers_exceeded")
        return tier


class ProductCommissionForm(forms.ModelForm):
    class Meta:
        model = ProductCommission
        fields = ["product", "mode", "tier1", "tier2", "tier3"]
        help_texts = {"mode": _("Rate: a percentage of the item's paid amount (10 is 10 %). Fixed: an "
                                "amount in yuan per unit, at most 2 decimal places.")}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.mode == ProductCommission.Mode.RATE:
            for tier in range(1, MAX_TIERS + 1):  # a stored rate is shown as the percentage typed
                self.initial[f"tier{tier}"] = rate_as_percent(getattr(self.instance, f"tier{tier}"))

    def clean(self) -> dict:
        data = super().clean()
        mode = data.get("mode")
        for tier in range(1, MAX_TIERS + 1):
            value = data.get(f"tier{tier}")
            if value is None:
                continue
            if mode == ProductCommission.Mode.RATE:
                try:
                    data[f"tier{tier}"] = PercentField().clean(f"{value.normalize():f}")
                except ValidationError as exc:
                    self.add_error(f"tier{tier}", exc)
            if mode == ProductCommission.Mode.FIXED and value != value.quantize(FEN):
                self.add_error(f"tier{tier}", _("A fixed amount has at most 2 decimal places."))
        return data
