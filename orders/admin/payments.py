"""Payments and refunds. 退款异常 (``apply_failed``) stands out with a badge (here and on the
order list) and has its own filter choice; staff fix what the error names, then retry."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, ReadOnlyInline
from common.errors import DomainError
from orders.models import Payment, Refund, RefundState
from orders.services.refund import can_retry_refunds, refund_retry

ANOMALY_STYLE = "background:#ba2121;color:#fff;border-radius:4px;padding:1px 6px;white-space:nowrap"


def anomaly_badge(text: object) -> str:
    return format_html('<span class="refund-anomaly-badge" style="{}">{}</span>', ANOMALY_STYLE, text)


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("provider", "transaction_id", "amount", "paid_at", "source")
    readonly_fields = fields


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


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("transaction_id", "provider", "order", "amount", "paid_at", "source")
    list_filter = ("provider", "source", "paid_at")
    search_fields = ("transaction_id", "order__number")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Staff retry a refund anomaly with ``refund_retry`` (permission ``orders.retry_refund``)."""

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
