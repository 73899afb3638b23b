"""Checkout and the member's orders (``/api/v1/checkout/``, ``/api/v1/orders/``)."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import UNAUTHENTICATED, error_response, validated, validation_error_response
from mall import selectors as mall_selectors
from mall.context import current_shop
from mall.errors import ShopNotFound
from mall.models import Shop
from orders import selectors
from orders.api import serializers as s
from orders.api.views.base import (
    CHECKOUT,
    ORDER_NOT_FOUND,
    ORDERS,
    TRANSITION_CONFLICT,
    MemberView,
    OrdersPagination,
)
from orders.models import Order
from orders.services.checkout import CheckoutLine, checkout_preview, order_create
from orders.services.fulfilment import order_cancel, order_confirm_receipt
from orders.services.payment import payment_start


def _lines(data: list[dict[str, int]]) -> list[CheckoutLine]:
    return [CheckoutLine(sku_id=line["sku_id"], quantity=line["quantity"]) for line in data]


class CheckoutPreviewView(MemberView):
    @extend_schema(
        tags=[CHECKOUT], summary="Price lines: items, shipping, total, and what stops checkout",
        description="Lines that cannot be bought are priced and listed in `problems`; nothing is "
                    "reserved. Without `address_id` the default address is used.",
        request=s.CheckoutPreviewRequestSerializer,
        responses={200: s.CheckoutPreviewSerializer,
                   400: validation_error_response("`quantity_invalid`, or invalid input (`invalid`)."),
                   401: UNAUTHENTICATED,
                   404: error_response("Unknown SKU (`sku_not_found`) or address (`address_not_found`).")},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.CheckoutPreviewRequestSerializer, request.data)
        address = None
        if data.get("address_id"):
            address = selectors.address_get_for_user(user=request.user, address_id=data["address_id"])
        preview = checkout_preview(user=request.user, lines=_lines(data["lines"]), address=address,
                                   shop=current_shop(request._request), discount_key=data["discount_key"])
        return Response(s.CheckoutPreviewSerializer(preview, context={"request": request}).data)


def _shop(request: Request, shop_id: int | None) -> Shop | None:
    """The shop the order came through: the client's ``shop_id`` (mini-program), else the
    session's (H5). ``None`` lets ``order_create`` use the platform shop."""
    if shop_id is None:
        return current_shop(request._request)
    try:
        return mall_selectors.shop_get(shop_id=shop_id)
    except ShopNotFound:  # closed since the link was shared: the sale still happens
        return None


def _detail(request: Request, number: str, *, status_code: int = status.HTTP_200_OK) -> Response:
    order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
    options = {o.order_item.pk: o for o in selectors.aftersale_options_for_order(order=order)}
    context = {"request": request, "options": options}
    return Response(s.OrderDetailSerializer(order, context=context).data, status=status_code)


