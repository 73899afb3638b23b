"""Staff forms for wallets, withdrawals and payout accounts."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


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



class RevealForm(forms.Form):
    reason = forms.CharField(label=_("why you need the full number"), max_length=200,
                             help_text=_("Kept in the sensitive data access log with your name."))
