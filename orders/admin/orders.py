"""Orders: read-only, with their items, payments, refunds and timeline; staff ship a paid
order and (with ``orders.refund_after_window``) refund units after the window closed."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record, snapshot
from common.admin import ReadOnlyAdmin, ReadOnlyInline, masked_phone_cell, object_form_page
from orders.admin.payments import PaymentInline, RefundInline, anomaly_badge
from orders.carriers import CARRIER_CHOICES, CARRIER_HELP
from orders.errors import BulkFileInvalid
from orders.models import Order, OrderEvent, OrderItem, Refund, RefundState
from orders.services.bulk_shipping import bulk_rows_parse, orders_ship_bulk
from orders.services.fulfilment import order_ship
from orders.services.refund_after_window import (
    after_window_refundable_items,
    can_refund_after_window,
    refund_after_window_create,
)

BULK_MAX_BYTES = 1024 * 1024


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


class RefundAnomalyFilter(admin.SimpleListFilter):
    """Orders with a refund the gateway confirmed but that could not be applied."""

    title = _("refund anomaly")
    parameter_name = "refund_anomaly"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(has_refund_anomaly=True) if self.value() == "yes" else queryset


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=CARRIER_CHOICES, help_text=CARRIER_HELP)
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=40)


class BulkShipForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "One order per line: order number, tracking number (and optionally the carrier). "
        "A header line is allowed. At most 2,000 lines."))
    carrier = forms.ChoiceField(label=_("Carrier"), choices=CARRIER_CHOICES,
                                help_text=_("For the lines that name no carrier."))

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > BULK_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload.read()


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


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "user",
        "shop",
        "state_display",
        "total_amount",
        "receiver",
        "receiver_phone_display",
        "created_at",
    )
    list_filter = ("state", RefundAnomalyFilter, "created_at", "shop")
    search_fields = ("number", "user__phone", "receiver_phone")
    date_hierarchy = "created_at"
    list_select_related = ("user", "shop")
    inlines = (OrderItemInline, PaymentInline, RefundInline, OrderEventInline)
    change_form_template = "admin/orders/order/change_form.html"
    change_list_template = "admin/orders/order/change_list.html"

    @admin.display(description=_("receiver phone"))
    def receiver_phone_display(self, obj: Order) -> str:
        return masked_phone_cell(obj, obj.masked_receiver_phone)

    def get_fields(self, request: HttpRequest, obj: Order | None = None) -> list:
        """Every field read-only, the receiver's number masked (PIPL; reveal is logged)."""
        return ["receiver_phone_display" if f == "receiver_phone" else f
                for f in super().get_fields(request, obj)]

    def get_readonly_fields(self, request: HttpRequest, obj: Order | None = None) -> tuple:
        return (*super().get_readonly_fields(request, obj), "receiver_phone_display")

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
        bulk = path("bulk-ship/", self.admin_site.admin_view(self.bulk_ship_view),
                    name="orders_order_bulk_ship")
        return [ship, refund, bulk, *super().get_urls()]

    def bulk_ship_view(self, request: HttpRequest) -> HttpResponse:
        """Upload order numbers and tracking numbers; the result page says, per row, shipped or why
        not. Each shipped order gets its own audit row (the generic page audit has no object)."""
        if not request.user.has_perm("orders.change_order"):
            return HttpResponse(status=403)
        form = BulkShipForm(request.POST or None, request.FILES or None)
        results = None
        if request.method == "POST" and form.is_valid():
            raw = form.cleaned_data["file"]
            try:
                numbers = [cells[0] for _line, cells in bulk_rows_parse(raw)]
                before = {o.number: snapshot(o) for o in Order.objects.filter(number__in=numbers)}
                results = orders_ship_bulk(raw=raw, carrier=form.cleaned_data["carrier"], actor=request.user)
            except BulkFileInvalid as exc:
                form.add_error("file", exc.message)
            else:
                for row in results:
                    if row.ok:
                        order = Order.objects.get(pk=row.order_id)
                        audit_record(request=request, kind="step", what="bulk_ship", obj=order,
                                     before=before.get(row.number), after=snapshot(order))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "results": results, "title": _("Bulk shipping"),
                   "shipped": sum(r.ok for r in results or ())}
        return TemplateResponse(request, "admin/orders/order/bulk_ship.html", context)

    def after_window_refund_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        """售后期外退款: staff choose the item, units, amount (optional) and a reason."""
        if not can_refund_after_window(request.user):
            return HttpResponse(status=403)
        order = get_object_or_404(Order, pk=order_id)
        return object_form_page(
            self,
            request,
            order,
            title=_("Refund after the after-sales window: %(number)s") % {"number": order.number},
            form_class=AfterWindowRefundForm,
            form_kwargs={"order": order},
            done=_("Refund submitted to the payment gateway."),
            run=lambda data: refund_after_window_create(
                order_item_id=data["order_item"].pk,
                quantity=data["quantity"],
                amount=data["amount"],
                reason=data["reason"],
                actor=request.user,
            ),
        )

    def ship_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        if not request.user.has_perm("orders.change_order"):
            return HttpResponse(status=403)
        order = get_object_or_404(Order, pk=order_id)
        return object_form_page(
            self,
            request,
            order,
            title=_("Ship order %(number)s") % {"number": order.number},
            form_class=ShipForm,
            done=_("Order marked as shipped."),
            run=lambda data: order_ship(
                order=order, actor=request.user, carrier=data["carrier"], tracking_no=data["tracking_no"]
            ),
        )
