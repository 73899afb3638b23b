"""Form fields every app's staff pages share (STYLE rule 15: a helper lives once)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)
RATE_PLACES = Decimal("0.0001")  # rates are DecimalField(max_digits=5, decimal_places=4)


def rate_as_percent(rate: Decimal | None) -> str:
    """``Decimal("0.0800")`` → ``"8"``, ``Decimal("0.0060")`` → ``"0.6"``: as staff type it."""
    if rate is None:
        return ""
    percent = (rate * HUNDRED).quantize(Decimal("0.01")).normalize()
    return f"{percent:f}"


class PercentInput(forms.TextInput):
    def render(self, name: str, value: object, attrs: dict | None = None, renderer: object = None) -> str:
        field = super().render(name, value, {"size": 8, "inputmode": "decimal", **(attrs or {})}, renderer)
        return format_html('<span class="percent-input" style="white-space:nowrap">{} %</span>', field)

    def format_value(self, value: object) -> str | None:
        if isinstance(value, Decimal):
            return rate_as_percent(value)
        return super().format_value(value)


class PercentField(forms.Field):
    """A rate stored as a fraction (0.0800), shown and typed as a percentage (8, 8.5, "8 %").

    ``8`` is stored as exactly ``Decimal("0.0800")``. Refused: not a number, below 0, above
    ``max_percent``, or finer than the column keeps (two decimal places of a percent)."""

    widget = PercentInput
    default_error_messages = {
        "invalid": _("Enter a percentage, e.g. 8 for 8 %."),
        "range": _("Enter a percentage from 0 to %(max)s."),
        "places": _("At most two decimal places of a percent, e.g. 8.25."),
    }

    def __init__(self, *, max_percent: int = 100, **kwargs: object) -> None:
        self.max_percent = Decimal(max_percent)
        super().__init__(**kwargs)

    def to_python(self, value: object) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value  # already a rate (the initial value)
        text = str(value).strip().replace("％", "%").removesuffix("%").strip()
        try:
            percent = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not percent.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not Decimal(0) <= percent <= self.max_percent:
            raise ValidationError(self.error_messages["range"], code="range",
                                  params={"max": f"{self.max_percent:f}"})
        rate = percent / HUNDRED
        if rate != rate.quantize(RATE_PLACES):
            raise ValidationError(self.error_messages["places"], code="places")
        return rate.quantize(RATE_PLACES)

    def has_changed(self, initial: object, data: object) -> bool:
        try:
            return self.to_python(data) != (Decimal(initial) if initial not in self.empty_values else None)
        except (ValidationError, InvalidOperation):
            return True
