"""The cart page and its buttons. Members' carts live in the database, visitors' in the
session (the services ``cart_*`` and ``session_cart_*``); signing in merges the two."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.errors import DomainError
from orders import selectors
from orders.forms import CartAddForm, CartQuantityForm, CartSelectionForm
from orders.models import ShippingRule
from orders.selectors import CartLine
from orders.services import cart as cart_services
from orders.views._common import safe_referer
from orders.views.checkout import checkout_selection_set


def _lines(request: HttpRequest) -> list[CartLine]:
    if request.user.is_authenticated:
        return selectors.cart_lines_for_user(user=request.user)
    return selectors.cart_lines_for_session(session=request.session)


def _first_error(form: CartAddForm | CartQuantityForm) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("The request could not be carried out.")


@require_GET
def cart(request: HttpRequest) -> HttpResponse:
    lines = _lines(request)
    return render(
        request,
        "orders/cart.html",
        {
            "lines": lines,
            "summary": selectors.cart_summary(lines=lines),
            "rule": ShippingRule.get_solo(),
            "buyable_count": sum(1 for line in lines if line.can_buy),
            "tab": "cart",
        },
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _with_sku(url: str, sku_id: int) -> str:
    """``…/p/7/`` → ``…/p/7/?sku=12``: the product page comes back with the choice kept."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "sku"] + [("sku", str(sku_id))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """The product page's 加入购物车 (``action=add``) and 立即购买 (``action=buy``).

    Buy-now goes straight to checkout with that one line and leaves the cart alone. The
    page's script adds in place (``Accept: application/json``: the message and the new
    cart count, or the error with a 4xx); without it, the page comes back with the chosen
    SKU in ``?sku=``, so the choice is not forgotten.
    """
    back = safe_referer(request, reverse("orders:cart"))
    form = CartAddForm(request.POST)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse({"code": "invalid", "detail": _first_error(form)}, status=400)
        messages.error(request, _first_error(form))
        return redirect(back)
    sku_id, quantity = form.cleaned_data["sku_id"], form.cleaned_data["quantity"]
    if form.cleaned_data["action"] == "buy":
        checkout_selection_set(request.session, lines=[(sku_id, quantity)], from_cart=False)
        return redirect("orders:checkout")
    try:
        if request.user.is_authenticated:
            cart_services.cart_add(user=request.user, sku_id=sku_id, quantity=quantity)
        else:
            cart_services.session_cart_add(session=request.session, sku_id=sku_id, quantity=quantity)
    except DomainError as exc:
        if _wants_json(request):
            return JsonResponse({"code": exc.code, "detail": str(exc.message)}, status=exc.status)
        messages.error(request, str(exc.message))
    else:
        if _wants_json(request):
            count = selectors.cart_count(user=request.user, session=request.session)
            return JsonResponse({"detail": _("Added to your cart."), "cart_count": count})
        messages.success(request, _("Added to your cart."))
    return redirect(_with_sku(back, sku_id))


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    """The quantity stepper of one line; 0 removes the line."""
    form = CartQuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("orders:cart")
    sku_id, quantity = form.cleaned_data["sku_id"], form.cleaned_data["quantity"]
    try:
        if quantity == 0:
            _remove(request, [sku_id])
        elif request.user.is_authenticated:
            cart_services.cart_set_quantity(user=request.user, sku_id=sku_id, quantity=quantity)
        else:
            cart_services.session_cart_set_quantity(session=request.session, sku_id=sku_id, quantity=quantity)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("orders:cart")


def _remove(request: HttpRequest, sku_ids: list[int]) -> None:
    if request.user.is_authenticated:
        cart_services.cart_remove(user=request.user, sku_ids=sku_ids)
    else:
        cart_services.session_cart_remove(session=request.session, sku_ids=sku_ids)


def _selected(request: HttpRequest, lines: list[CartLine]) -> list[CartLine] | None:
    form = CartSelectionForm(request.POST, sku_ids=[line.sku.pk for line in lines])
    if not form.is_valid():
        return None
    chosen = set(form.cleaned_data["sku_id"])
    return [line for line in lines if line.sku.pk in chosen]


@require_POST
def cart_remove(request: HttpRequest) -> HttpResponse:
    selected = _selected(request, _lines(request))
    if selected:
        _remove(request, [line.sku.pk for line in selected])
        messages.success(request, _("Removed from your cart."))
    return redirect("orders:cart")


@require_POST
def cart_checkout(request: HttpRequest) -> HttpResponse:
    """去结算: the ticked lines go to checkout (signing in first, if need be)."""
    selected = _selected(request, _lines(request))
    if not selected:
        messages.error(request, _("Choose at least one product."))
        return redirect("orders:cart")
    blocked = [line for line in selected if not line.can_buy]
    if blocked:
        message = _("%(title)s cannot be bought now. Untick it or change it.")
        messages.error(request, message % {"title": blocked[0].sku.product.title})
        return redirect("orders:cart")
    checkout_selection_set(
        request.session, lines=[(line.sku.pk, line.quantity) for line in selected], from_cart=True
    )
    return redirect("orders:checkout")
