"""Structured editors for a product's spec options and its SKUs' specs, instead of raw JSON.

The JSON textarea stays the field that is posted (so the forms, the services' checks and any
script that posts JSON are unchanged, and the page still works without JavaScript); a little
script (``static/mall/admin/spec_editor.js``) draws rows over it — an option's name and its
values; per SKU one select per option — and writes the JSON back on every edit.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

EDITOR_MEDIA = forms.Media(js=["mall/admin/spec_editor.js"], css={"all": ["mall/admin/spec_editor.css"]})


class SpecOptionsWidget(forms.Textarea):
    """A product's options: one row per option (name; values separated by commas)."""

    media = EDITOR_MEDIA

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={
            "rows": 3, "class": "spec-json", "data-spec-editor": "options",
            "data-label-name": _("option, e.g. 颜色"), "data-label-values": _("values, separated by commas"),
            "data-label-add": _("Add an option"), "data-label-remove": _("Remove"), **(attrs or {})})


class SKUSpecsWidget(forms.Textarea):
    """A SKU's specs: one select per option of the product (its values as drawn above)."""

    media = EDITOR_MEDIA

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"rows": 1, "cols": 20, "class": "spec-json", "data-spec-editor": "sku",
                                "data-label-choose": _("choose"), **(attrs or {})})
