"""After-sales review: staff approve or reject a request, confirm returned goods and trigger
the refund, each a button on the after-sale's page with an intermediate form."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ConfirmForm, ReadOnlyAdmin, ReadOnlyInline, object_form_page
from orders.models import AfterSale, AfterSalePhoto
from orders.services.aftersale import aftersale_approve, aftersale_confirm_received, aftersale_reject
from orders.services.refund import aftersale_refund


class AfterSalePhotoInline(ReadOnlyInline):
    """The shopper's photos, as thumbnails that open the full picture (served by a view that
    checks the viewer may review after-sales)."""

    model = AfterSalePhoto
    fields = ("preview", "width", "height", "size", "created_at")
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        user = request.user
        return user.has_perm("orders.view_aftersale") or user.has_perm("orders.change_aftersale")

    @admin.display(description=_("photo"))
    def preview(self, photo: AfterSalePhoto) -> str:
        url = reverse("orders:aftersale_photo", args=[photo.aftersale_id, photo.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" class="aftersale-photo" '
            'style="max-width:160px;max-height:160px;border-radius:4px"></a>',
            url,
            url,
        )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=200, widget=forms.Textarea)


@admin.register(AfterSale)
class AfterSaleAdmin(ReadOnlyAdmin):
    list_display = ("id", "order", "order_item", "kind", "quantity", "amount", "state", "created_at")
    list_filter = ("state", "kind", "created_at")
    search_fields = ("order__number", "user__phone")
    list_select_related = ("order", "order_item")
    inlines = (AfterSalePhotoInline,)
    change_form_template = "admin/orders/aftersale/change_form.html"

    ACTIONS = {
        "approve": (_("Approve"), ConfirmForm, aftersale_approve, _("After-sales request approved.")),
        "reject": (_("Reject"), RejectForm, aftersale_reject, _("After-sales request rejected.")),
        "received": (
            _("Confirm goods received back"),
            ConfirmForm,
            aftersale_confirm_received,
            _("Returned goods marked as received."),
        ),
        "refund": (_("Refund"), ConfirmForm, aftersale_refund, _("Refund submitted to the payment gateway.")),
    }

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:aftersale_id>/act/<slug:action>/",
                self.admin_site.admin_view(self.action_view),
                name="orders_aftersale_act",
            ),
            *super().get_urls(),
        ]

    def action_view(self, request: HttpRequest, aftersale_id: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS or not request.user.has_perm("orders.change_aftersale"):
            return HttpResponse(status=403 if action in self.ACTIONS else 404)
        aftersale = get_object_or_404(
            AfterSale.objects.select_related("order", "order_item"), pk=aftersale_id
        )
        label, form_class, service, done = self.ACTIONS[action]

        def run(data: Mapping[str, Any]) -> object:
            extra = {"reason": data["reason"]} if action == "reject" else {}
            return service(aftersale=aftersale, actor=request.user, **extra)

        return object_form_page(
            self, request, aftersale, title=f"{label}: {aftersale}", form_class=form_class, run=run, done=done
        )
