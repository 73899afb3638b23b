"""The orders part of ``/api/v1/``: cart, addresses, checkout, orders, after-sales.

Views only orchestrate: an input serializer checks the shape, a selector reads (always
filtered by the signed-in member, so another member's order, address or after-sale is a
404, I7), a service writes, an output serializer shapes the answer. Domain errors become
``{"code", "detail"}`` in ``common.api.exception_handler``.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import UNAUTHENTICATED, error_response, validated, validation_error_response
from mall import selectors as mall_selectors
from mall.context import current_shop
from mall.errors import ShopNotFound
from mall.models import Shop
from orders import selectors
from orders.api import serializers as s
from orders.errors import OrderItemNotFound
from orders.models import AfterSale, Order
from orders.services import address as address_services
from orders.services import cart as cart_services
from orders.services.aftersale import aftersale_buyer_ship, aftersale_request, aftersale_withdraw
from orders.services.checkout import CheckoutLine, checkout_preview, order_create
from orders.services.evidence import photo_content_type
from orders.services.fulfilment import order_cancel, order_confirm_receipt
from orders.services.payment import payment_start

CART, ADDRESSES, CHECKOUT, ORDERS, AFTERSALES = "cart", "addresses", "checkout", "orders", "after-sales"

ORDER_NOT_FOUND = error_response("Unknown order number, or another member's order (`order_not_found`).")
ADDRESS_NOT_FOUND = error_response("Unknown address, or another member's (`address_not_found`).")
AFTERSALE_NOT_FOUND = error_response(
    "Unknown after-sales request, or another member's (`aftersale_not_found`)."
)
SKU_NOT_FOUND = error_response("Unknown SKU (`sku_not_found`).")
STOCK_CONFLICT = error_response(
    "Not on sale any more (`product_unavailable`), or not enough stock (`insufficient_stock`)."
)
TRANSITION_CONFLICT = error_response("Not allowed in the order's current state (`order_transition_invalid`).")


class OrdersPagination(PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 50


def _lines(data: list[dict[str, int]]) -> list[CheckoutLine]:
    return [CheckoutLine(sku_id=line["sku_id"], quantity=line["quantity"]) for line in data]


class _MemberView(APIView):
    permission_classes = [IsAuthenticated]


# --- cart ----------------------------------------------------------------------------------


def _cart_response(request: Request, *, status_code: int = status.HTTP_200_OK) -> Response:
    lines = selectors.cart_lines_for_user(user=request.user)
    data = s.cart_data(lines, selectors.cart_summary(lines=lines), {"request": request})
    return Response(data, status=status_code)


class CartItemsView(_MemberView):
    @extend_schema(
        tags=[CART], summary="The cart, each line flagged if it cannot be bought now",
        responses={200: s.CartSerializer, 401: UNAUTHENTICATED},
    )
    def get(self, request: Request) -> Response:
        return _cart_response(request)

    @extend_schema(
        tags=[CART], summary="Add units of a SKU (adds up with what is in the cart)",
        request=s.CartItemAddSerializer,
        responses={
            201: s.CartSerializer,
            400: validation_error_response("More than 99 (`quantity_invalid`), or invalid input "
                                           "(`invalid`)."),
            401: UNAUTHENTICATED, 404: SKU_NOT_FOUND, 409: STOCK_CONFLICT,
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.CartItemAddSerializer, request.data)
        cart_services.cart_add(user=request.user, sku_id=data["sku_id"], quantity=data["quantity"])
        return _cart_response(request, status_code=status.HTTP_201_CREATED)


class CartItemView(_MemberView):
    @extend_schema(
        tags=[CART], summary="Set a line's quantity", request=s.CartItemQuantitySerializer,
        responses={
            200: s.CartSerializer,
            400: validation_error_response("`quantity_invalid`, or invalid input (`invalid`)."),
            401: UNAUTHENTICATED, 404: SKU_NOT_FOUND, 409: STOCK_CONFLICT,
        },
    )
    def patch(self, request: Request, sku_id: int) -> Response:
        data = validated(s.CartItemQuantitySerializer, request.data)
        cart_services.cart_set_quantity(user=request.user, sku_id=sku_id, quantity=data["quantity"])
        return _cart_response(request)

    @extend_schema(tags=[CART], summary="Remove a line (no-op when it is not in the cart)",
                   responses={204: None, 401: UNAUTHENTICATED})
    def delete(self, request: Request, sku_id: int) -> Response:
        cart_services.cart_remove(user=request.user, sku_ids=[sku_id])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- addresses -----------------------------------------------------------------------------

ADDRESS_INVALID = validation_error_response(
    "Missing or too long fields, or a bad mobile number (`address_invalid`, `invalid`)."
)


class AddressListView(_MemberView):
    @extend_schema(tags=[ADDRESSES], summary="My delivery addresses, the default first",
                   responses={200: s.AddressSerializer(many=True), 401: UNAUTHENTICATED})
    def get(self, request: Request) -> Response:
        return Response(s.AddressSerializer(selectors.address_list(user=request.user), many=True).data)

    @extend_schema(
        tags=[ADDRESSES], summary="Add an address (the first one becomes the default)",
        request=s.AddressInputSerializer,
        responses={201: s.AddressSerializer, 400: ADDRESS_INVALID, 401: UNAUTHENTICATED},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.AddressInputSerializer, request.data)
        address = address_services.address_create(user=request.user, **data)
        return Response(s.AddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailView(_MemberView):
    @extend_schema(tags=[ADDRESSES], summary="One of my addresses",
                   responses={200: s.AddressSerializer, 401: UNAUTHENTICATED, 404: ADDRESS_NOT_FOUND})
    def get(self, request: Request, address_id: int) -> Response:
        address = selectors.address_get_for_user(user=request.user, address_id=address_id)
        return Response(s.AddressSerializer(address).data)

    @extend_schema(
        tags=[ADDRESSES], summary="Change an address", request=s.AddressInputSerializer,
        description="`is_default: true` makes it the default; `false` leaves the default as it is.",
        responses={200: s.AddressSerializer, 400: ADDRESS_INVALID, 401: UNAUTHENTICATED,
                   404: ADDRESS_NOT_FOUND},
    )
    def put(self, request: Request, address_id: int) -> Response:
        data = validated(s.AddressInputSerializer, request.data)
        make_default = data.pop("is_default")
        address = address_services.address_update(user=request.user, address_id=address_id, **data)
        if make_default and not address.is_default:
            address = address_services.address_set_default(user=request.user, address_id=address.pk)
        return Response(s.AddressSerializer(address).data)

    @extend_schema(
        tags=[ADDRESSES], summary="Delete an address",
        description="If it was the default, the most recently used other address becomes the default. "
                    "Orders keep their own copy of the address.",
        responses={204: None, 401: UNAUTHENTICATED, 404: ADDRESS_NOT_FOUND},
    )
    def delete(self, request: Request, address_id: int) -> Response:
        address_services.address_delete(user=request.user, address_id=address_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AddressDefaultView(_MemberView):
    @extend_schema(tags=[ADDRESSES], summary="Make an address the default", request=None,
                   responses={200: s.AddressSerializer, 401: UNAUTHENTICATED, 404: ADDRESS_NOT_FOUND})
    def post(self, request: Request, address_id: int) -> Response:
        address = address_services.address_set_default(user=request.user, address_id=address_id)
        return Response(s.AddressSerializer(address).data)


# --- checkout and orders ---------------------------------------------------------------------


class CheckoutPreviewView(_MemberView):
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
        preview = checkout_preview(user=request.user, lines=_lines(data["lines"]), address=address)
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
        payload = request.data.copy()
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
        )
        return _detail(request, order.number, status_code=status.HTTP_201_CREATED)


class OrderCountsView(_MemberView):
    @extend_schema(tags=[ORDERS], summary="How many orders each tab holds (the badges)",
                   responses={200: s.TabCountsSerializer, 401: UNAUTHENTICATED})
    def get(self, request: Request) -> Response:
        return Response(s.TabCountsSerializer(selectors.order_tab_counts(user=request.user)).data)


class OrderDetailView(_MemberView):
    @extend_schema(
        tags=[ORDERS], summary="An order with its items, amounts, shipping and timeline",
        description="Each item says what after-sales may be asked for now (`aftersale`).",
        responses={200: s.OrderDetailSerializer, 401: UNAUTHENTICATED, 404: ORDER_NOT_FOUND},
    )
    def get(self, request: Request, number: str) -> Response:
        return _detail(request, number)


class OrderPayView(_MemberView):
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


class OrderCancelView(_MemberView):
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


class OrderConfirmReceiptView(_MemberView):
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


# --- after-sales ---------------------------------------------------------------------------


def _aftersale_response(request: Request, aftersale: AfterSale, **kwargs: Any) -> Response:
    fresh = selectors.aftersale_get_for_user(user=request.user, aftersale_id=aftersale.pk)
    return Response(s.AfterSaleSerializer(fresh, context={"request": request}).data, **kwargs)


class AfterSaleCreateView(_MemberView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=[AFTERSALES], summary="Ask for a refund (or return and refund) of units of one item",
        description="JSON, or multipart/form-data to attach up to 3 photos (`photos`, repeated).",
        request={"application/json": s.AfterSaleRequestSerializer,
                 "multipart/form-data": s.AfterSaleRequestSerializer},
        responses={
            201: s.AfterSaleSerializer,
            400: validation_error_response("`reason_required`, more units than not yet refunded "
                                           "(`aftersale_quantity_invalid`), more money than they paid "
                                           "(`refund_exceeds_paid`), more than 3 photos "
                                           "(`photos_too_many`), a file that is not a JPEG, PNG or "
                                           "WebP picture (`photo_invalid`) or over 5 MB "
                                           "(`photo_too_large`), or invalid input (`invalid`)."),
            401: UNAUTHENTICATED,
            404: error_response("Unknown or another member's order (`order_not_found`), or an item not "
                                "in it (`order_item_not_found`)."),
            409: error_response("Not now: `aftersale_not_allowed`, `aftersale_window_closed`, "
                                "`aftersale_already_open`."),
        },
    )
    def post(self, request: Request, number: str, item_id: int) -> Response:
        order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
        if item_id not in {item.pk for item in order.items.all()}:
            raise OrderItemNotFound()
        data = validated(s.AfterSaleRequestSerializer, request.data)
        aftersale = aftersale_request(user=request.user, order_item_id=item_id, **data)
        return _aftersale_response(request, aftersale, status=status.HTTP_201_CREATED)


class AfterSaleListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    queryset = AfterSale.objects.none()  # for the schema generator
    serializer_class = s.AfterSaleSerializer
    pagination_class = OrdersPagination
    filter_backends: list = []

    @extend_schema(tags=[AFTERSALES], summary="My after-sales requests, newest first",
                   responses={200: s.AfterSaleSerializer, 401: UNAUTHENTICATED,
                              404: error_response("Page out of range (`not_found`).")})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AfterSale]:
        return selectors.aftersale_list_for_user(user=self.request.user)


class AfterSaleDetailView(_MemberView):
    @extend_schema(tags=[AFTERSALES],
                   summary="One after-sales request with its refund, photos and return address",
                   description="`return_address` is set once staff approve a return: where to send "
                               "the goods.",
                   responses={200: s.AfterSaleSerializer, 401: UNAUTHENTICATED, 404: AFTERSALE_NOT_FOUND})
    def get(self, request: Request, aftersale_id: int) -> Response:
        aftersale = selectors.aftersale_get_for_user(user=request.user, aftersale_id=aftersale_id)
        return Response(s.AfterSaleSerializer(aftersale, context={"request": request}).data)


class AfterSalePhotoView(_MemberView):
    @extend_schema(
        tags=[AFTERSALES], summary="One photo of my after-sales request",
        responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="JPEG, PNG or WebP."),
                   401: UNAUTHENTICATED,
                   404: error_response("Unknown photo, or another member's (`photo_not_found`).")},
    )
    def get(self, request: Request, aftersale_id: int, photo_id: int) -> FileResponse:
        photo = selectors.aftersale_photo_get(user=request.user, aftersale_id=aftersale_id, photo_id=photo_id)
        response = FileResponse(photo.image.open("rb"), content_type=photo_content_type(photo))
        response["Cache-Control"] = "private, max-age=3600"
        return response


AFTERSALE_CONFLICT = error_response("Not allowed in its current state (`aftersale_transition_invalid`, "
                                    "`aftersale_not_allowed`).")


class AfterSaleWithdrawView(_MemberView):
    @extend_schema(tags=[AFTERSALES], summary="Withdraw a request that has not been refunded",
                   request=None,
                   responses={200: s.AfterSaleSerializer, 401: UNAUTHENTICATED, 404: AFTERSALE_NOT_FOUND,
                              409: AFTERSALE_CONFLICT})
    def post(self, request: Request, aftersale_id: int) -> Response:
        aftersale = selectors.aftersale_get_for_user(user=request.user, aftersale_id=aftersale_id)
        aftersale_withdraw(aftersale=aftersale, user=request.user)
        return _aftersale_response(request, aftersale)


class AfterSaleShipBackView(_MemberView):
    @extend_schema(
        tags=[AFTERSALES], summary="Record the return parcel of an approved return",
        request=s.ShipBackSerializer,
        responses={200: s.AfterSaleSerializer,
                   400: validation_error_response("`tracking_required`, or invalid input (`invalid`)."),
                   401: UNAUTHENTICATED, 404: AFTERSALE_NOT_FOUND, 409: AFTERSALE_CONFLICT},
    )
    def post(self, request: Request, aftersale_id: int) -> Response:
        aftersale = selectors.aftersale_get_for_user(user=request.user, aftersale_id=aftersale_id)
        data = validated(s.ShipBackSerializer, request.data)
        aftersale_buyer_ship(aftersale=aftersale, user=request.user, **data)
        return _aftersale_response(request, aftersale)

