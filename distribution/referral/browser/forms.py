"""Forms of the staff referral-tree browser: search, move, hand over."""

from django import forms
from django.utils.translation import gettext_lazy as _

from distribution.referral.browser.selectors import SearchKind
from distribution.referral.services.moves import HANDOVER_SCOPES


class SearchForm(forms.Form):
    q = forms.CharField(label=_("search"), max_length=40, required=False, strip=True)
    kind = forms.ChoiceField(label=_("search by"), required=False, initial=SearchKind.AUTO, choices=[
        (SearchKind.AUTO, _("automatic")),
        (SearchKind.PHONE, _("full mobile number")),
        (SearchKind.LAST4, _("last 4 digits of the mobile number")),
        (SearchKind.CODE, _("invite code")),
        (SearchKind.NICKNAME, _("nickname (beginning)")),
    ])
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)


class BrowserMoveForm(forms.Form):
    new_upline = forms.CharField(
        label=_("invite code or mobile number of the new upline"), required=False, max_length=32,
        help_text=_("Leave empty to make this member the root of a new tree."))
    reason = forms.CharField(label=_("reason"), max_length=200)


class BrowserHandoverForm(forms.Form):
    to = forms.CharField(label=_("invite code or mobile number of the member who takes over"),
                         max_length=32)
    scope = forms.ChoiceField(label=_("what to hand over"), choices=[
        (HANDOVER_SCOPES[0], _("direct downlines (each keeps its own team)")),
        (HANDOVER_SCOPES[1], _("the whole team, every member directly under the new upline")),
    ])
    reason = forms.CharField(label=_("reason"), max_length=200)
