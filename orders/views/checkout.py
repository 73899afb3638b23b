"""Checkout: confirm the lines, the address and the amounts, then 提交订单 → the cashier.

What is being checked out (the cart's ticked lines, or one buy-now line) is kept in the
session between the cart or product page and this page. A one-time token in the form
makes a repeated submit (a double tap, the back button) land on the order it already
made instead of making a second one.
"""

import secrets
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import DomainError
from mall.context import current_shop
from orders import selectors
from orders.errors import AddressNotFound
from orders.forms import CheckoutForm
from orders.models import Address, Order
from orders.services.checkout import CheckoutLine, CheckoutPreview, checkout_preview, order_create
from orders.services.payment import payment_start

SESSION_KEY = "checkout"
DONE_KEY = "checkout_done"


def checkout_selection_set(
    session: MutableMapping[str, Any], *, lines: list[tuple[int, int]], from_cart: bool
) -> None:
    session[SESSION_KEY] = {
        "lines": [[int(sku_id), int(quantity)] for sku_id, quantity in lines],
        "from_cart": from_cart,
        "token": secrets.token_urlsafe(16),
    }


def _selection(session: MutableMapping[str, Any]) -> dict[str, Any] | None:
    selection = session.get(SESSION_KEY)
    if not isinstance(selection, dict) or not selection.get("lines"):
        return None
    return selection


def _checkout_lines(selection: dict[str, Any]) -> list[CheckoutLine]:
    return [CheckoutLine(sku_id=int(sku_id), quantity=int(q)) for sku_id, q in selection["lines"]]


def _chosen_address(request: HttpRequest) -> Address | None:
    raw = request.POST.get("address_id") or request.GET.get("address") or ""
    if raw.isdigit():
        try:
            return selectors.address_get_for_user(user=request.user, address_id=int(raw))
        except AddressNotFound:
            pass
    return selectors.address_default(user=request.user)


def cashier_return_url(order: Order) -> str:
    return reverse("orders:detail", args=[order.number]) + "?from=cashier"


def start_payment_or_show_order(request: HttpRequest, order: Order) -> HttpResponse:
    """Open the cashier for ``order``; if the gateway cannot, say so on the order's page."""
    try:
        start = payment_start(order=order, return_url=cashier_return_url(order), actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("orders:detail", order.number)
    return redirect(start.cashier_url)


def _submit(request: HttpRequest, selection: dict[str, Any]) -> tuple[Order | None, str]:
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return None, next(str(errors[0]) for errors in form.errors.values())
    if form.cleaned_data["token"] != selection["token"]:
        return None, _("This page is out of date. Please check the order again and submit.")
    try:
        address_id = form.cleaned_data["address_id"]
        address = selectors.address_get_for_user(user=request.user, address_id=address_id)
        order = order_create(
            user=request.user,
            lines=_checkout_lines(selection),
            address=address,
            shop=current_shop(request),
            note=form.cleaned_data["note"],
            clear_cart=bool(selection.get("from_cart")),
            client_token=f"h5:{selection['token']}",
            discount_key=form.cleaned_data["discount_key"],
        )
    except DomainError as exc:
        return None, str(exc.message)
    return order, ""


def _repeated_submit(request: HttpRequest) -> HttpResponse | None:
    done = request.session.get(DONE_KEY) or {}
    if request.method == "POST" and done.get("token") and done.get("token") == request.POST.get("token"):
        return redirect("orders:detail", done["number"])
    return None


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    selection = _selection(request.session)
    if selection is None:
        repeated = _repeated_submit(request)
        if repeated is not None:
            return repeated
        messages.info(request, _("Choose the products to buy first."))
        return redirect("orders:cart")
    error = ""
    if request.method == "POST":
        order, error = _submit(request, selection)
        if order is not None:
            request.session.pop(SESSION_KEY, None)
            request.session[DONE_KEY] = {"token": selection["token"], "number": order.number}
            return start_payment_or_show_order(request, order)
    address = _chosen_address(request)
    # The coupon shown: the one just posted, the one picked (?coupon=), else the best one.
    discount_key = request.POST.get("discount_key") if request.method == "POST" else request.GET.get("coupon")
    try:
        preview = checkout_preview(user=request.user, lines=_checkout_lines(selection), address=address,
                                   shop=current_shop(request), discount_key=discount_key)
    except DomainError as exc:  # a SKU that no longer exists, a bad quantity
        request.session.pop(SESSION_KEY, None)
        messages.error(request, str(exc.message))
        return redirect("orders:cart")
    return _render(request, preview=preview, selection=selection, error=error)


def _render(
    request: HttpRequest, *, preview: CheckoutPreview, selection: dict[str, Any], error: str
) -> HttpResponse:
    here = reverse("orders:checkout")
    return render(
        request,
        "orders/checkout.html",
        {
            "preview": preview,
            "token": selection["token"],
            "error": error,
            "note": request.POST.get("note", "")[:200],
            "item_count": sum(line.quantity for line in preview.lines),
            "pick_address_url": reverse("orders:addresses") + "?" + urlencode({"select": 1, "next": here}),
            "add_address_url": reverse("orders:address_new") + "?" + urlencode({"next": here}),
        },
    )
