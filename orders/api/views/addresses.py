"""The member's delivery addresses (``/api/v1/addresses/``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import UNAUTHENTICATED, validated, validation_error_response
from orders import selectors
from orders.api import serializers as s
from orders.api.views.base import (
    ADDRESS_NOT_FOUND,
    ADDRESSES,
    MemberView,
)
from orders.services import address as address_services

ADDRESS_INVALID = validation_error_response(
    "Missing or too long fields, or a bad mobile number (`address_invalid`, `invalid`)."
)


class AddressListView(MemberView):
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


class AddressDetailView(MemberView):
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


class AddressDefaultView(MemberView):
    @extend_schema(tags=[ADDRESSES], summary="Make an address the default", request=None,
                   responses={200: s.AddressSerializer, 401: UNAUTHENTICATED, 404: ADDRESS_NOT_FOUND})
    def post(self, request: Request, address_id: int) -> Response:
        address = address_services.address_set_default(user=request.user, address_id=address_id)
        return Response(s.AddressSerializer(address).data)
