"""The reports' filter form and the finance export form."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from console.dates import local_today
from console.selectors.filters import ReportFilter
from distribution.models import ResellerLevel
from mall.models import Shop

MAX_RANGE_DAYS = 366
DEFAULT_DAYS = 30


class DateRangeForm(forms.Form):
    first = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, **kwargs) -> None:
        today = local_today()
        initial = {"first": today - datetime.timedelta(days=DEFAULT_DAYS - 1), "last": today}
        if data is not None and not any(data.get(k) for k in self.base_fields):
            data = None  # a bare visit: the defaults, not errors
        super().__init__(data, initial=initial, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last and first > last:
            raise forms.ValidationError(_("The first day must not be after the last day."))
        return data

    def range(self) -> tuple[datetime.date, datetime.date]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["first"], self.cleaned_data["last"]
        return self.initial["first"], self.initial["last"]


class ReportFilterForm(DateRangeForm):
    shop = forms.IntegerField(label=_("shop id"), required=False, min_value=1,
                              help_text=_("Leave empty for every shop."))
    level = forms.ModelChoiceField(label=_("reseller level"), required=False, empty_label=_("every level"),
                                   queryset=ResellerLevel.objects.order_by("weight"))

    def clean(self) -> dict:
        """A report draws a chart and a row per day: at most a year (exports of raw finance
        data take any range)."""
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last and (last - first).days + 1 > MAX_RANGE_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)s days.") % {"days": MAX_RANGE_DAYS})
        return data

    def clean_shop(self) -> int | None:
        shop_id = self.cleaned_data.get("shop")
        if shop_id is not None and not Shop.objects.filter(pk=shop_id).exists():
            raise forms.ValidationError(_("There is no shop with this id."))
        return shop_id

    def report_filter(self) -> ReportFilter:
        first, last = self.range()
        if self.is_bound and self.is_valid():
            level = self.cleaned_data.get("level")
            return ReportFilter(first=first, last=last, shop_id=self.cleaned_data.get("shop"),
                                level_id=level.pk if level else None)
        return ReportFilter(first=first, last=last)
