"""After-sales requests (``/api/v1/aftersales/``, ``/api/v1/orders/<number>/items/<id>/aftersales/``)."""

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import UNAUTHENTICATED, error_response, validated, validation_error_response
from orders import selectors
from orders.api import serializers as s
from orders.api.views.base import (
    AFTERSALE_NOT_FOUND,
    AFTERSALES,
    MemberView,
    OrdersPagination,
)
from orders.errors import OrderItemNotFound
from orders.models import AfterSale
from orders.services.aftersale import aftersale_buyer_ship, aftersale_request, aftersale_withdraw
from orders.services.evidence import photo_content_type


def _aftersale_response(request: Request, aftersale: AfterSale, **kwargs: Any) -> Response:
    fresh = selectors.aftersale_get_for_user(user=request.user, aftersale_id=aftersale.pk)
    return Response(s.AfterSaleSerializer(fresh, context={"request": request}).data, **kwargs)


class AfterSaleCreateView(MemberView):
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


class AfterSaleDetailView(MemberView):
    @extend_schema(tags=[AFTERSALES],
                   summary="One after-sales request with its refund, photos and return address",
                   description="`return_address` is set once staff approve a return: where to send "
                               "the goods.",
                   responses={200: s.AfterSaleSerializer, 401: UNAUTHENTICATED, 404: AFTERSALE_NOT_FOUND})
    def get(self, request: Request, aftersale_id: int) -> Response:
        aftersale = selectors.aftersale_get_for_user(user=request.user, aftersale_id=aftersale_id)
        return Response(s.AfterSaleSerializer(aftersale, context={"request": request}).data)


class AfterSalePhotoView(MemberView):
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


class AfterSaleWithdrawView(MemberView):
    @extend_schema(tags=[AFTERSALES], summary="Withdraw a request that has not been refunded",
                   request=None,
                   responses={200: s.AfterSaleSerializer, 401: UNAUTHENTICATED, 404: AFTERSALE_NOT_FOUND,
                              409: AFTERSALE_CONFLICT})
    def post(self, request: Request, aftersale_id: int) -> Response:
        aftersale = selectors.aftersale_get_for_user(user=request.user, aftersale_id=aftersale_id)
        aftersale_withdraw(aftersale=aftersale, user=request.user)
        return _aftersale_response(request, aftersale)


class AfterSaleShipBackView(MemberView):
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
