"""The member's cart (``/api/v1/cart/``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import UNAUTHENTICATED, validated, validation_error_response
from orders import selectors
from orders.api import serializers as s
from orders.api.views.base import (
    CART,
    SKU_NOT_FOUND,
    STOCK_CONFLICT,
    MemberView,
)
from orders.services import cart as cart_services


def _cart_response(request: Request, *, status_code: int = status.HTTP_200_OK) -> Response:
    lines = selectors.cart_lines_for_user(user=request.user)
    data = s.cart_data(lines, selectors.cart_summary(lines=lines), {"request": request})
    return Response(data, status=status_code)


class CartItemsView(MemberView):
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


class CartItemView(MemberView):
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
