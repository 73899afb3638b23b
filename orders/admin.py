"""Staff console for orders. Every change goes through a service; the records are read-only."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from orders.models import (
    AfterSale,
    AfterSalePhoto,
    Order,
    OrderEvent,
    OrderItem,
    Payment,
    Refund,
    RefundState,
    ReturnAddress,
    ShippingRule,
)
from orders.services.aftersale import aftersale_approve, aftersale_confirm_received, aftersale_reject
from orders.services.fulfilment import order_ship
from orders.services.refund import aftersale_refund, can_retry_refunds, refund_retry
from orders.services.refund_after_window import (
    after_window_refundable_items,
    can_refund_after_window,
    refund_after_window_create,
)
from orders.services.returns import (
    return_address_delete,
    return_address_make_default,
    return_address_save,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = (
        "product_title",
        "sku_spec_text",
        "unit_price",
        "cost_price",
        "quantity",
        "line_amount",
        "discount_amount",
        "paid_amount",
        "refunded_quantity",
        "refunded_amount",
        "window_closes_at",
        "window_closed_at",
    )
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "kind", "message", "actor")
    readonly_fields = fields
    ordering = ("created_at", "id")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("provider", "transaction_id", "amount", "paid_at", "source")
    readonly_fields = fields


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


class RefundInline(ReadOnlyInline):
    model = Refund
    fk_name = "order"
    fields = (
        "refund_no",
        "kind",
        "order_item",
        "quantity",
        "amount",
        "state",
        "reason",
        "requested_by",
        "apply_error",
        "created_at",
        "succeeded_at",
    )
    readonly_fields = fields


def anomaly_badge(text: object) -> str:
    return format_html('<span class="refund-anomaly-badge" style="{}">{}</span>', ANOMALY_STYLE, text)


ANOMALY_STYLE = "background:#ba2121;color:#fff;border-radius:4px;padding:1px 6px;white-space:nowrap"


class RefundAnomalyFilter(admin.SimpleListFilter):
    """Orders with a refund the gateway confirmed but that could not be applied."""

    title = _("refund anomaly")
    parameter_name = "refund_anomaly"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(has_refund_anomaly=True) if self.value() == "yes" else queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=40)
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=40)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=200, widget=forms.Textarea)


class ConfirmForm(forms.Form):
    pass


class AfterWindowRefundForm(forms.Form):
    order_item = forms.ModelChoiceField(label=_("Item"), queryset=OrderItem.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    amount = forms.DecimalField(
        label=_("Refund amount"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("Leave empty to refund everything those units paid."),
    )
    reason = forms.CharField(label=_("Reason for the refund"), max_length=200, widget=forms.Textarea)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order_item"].queryset = after_window_refundable_items(order=order)


def _action_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    obj: object,
    *,
    title: str,
    form_class: type[forms.Form],
    perform: Callable[[forms.Form], object],
    done: str,
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    """A staff action with an intermediate form: GET shows it, POST runs the service."""
    change_url = reverse(f"admin:orders_{obj._meta.model_name}_change", args=[obj.pk])
    form = form_class(request.POST if request.method == "POST" else None, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            perform(form)
        except DomainError as exc:
            model_admin.message_user(request, str(exc.message), messages.ERROR)
        else:
            model_admin.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "object": obj,
        "form": form,
        "opts": model_admin.model._meta,
        "change_url": change_url,
    }
    return TemplateResponse(request, "admin/orders/action_form.html", context)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "user",
        "shop",
        "state_display",
        "total_amount",
        "receiver",
        "created_at",
    )
    list_filter = ("state", RefundAnomalyFilter, "created_at", "shop")
    search_fields = ("number", "user__phone", "receiver_phone")
    date_hierarchy = "created_at"
    list_select_related = ("user", "shop")
    inlines = (OrderItemInline, PaymentInline, RefundInline, OrderEventInline)
    change_form_template = "admin/orders/order/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        anomalies = Refund.objects.filter(order=OuterRef("pk"), state=RefundState.APPLY_FAILED)
        return super().get_queryset(request).annotate(has_refund_anomaly=Exists(anomalies))

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj: Order) -> str:
        if getattr(obj, "has_refund_anomaly", False):
            return format_html(
                "{} {}", obj.get_state_display(), anomaly_badge(RefundState.APPLY_FAILED.label)
            )
        return obj.get_state_display()

    def render_change_form(
        self, request: HttpRequest, context: dict, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        order = context.get("original")
        context["can_refund_after_window"] = (
            order is not None
            and can_refund_after_window(request.user)
            and after_window_refundable_items(order=order).exists()
        )
        return super().render_change_form(request, context, *args, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # shown read-only; staff act through the buttons

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_staff and super().has_view_permission(request, obj)

    def get_urls(self) -> list[URLPattern]:
        ship = path(
            "<int:order_id>/ship/", self.admin_site.admin_view(self.ship_view), name="orders_order_ship"
        )
        refund = path(
            "<int:order_id>/refund-after-window/",
            self.admin_site.admin_view(self.after_window_refund_view),
            name="orders_order_refund_after_window",
        )
        return [ship, refund, *super().get_urls()]

    def after_window_refund_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        """售后期外退款: staff choose the item, units, amount (optional) and a reason."""
        if not can_refund_after_window(request.user):
            return HttpResponse(status=403)
        order = get_object_or_404(Order, pk=order_id)
        return _action_page(
            self,
            request,
            order,
            title=_("Refund after the after-sales window: %(number)s") % {"number": order.number},
            form_class=AfterWindowRefundForm,
            form_kwargs={"order": order},
            done=_("Refund submitted to the payment gateway."),
            perform=lambda form: refund_after_window_create(
                order_item_id=form.cleaned_data["order_item"].pk,
                quantity=form.cleaned_data["quantity"],
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            ),
        )

    def ship_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        if not request.user.has_perm("orders.change_order"):
            return HttpResponse(status=403)
        order = get_object_or_404(Order, pk=order_id)
        return _action_page(
            self,
            request,
            order,
            title=_("Ship order %(number)s") % {"number": order.number},
            form_class=ShipForm,
            done=_("Order marked as shipped."),
            perform=lambda form: order_ship(
                order=order,
                actor=request.user,
                carrier=form.cleaned_data["carrier"],
                tracking_no=form.cleaned_data["tracking_no"],
            ),
        )


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

        def perform(form: forms.Form) -> object:
            extra = {"reason": form.cleaned_data["reason"]} if action == "reject" else {}
            return service(aftersale=aftersale, actor=request.user, **extra)

        return _action_page(
            self,
            request,
            aftersale,
            title=f"{label}: {aftersale}",
            form_class=form_class,
            perform=perform,
            done=done,
        )


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


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("transaction_id", "provider", "order", "amount", "paid_at", "source")
    list_filter = ("provider", "source", "paid_at")
    search_fields = ("transaction_id", "order__number")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """退款异常 (``apply_failed``) stands out with a badge and has its own filter choice; staff
    fix what the error names, then retry (``refund_retry``, under ``orders.retry_refund``)."""

    list_display = (
        "refund_no",
        "order",
        "order_item",
        "kind",
        "quantity",
        "amount",
        "state_display",
        "created_at",
        "succeeded_at",
    )
    list_filter = ("state", "kind", "provider", "created_at")
    search_fields = ("refund_no", "order__number", "provider_refund_id")
    list_select_related = ("order", "order_item")
    actions = ("retry",)

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj: Refund) -> str:
        if obj.state == RefundState.APPLY_FAILED:
            return anomaly_badge(obj.get_state_display())
        return obj.get_state_display()

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return can_retry_refunds(request.user)

    @admin.action(description=_("Retry the selected refund anomalies"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        for refund in queryset.order_by("pk"):
            try:
                result = refund_retry(refund=refund, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{refund.refund_no}: {exc.message}", messages.ERROR)
                continue
            if result.state == RefundState.SUCCEEDED:
                self.message_user(
                    request, _("%(no)s: refunded.") % {"no": refund.refund_no}, messages.SUCCESS
                )
            else:
                failed = _("%(no)s: still a refund anomaly: %(error)s")
                self.message_user(
                    request, failed % {"no": refund.refund_no, "error": result.apply_error}, messages.ERROR
                )


@admin.register(ShippingRule)
class ShippingRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "flat_fee", "free_over", "aftersale_window_days", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        rule = ShippingRule.get_solo()
        return HttpResponseRedirect(reverse("admin:orders_shippingrule_change", args=[rule.pk]))
