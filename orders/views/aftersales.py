"""售后: the request form of one order item (with photos), the progress page of a request
(withdraw it; when a return was approved, where to send the goods and their tracking
number), and the request's photos for their owner and for staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import DomainError
from orders import selectors
from orders.errors import AfterSaleNotFound, TrackingRequired
from orders.forms import AfterSaleForm, ShipBackForm
from orders.models import REFUND_IN_FLIGHT_STATES, AfterSale, AfterSaleKind, AfterSaleState, RefundState
from orders.selectors import AfterSaleOption
from orders.services.aftersale import (
    aftersale_buyer_ship,
    aftersale_request,
    aftersale_withdraw,
)
from orders.services.evidence import photo_content_type
from orders.services.refund_amounts import refundable_amount
from orders.views._common import domain_404


def _option(request: HttpRequest, number: str, item_id: int) -> AfterSaleOption:
    order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
    for option in selectors.aftersale_options_for_order(order=order):
        if option.order_item.pk == item_id:
            option.order_item.order = order
            return option
    raise AfterSaleNotFound()


@login_required
@require_http_methods(["GET", "POST"])
@domain_404
def aftersale_new(request: HttpRequest, number: str, item_id: int) -> HttpResponse:
    option = _option(request, number, item_id)
    item = option.order_item
    if option.has_open or not option.kinds:
        messages.error(
            request,
            _("This item already has an after-sales request in progress.")
            if option.has_open
            else _("After-sales cannot be requested for this item now."),
        )
        return redirect("orders:detail", number)
    form_kwargs = {"kinds": option.kinds, "max_quantity": option.max_quantity}
    if request.method == "POST":
        form = AfterSaleForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                aftersale = aftersale_request(
                    user=request.user,
                    order_item_id=item.pk,
                    kind=form.cleaned_data["kind"],
                    quantity=form.cleaned_data["quantity"],
                    reason=form.full_reason(),
                    amount=form.cleaned_data["amount"],
                    photos=form.cleaned_data["photos"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Your after-sales request was submitted."))
                return redirect("orders:aftersale", aftersale.pk)
    else:
        form = AfterSaleForm(
            initial={"kind": option.kinds[0], "quantity": option.max_quantity, "amount": option.max_amount},
            **form_kwargs,
        )
    caps = {
        str(q): str(refundable_amount(order_item=item, quantity=q)) for q in range(1, option.max_quantity + 1)
    }
    return render(
        request,
        "orders/aftersale_form.html",
        {"form": form, "option": option, "item": item, "order": item.order, "caps": caps},
    )


# While the goods are on their way back (or being checked), the shopper still sees where to.
RETURN_ADDRESS_STATES = (AfterSaleState.APPROVED, AfterSaleState.BUYER_SHIPPED, AfterSaleState.RECEIVED_BACK)

STEPS = {
    AfterSaleKind.REFUND_ONLY: (AfterSaleState.REQUESTED, AfterSaleState.APPROVED, AfterSaleState.REFUNDED),
    AfterSaleKind.RETURN_AND_REFUND: (
        AfterSaleState.REQUESTED,
        AfterSaleState.APPROVED,
        AfterSaleState.BUYER_SHIPPED,
        AfterSaleState.RECEIVED_BACK,
        AfterSaleState.REFUNDED,
    ),
}
STEP_LABELS = {
    AfterSaleState.REQUESTED: _("Submitted"),
    AfterSaleState.APPROVED: _("Approved"),
    AfterSaleState.BUYER_SHIPPED: _("Sent back"),
    AfterSaleState.RECEIVED_BACK: _("Received back"),
    AfterSaleState.REFUNDED: _("Refunded"),
}


def _steps(aftersale: AfterSale) -> list[dict[str, object]]:
    states = STEPS[aftersale.kind]
    reached = states.index(aftersale.state) if aftersale.state in states else 0
    return [
        {"label": STEP_LABELS[state], "done": i <= reached, "current": i == reached}
        for i, state in enumerate(states)
    ]


@login_required
@require_GET
@domain_404
def aftersale_detail(request: HttpRequest, aftersale_id: int) -> HttpResponse:
    aftersale = selectors.aftersale_get_for_user(user=request.user, aftersale_id=aftersale_id)
    refunds = list(aftersale.refunds.all())
    refund_pending = any(r.state in REFUND_IN_FLIGHT_STATES for r in refunds)
    awaiting_return = (
        aftersale.state == AfterSaleState.APPROVED and aftersale.kind == AfterSaleKind.RETURN_AND_REFUND
    )
    show_return_address = aftersale.has_return_address and aftersale.state in RETURN_ADDRESS_STATES
    return render(
        request,
        "orders/aftersale_detail.html",
        {
            "aftersale": aftersale,
            "steps": _steps(aftersale),
            "refund": next((r for r in refunds if r.state != RefundState.FAILED), None),
            "can_withdraw": aftersale.state in (AfterSaleState.REQUESTED, AfterSaleState.APPROVED)
            and not refund_pending,
            "ship_form": ShipBackForm() if awaiting_return else None,
            "show_return_address": show_return_address,
            "photos": list(aftersale.photos.all()),
        },
    )


@login_required
@require_GET
@domain_404
def aftersale_photo(request: HttpRequest, aftersale_id: int, photo_id: int) -> HttpResponse:
    """One photo, for the request's owner or staff; anyone else gets the 404 page."""
    photo = selectors.aftersale_photo_get(user=request.user, aftersale_id=aftersale_id, photo_id=photo_id)
    response = FileResponse(photo.image.open("rb"), content_type=photo_content_type(photo))
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
@domain_404
def aftersale_withdraw_view(request: HttpRequest, aftersale_id: int) -> HttpResponse:
    aftersale = selectors.aftersale_get_for_user(user=request.user, aftersale_id=aftersale_id)
    try:
        aftersale_withdraw(aftersale=aftersale, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("After-sales request withdrawn."))
    return redirect("orders:aftersale", aftersale.pk)


@login_required
@require_POST
@domain_404
def aftersale_ship_back(request: HttpRequest, aftersale_id: int) -> HttpResponse:
    aftersale = selectors.aftersale_get_for_user(user=request.user, aftersale_id=aftersale_id)
    form = ShipBackForm(request.POST)
    try:
        if not form.is_valid():
            raise TrackingRequired()
        aftersale_buyer_ship(
            aftersale=aftersale,
            user=request.user,
            carrier=form.cleaned_data["carrier"],
            tracking_no=form.cleaned_data["tracking_no"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Return shipment recorded."))
    return redirect("orders:aftersale", aftersale.pk)