class OrderListCreateView(ListAPIView):
    permission_classes = [IsAuthenticated]
    queryset = Order.objects.none()  # for the schema generator; get_queryset asks the selector
    serializer_class = s.OrderSerializer
    pagination_class = OrdersPagination
    filter_backends: list = []

    @extend_schema(
        tags=[ORDERS], summary="My orders, newest first, by tab",
        parameters=[s.OrderListQuerySerializer],
        responses={200: s.OrderSerializer, 400: validation_error_response("Unknown tab (`invalid`)."),
                   401: UNAUTHENTICATED, 404: error_response("Page out of range (`not_found`).")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Order]:
        tab = validated(s.OrderListQuerySerializer, self.request.query_params)["tab"]
        return selectors.order_cards_for_user(user=self.request.user, tab=tab)

    @extend_schema(
        tags=[ORDERS], summary="Place an order (pending payment); stock is reserved",
        description="Then `POST orders/{number}/pay/` for the cashier. Unpaid orders close "
                    "automatically at `payment_deadline`.",
        request=s.OrderCreateSerializer,
        responses={
            201: s.OrderDetailSerializer,
            400: validation_error_response("`cart_empty`, `quantity_invalid`, or invalid input "
                                           "(`invalid`)."),
            401: UNAUTHENTICATED,
            404: error_response("Unknown SKU (`sku_not_found`) or address (`address_not_found`)."),
            409: error_response("Not enough stock (`insufficient_stock`, 库存不足: nothing is created), "
                                "or a product no longer on sale (`product_unavailable`)."),
        },
    )
    def post(self, request: Request) -> Response:
        payload = request.data
        if isinstance(payload, Mapping):  # a body that is not an object is refused by the serializer
            payload = payload.copy()
            if request.headers.get("Idempotency-Key") and not payload.get("client_token"):
                payload["client_token"] = request.headers["Idempotency-Key"]
        data = validated(s.OrderCreateSerializer, payload)
        address = selectors.address_get_for_user(user=request.user, address_id=data["address_id"])
        order = order_create(
            client_token=data["client_token"],
            user=request.user,
            lines=_lines(data["lines"]),
            address=address,
            shop=_shop(request, data.get("shop_id")),
            note=data["note"],
            clear_cart=data["from_cart"],
            discount_key=data["discount_key"],
        )
        return _detail(request, order.number, status_code=status.HTTP_201_CREATED)


class OrderCountsView(MemberView):
    @extend_schema(tags=[ORDERS], summary="How many orders each tab holds (the badges)",
                   responses={200: s.TabCountsSerializer, 401: UNAUTHENTICATED})
    def get(self, request: Request) -> Response:
        return Response(s.TabCountsSerializer(selectors.order_tab_counts(user=request.user)).data)


class OrderDetailView(MemberView):
    @extend_schema(
        tags=[ORDERS], summary="An order with its items, amounts, shipping and timeline",
        description="Each item says what after-sales may be asked for now (`aftersale`).",
        responses={200: s.OrderDetailSerializer, 401: UNAUTHENTICATED, 404: ORDER_NOT_FOUND},
    )
    def get(self, request: Request, number: str) -> Response:
        return _detail(request, number)


class OrderPayView(MemberView):
    @extend_schema(
        tags=[ORDERS], summary="Open (or re-open) the cashier of an unpaid order", request=None,
        description="The order becomes paid when the provider's signed notice arrives; poll the "
                    "order or wait for the client's return from the cashier.",
        responses={200: s.CashierSerializer, 401: UNAUTHENTICATED, 404: ORDER_NOT_FOUND,
                   409: error_response("Paid, cancelled or past its deadline (`order_not_payable`)."),
                   502: error_response("The payment service did not answer (`payment_gateway_error`).")},
    )
    def post(self, request: Request, number: str) -> Response:
        order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
        return_url = reverse("orders:detail", args=[order.number]) + "?from=cashier"
        start = payment_start(order=order, return_url=return_url, actor=request.user)
        return Response({"cashier_url": request.build_absolute_uri(start.cashier_url)})


class OrderCancelView(MemberView):
    @extend_schema(
        tags=[ORDERS], summary="Cancel an unpaid order; its stock goes back on sale", request=None,
        responses={200: s.OrderDetailSerializer, 401: UNAUTHENTICATED, 404: ORDER_NOT_FOUND,
                   409: TRANSITION_CONFLICT,
                   502: error_response("The payment service did not answer (`payment_gateway_error`).")},
    )
    def post(self, request: Request, number: str) -> Response:
        order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
        order_cancel(order=order, actor=request.user)
        return _detail(request, order.number)


class OrderConfirmReceiptView(MemberView):
    @extend_schema(
        tags=[ORDERS], summary="Confirm receipt of a shipped order", request=None,
        description="Each item's after-sales window starts now.",
        responses={200: s.OrderDetailSerializer, 401: UNAUTHENTICATED, 404: ORDER_NOT_FOUND,
                   409: TRANSITION_CONFLICT},
    )
    def post(self, request: Request, number: str) -> Response:
        order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
        order_confirm_receipt(order=order, actor=request.user)
        return _detail(request, order.number)
