"""Forms of the shopper pages.

They check the shape of the input only (present, a number, not too long). The rules
(is the stock enough, may this item still be refunded, how much) live in the services;
the views turn their domain errors into form errors with ``add_domain_error`` so the page
shows them next to the field they are about.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from common.phone import normalize_phone, validate_phone
from mall.forms import DomainErrorFormMixin
from orders import regions
from orders.models import AfterSaleKind

MAX_QUANTITY = 99


class CartAddForm(forms.Form):
    sku_id = forms.IntegerField(min_value=1, error_messages={"required": _("Choose a specification first.")})
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False)
    action = forms.ChoiceField(choices=[("add", "add"), ("buy", "buy")], required=False)

    def clean_quantity(self) -> int:
        return self.cleaned_data.get("quantity") or 1


class CartQuantityForm(forms.Form):
    sku_id = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY)


class CartSelectionForm(forms.Form):
    """The lines ticked on the cart page (去结算) or to delete."""

    sku_id = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False)

    def __init__(self, *args: object, sku_ids: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sku_id"].choices = [(pk, pk) for pk in sku_ids]


class CheckoutForm(forms.Form):
    address_id = forms.IntegerField(
        min_value=1, error_messages={"required": _("Add a delivery address first.")}
    )
    note = forms.CharField(
        label=_("Note to the seller"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Optional, 200 characters at most")}),
    )
    token = forms.CharField(max_length=64)
    # The one coupon chosen on the page ("none": without); checked again by order_create.
    discount_key = forms.CharField(max_length=40, required=False)


class AddressForm(DomainErrorFormMixin, forms.Form):
    receiver = forms.CharField(
        label=_("Receiver"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "tel", "placeholder": _("11-digit mobile number")}
        ),
    )
    # Chosen from the offline division data (orders/regions.py): the page's script fills the
    # city and district lists as the province and city change; without it, each save shows
    # the next list. The service checks the chain; the street is the only free text.
    province = forms.CharField(label=_("Province"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=20)
    district = forms.CharField(label=_("District / county"), max_length=20)
    detail = forms.CharField(
        label=_("Street address"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("Street, building, room number")}),
    )
    is_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        values = self.data if self.is_bound else self.initial
        province, city = str(values.get("province") or ""), str(values.get("city") or "")
        lists = {
            "province": (regions.province_names(), _("Choose a province")),
            "city": (regions.city_names(province), _("Choose a city")),
            "district": (regions.district_names(province, city), _("Choose a district")),
        }
        for name, (names, prompt) in lists.items():
            current = str(values.get(name) or "")
            # An address saved before the picker keeps showing its own words until changed.
            options = names if not current or current in names else [current, *names]
            self.fields[name].widget = forms.Select(
                choices=[("", prompt), *((n, n) for n in options)],
                attrs={"data-region": name, "data-prompt": prompt},
            )

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["phone"])
        validate_phone(phone)
        return phone


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files under one name; their content is checked by the after-sales service."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(f, initial) for f in files if f]


class AfterSaleForm(DomainErrorFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), widget=forms.RadioSelect)
    quantity = forms.TypedChoiceField(label=_("Quantity"), coerce=int)
    amount = forms.DecimalField(
        label=_("Refund amount"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    reason = forms.ChoiceField(label=_("Reason"))
    description = forms.CharField(
        label=_("Details"),
        max_length=150,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Optional: tell us more")}),
    )
    photos = MultipleImageField(
        label=_("Photos"),
        required=False,
        help_text=_("Optional: up to 3 JPEG, PNG or WebP pictures, 5 MB each."),
    )

    REASONS = (
        _("No longer needed"),
        _("Ordered the wrong item or quantity"),
        _("Damaged on arrival"),
        _("Quality problem"),
        _("Not as described"),
        _("Other"),
    )

    def __init__(self, *args: object, kinds: tuple[str, ...], max_quantity: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, AfterSaleKind(k).label) for k in kinds]
        self.fields["quantity"].choices = [(n, n) for n in range(1, max_quantity + 1)]
        self.fields["reason"].choices = [("", _("Choose a reason")), *((str(r), r) for r in self.REASONS)]

    PHOTO_ERRORS = ("photos_too_many", "photo_invalid", "photo_too_large")

    def add_domain_error(self, error: DomainError) -> None:
        if error.code in self.PHOTO_ERRORS:
            self.add_error("photos", str(error.message))
        else:
            super().add_domain_error(error)

    def full_reason(self) -> str:
        reason, description = self.cleaned_data["reason"], self.cleaned_data["description"].strip()
        return f"{reason}: {description}" if description else reason


class ShipBackForm(DomainErrorFormMixin, forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=40)
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=40)


class ReviewForm(DomainErrorFormMixin, forms.Form):
    """评价: 1–5 stars, text, photos. The service checks the rules and every photo."""

    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(n, n) for n in range(5, 0, -1)], widget=forms.RadioSelect,
        error_messages={"required": _("Give the item 1 to 5 stars."),
                        "invalid_choice": _("Give the item 1 to 5 stars.")},
    )
    text = forms.CharField(
        label=_("Your review"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("How was it? Quality, fit, delivery …")}),
        error_messages={"max_length": _("A review may be 500 characters at most.")},
    )
    photos = MultipleImageField(
        label=_("Review photos"),
        required=False,
        help_text=_("Optional: up to 3 JPEG, PNG or WebP pictures, 5 MB each."),
    )
