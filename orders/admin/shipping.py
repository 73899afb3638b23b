"""Shipping settings: the shipping rule (one row: fee, free-shipping threshold, after-sales
window) and the return addresses goods go back to (per supplier, one platform default)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.admin import SingletonAdmin
from common.errors import DomainError
from orders.models import ReturnAddress, ShippingRule
from orders.services.returns import (
    return_address_delete,
    return_address_make_default,
    return_address_save,
)


@admin.register(ShippingRule)
class ShippingRuleAdmin(SingletonAdmin):
    list_display = ("__str__", "flat_fee", "free_over", "aftersale_window_days", "updated_at")


class ReturnAddressForm(forms.ModelForm):
    """The default mark is moved by the list action, never by this form (see the service)."""

    class Meta:
        model = ReturnAddress
        fields = ("supplier", "receiver", "phone", "province", "city", "district", "detail", "note")

    def clean_supplier(self) -> object:
        supplier = self.cleaned_data.get("supplier")
        if supplier is not None and self.instance.is_platform_default:
            raise forms.ValidationError(_("The platform default cannot belong to a supplier."))
        return supplier


@admin.register(ReturnAddress)
class ReturnAddressAdmin(admin.ModelAdmin):
    form = ReturnAddressForm
    list_display = ("owner", "receiver", "phone", "full_text", "is_platform_default", "updated_at")
    list_filter = ("is_platform_default",)
    search_fields = ("receiver", "phone", "supplier__name", "detail")
    list_select_related = ("supplier",)
    autocomplete_fields = ("supplier",)
    readonly_fields = ("is_platform_default", "created_at", "updated_at")
    actions = ("make_default",)

    @admin.display(description=_("for"), ordering="supplier__name")
    def owner(self, address: ReturnAddress) -> str:
        return str(address.supplier) if address.supplier_id else str(_("Platform"))

    @admin.display(description=_("address"))
    def full_text(self, address: ReturnAddress) -> str:
        return address.full_text

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, so the default is never deleted by accident
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: ReturnAddress | None = None) -> bool:
        if obj is not None and obj.is_platform_default:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ReturnAddress, form: forms.Form, change: bool) -> None:
        return_address_save(address=obj)

    def delete_model(self, request: HttpRequest, obj: ReturnAddress) -> None:
        return_address_delete(address_id=obj.pk)

    @admin.action(description=_("Make the platform default return address"), permissions=["change"])
    def make_default(self, request: HttpRequest, queryset: QuerySet[ReturnAddress]) -> None:
        chosen = list(queryset.values_list("pk", flat=True)[:2])
        if len(chosen) != 1:
            self.message_user(request, _("Choose exactly one platform address."), messages.ERROR)
            return
        try:
            return_address_make_default(address_id=chosen[0])
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
        else:
            self.message_user(request, _("Platform default return address changed."), messages.SUCCESS)
