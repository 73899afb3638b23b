"""我的订单: the list by tab, the detail with its timeline, and the shopper's actions.

URLs carry the order number, never the pk. Every read goes through a selector that
filters by the signed-in member, so another member's number is a 404 (I7).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.errors import DomainError
from orders import selectors
from orders.labels import ORDER_TABS
from orders.models import OrderState
from orders.services.fulfilment import order_cancel, order_confirm_receipt
from orders.services.payment import payment_sync
from orders.services.review import REVIEWABLE_STATES
from orders.views._common import domain_404
from orders.views.checkout import start_payment_or_show_order

PAGE_SIZE = 10


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "all")
    if tab not in selectors.TABS:
        tab = "all"
    page = Paginator(selectors.order_cards_for_user(user=request.user, tab=tab), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.order_tab_counts(user=request.user)
    tabs = [{"key": key, "label": label, "count": counts.get(key, 0)} for key, label in ORDER_TABS.items()]
    return render(request, "orders/order_list.html", {"tab": tab, "tabs": tabs, "page": page})


@login_required
@require_GET
@domain_404
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
    back_from_cashier = request.GET.get("from") == "cashier"
    if back_from_cashier and order.state == OrderState.PENDING_PAYMENT and payment_sync(order=order):
        order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
    options = {o.order_item.pk: o for o in selectors.aftersale_options_for_order(order=order)}
    latest_aftersale: dict[int, object] = {}
    for aftersale in order.aftersales.all():  # newest first
        latest_aftersale.setdefault(aftersale.order_item_id, aftersale)
    reviewable = order.state in REVIEWABLE_STATES
    reviewed = selectors.reviewed_item_ids(order=order) if reviewable else set()
    rows = [
        {
            "item": item,
            "option": options.get(item.pk),
            "aftersale": latest_aftersale.get(item.pk),
            "can_review": reviewable and item.pk not in reviewed,
            "reviewed": item.pk in reviewed,
        }
        for item in order.items.all()
    ]
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "rows": rows,
            "events": list(reversed(order.events.all())),
            "item_count": sum(item.quantity for item in order.items.all()),
            "awaiting_notice": back_from_cashier and order.state == OrderState.PENDING_PAYMENT,
        },
    )


def _act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
    if action == "pay":
        return start_payment_or_show_order(request, order)
    try:
        if action == "cancel":
            order_cancel(order=order, actor=request.user)
            messages.success(request, _("Order cancelled."))
        else:
            order_confirm_receipt(order=order, actor=request.user)
            messages.success(request, _("Receipt confirmed. Thank you!"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("orders:detail", order.number)


@login_required
@require_POST
@domain_404
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "pay")


@login_required
@require_POST
@domain_404
def order_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "cancel")


@login_required
@require_POST
@domain_404
def order_confirm_receipt_view(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "confirm")
