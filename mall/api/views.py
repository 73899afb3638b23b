"""The mall part of ``/api/v1/``: accounts, catalogue, shops.

Views only orchestrate: an input serializer validates, a service writes or a selector reads,
an output serializer shapes the answer. Domain errors become ``{"code", "detail"}`` in
``common.api.exception_handler``.
"""

from typing import Any

from django.contrib.auth import logout
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import PAGE_NOT_FOUND, UNAUTHENTICATED, error_response, validated, validation_error_response
from common.http import client_ip
from mall import selectors
from mall.api import serializers as s
from mall.api.tokens import token_issue, token_revoke, token_rotate
from mall.hooks import hooks
from mall.models import Product, User
from mall.services import accounts, shops

ACCOUNT = "account"
CATALOGUE = "catalogue"
SHOPS = "shops"
MY_SHOP = "my shop"

PRODUCT_NOT_FOUND = error_response("Unknown or off-shelf product (`product_not_found`).")
SHOP_NOT_FOUND = error_response("Unknown or closed shop (`shop_not_found`).")
NO_SHOP = error_response("The member has no shop (`shop_not_found`).")


class CataloguePagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 50


def _client_ip(request: Request) -> str:
    return client_ip(request)


def _auth_result(request: Request, user: User, *, token: str) -> dict[str, Any]:
    return {"token": token, "user": s.MeSerializer(user, context={"request": request}).data}


# Sign-up/sign-in endpoints ignore any Authorization header: a stale token left in the client
# must not block signing in again. (A comment, not a docstring: docstrings become schema text.)
class _PublicAuthView(APIView):
    authentication_classes: list = []
    permission_classes: list = []


# --- accounts -----------------------------------------------------------------------------


class SMSCodeView(_PublicAuthView):
    @extend_schema(
        tags=[ACCOUNT], summary="Send an SMS verification code", request=s.SMSCodeRequestSerializer,
        responses={
            202: s.SMSCodeSentSerializer,
            400: validation_error_response("`invalid_phone`, or invalid input (`invalid`)."),
            429: error_response("One code a minute and a daily cap per phone, and an hourly cap per "
                                "client address (`code_rate_limited`)."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.SMSCodeRequestSerializer, request.data, {"request": request})
        accounts.phone_code_send(phone=data["phone"], purpose=data["purpose"], ip=_client_ip(request))
        return Response({"sent": True}, status=status.HTTP_202_ACCEPTED)


class SignupView(_PublicAuthView):
    @extend_schema(
        tags=[ACCOUNT], summary="Sign up with a mobile number and an SMS code",
        request=s.SignupSerializer,
        responses={
            201: s.AuthResultSerializer,
            400: validation_error_response("`invalid_phone`, `weak_password`, `code_invalid`, a "
                                           "refused invite code, or invalid input (`invalid`)."),
            404: error_response("No member has the invite code (`invite_code_unknown`)."),
            409: error_response("The mobile number is already registered (`phone_taken`)."),
            429: error_response("Too many wrong invite codes from this address; nothing was created "
                                "(`invite_rate_limited`)."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.SignupSerializer, request.data, {"request": request})
        user = accounts.user_register(
            phone=data["phone"], password=data["password"], code=data["code"],
            nickname=data["nickname"], invite_code=data["invite_code"].strip() or None,
            ip=_client_ip(request),
        )
        hooks.call("user_signed_in", request=request._request, user=user)
        return Response(_auth_result(request, user, token=token_issue(user=user)),
                        status=status.HTTP_201_CREATED)


class SigninView(_PublicAuthView):
    @extend_schema(
        tags=[ACCOUNT], summary="Sign in with mobile number and password", request=s.SigninSerializer,
        responses={
            200: s.AuthResultSerializer,
            400: validation_error_response("`wrong_credentials`, `invalid_phone`, or invalid input "
                                           "(`invalid`)."),
            403: error_response("The phone is under attack from many addresses: sign in with an SMS "
                                "code (`auth/signin/code/`) instead (`signin_code_required`)."),
            429: error_response("Too many failed sign-ins from this address, for this phone or for "
                                "all phones; SMS-code sign-in still works (`signin_rate_limited`)."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.SigninSerializer, request.data, {"request": request})
        user = accounts.user_authenticate(phone=data["phone"], password=data["password"],
                                          ip=_client_ip(request))
        hooks.call("user_signed_in", request=request._request, user=user)
        return Response(_auth_result(request, user, token=token_issue(user=user)))


class SigninCodeView(_PublicAuthView):
    @extend_schema(
        tags=[ACCOUNT], summary="Sign in with mobile number and an SMS code",
        description="Get the code from `auth/sms-codes/` with purpose `signin`. Never refused by the "
                    "password sign-in limits: the way in when password sign-in answers "
                    "`signin_code_required` or `signin_rate_limited`.",
        request=s.SigninCodeSerializer,
        responses={
            200: s.AuthResultSerializer,
            400: validation_error_response("`code_invalid`, `invalid_phone`, `phone_not_registered` "
                                           "(after a right code only), or invalid input (`invalid`)."),
            403: error_response("The account is disabled (`account_inactive`)."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.SigninCodeSerializer, request.data, {"request": request})
        user = accounts.user_authenticate_with_code(phone=data["phone"], code=data["code"],
                                                    ip=_client_ip(request))
        hooks.call("user_signed_in", request=request._request, user=user)
        return Response(_auth_result(request, user, token=token_issue(user=user)))


class SignoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[ACCOUNT], summary="Sign out: the token stops working", request=None,
                   responses={204: None, 401: UNAUTHENTICATED})
    def post(self, request: Request) -> Response:
        token_revoke(user=request.user)
        logout(request._request)  # also ends a browser session, if there is one
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(_PublicAuthView):
    @extend_schema(
        tags=[ACCOUNT], summary="Reset a forgotten password with an SMS code",
        description="Signs the member out everywhere and returns a fresh token.",
        request=s.PasswordResetSerializer,
        responses={
            200: s.AuthResultSerializer,
            400: validation_error_response("`invalid_phone`, `code_invalid` (also for an unknown "
                                           "number), `weak_password`, or invalid input (`invalid`)."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.PasswordResetSerializer, request.data, {"request": request})
        with transaction.atomic():
            user = accounts.user_reset_password(phone=data["phone"], code=data["code"],
                                                new_password=data["new_password"])
            token = token_rotate(user=user)
        return Response(_auth_result(request, user, token=token))


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[ACCOUNT], summary="Change the password",
        description="The old token stops working; use the returned one.",
        request=s.PasswordChangeSerializer,
        responses={
            200: s.TokenSerializer,
            400: validation_error_response("Wrong old password (`wrong_credentials`), "
                                           "`weak_password`, or invalid input (`invalid`)."),
            401: UNAUTHENTICATED,
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(s.PasswordChangeSerializer, request.data, {"request": request})
        with transaction.atomic():
            accounts.user_set_password(user=request.user, old_password=data["old_password"],
                                       new_password=data["new_password"])
            token = token_rotate(user=request.user)
        return Response({"token": token})


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[ACCOUNT], summary="The signed-in member",
                   responses={200: s.MeSerializer, 401: UNAUTHENTICATED})
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(tags=[ACCOUNT], summary="Change the nickname", request=s.MeUpdateSerializer,
                   responses={200: s.MeSerializer, 400: validation_error_response(),
                              401: UNAUTHENTICATED})
    def patch(self, request: Request) -> Response:
        data = validated(s.MeUpdateSerializer, request.data, {"request": request})
        accounts.user_update_profile(user=request.user, nickname=data["nickname"])
        return Response(s.MeSerializer(request.user, context={"request": request}).data)


# --- catalogue ----------------------------------------------------------------------------


class CategoryTreeView(APIView):
    @extend_schema(tags=[CATALOGUE], summary="The active category tree, nested",
                   responses={200: s.CategoryNodeSerializer(many=True)})
    def get(self, request: Request) -> Response:
        roots = s.nest_categories(selectors.category_tree())
        return Response(s.CategoryNodeSerializer(roots, many=True, context={"request": request}).data)


class CategoryDetailView(APIView):
    @extend_schema(
        tags=[CATALOGUE], summary="One category with its active subcategories",
        responses={200: s.CategoryNodeSerializer,
                   404: error_response("Unknown or hidden category (`category_not_found`).")},
    )
    def get(self, request: Request, category_id: int) -> Response:
        (root,) = s.nest_categories(selectors.category_subtree(category_id=category_id),
                                    root_id=category_id)
        return Response(s.CategoryNodeSerializer(root, context={"request": request}).data)


class ProductListView(ListAPIView):
    queryset = Product.objects.none()  # for the schema generator; get_queryset asks the selector
    serializer_class = s.ProductListItemSerializer
    pagination_class = CataloguePagination
    filter_backends: list = []  # the query is validated by ProductListQuerySerializer

    @extend_schema(
        tags=[CATALOGUE], summary="Products on sale: filter, search, sort, paginate",
        parameters=[s.ProductListQuerySerializer],
        responses={200: s.ProductListItemSerializer,
                   400: validation_error_response("Unknown category id or sort (`invalid`)."),
                   404: PAGE_NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Product]:
        query = s.ProductListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.product_list(**query.validated_data)


class ProductDetailView(APIView):
    @extend_schema(tags=[CATALOGUE], summary="A product with its images and SKUs",
                   responses={200: s.ProductDetailSerializer, 404: PRODUCT_NOT_FOUND})
    def get(self, request: Request, product_id: int) -> Response:
        product = selectors.product_get(product_id=product_id)
        return Response(s.ProductDetailSerializer(product, context={"request": request}).data)


# --- shops --------------------------------------------------------------------------------


class PlatformShopView(APIView):
    @extend_schema(tags=[SHOPS], summary="The platform's own shop", responses={200: s.ShopSerializer})
    def get(self, request: Request) -> Response:
        return Response(s.ShopSerializer(shops.platform_shop_get(), context={"request": request}).data)


class ShopDetailView(APIView):
    @extend_schema(tags=[SHOPS], summary="A shop",
                   responses={200: s.ShopSerializer, 404: SHOP_NOT_FOUND})
    def get(self, request: Request, shop_id: int) -> Response:
        shop = selectors.shop_get(shop_id=shop_id)
        return Response(s.ShopSerializer(shop, context={"request": request}).data)


class ShopProductsView(ListAPIView):
    queryset = Product.objects.none()  # for the schema generator; get_queryset asks the selector
    serializer_class = s.ProductListItemSerializer
    pagination_class = CataloguePagination
    filter_backends: list = []

    @extend_schema(tags=[SHOPS], summary="A shop's products on sale, in the shop's order",
                   responses={200: s.ProductListItemSerializer, 404: SHOP_NOT_FOUND})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Product]:
        return selectors.shop_products(shop=selectors.shop_get(shop_id=self.kwargs["shop_id"]))


class MyShopView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[MY_SHOP], summary="The signed-in member's shop",
                   responses={200: s.MyShopSerializer, 401: UNAUTHENTICATED, 404: NO_SHOP})
    def get(self, request: Request) -> Response:
        shop = selectors.shop_get_for_owner(owner=request.user)
        return Response(s.MyShopSerializer(shop, context={"request": request}).data)

    @extend_schema(tags=[MY_SHOP], summary="Rename the shop or change its introduction",
                   request=s.MyShopUpdateSerializer,
                   responses={200: s.MyShopSerializer, 400: validation_error_response(),
                              401: UNAUTHENTICATED, 404: NO_SHOP})
    def patch(self, request: Request) -> Response:
        shop = selectors.shop_get_for_owner(owner=request.user)
        data = validated(s.MyShopUpdateSerializer, request.data, {"request": request})
        shop = shops.shop_update(shop=shop, name=data.get("name"), intro=data.get("intro"))
        return Response(s.MyShopSerializer(shop, context={"request": request}).data)


class MyShopProductsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[MY_SHOP], summary="List a catalogue product in my shop",
        description="Appended at the end of the shop's list. Listing a product twice changes nothing "
                    "and returns the existing listing.",
        request=s.ListProductSerializer,
        responses={201: s.ShopListingSerializer, 400: validation_error_response(), 401: UNAUTHENTICATED,
                   404: error_response("No shop (`shop_not_found`), or unknown or off-shelf product "
                                       "(`product_not_found`).")},
    )
    def post(self, request: Request) -> Response:
        shop = selectors.shop_get_for_owner(owner=request.user)
        data = validated(s.ListProductSerializer, request.data, {"request": request})
        listing = shops.shop_list_product(shop=shop, product_id=data["product_id"])
        return Response(s.ShopListingSerializer(listing).data, status=status.HTTP_201_CREATED)


class MyShopProductView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[MY_SHOP], summary="Take a product off my shop (no-op when not listed)",
                   responses={204: None, 401: UNAUTHENTICATED, 404: NO_SHOP})
    def delete(self, request: Request, product_id: int) -> Response:
        shop = selectors.shop_get_for_owner(owner=request.user)
        shops.shop_unlist_product(shop=shop, product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyShopProductOrderView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[MY_SHOP], summary="Reorder my shop's products",
        description="Ids the shop does not list are ignored. Returns the resulting order.",
        request=s.ReorderSerializer,
        responses={200: s.ListedProductIdsSerializer, 400: validation_error_response(),
                   401: UNAUTHENTICATED, 404: NO_SHOP},
    )
    def put(self, request: Request) -> Response:
        shop = selectors.shop_get_for_owner(owner=request.user)
        data = validated(s.ReorderSerializer, request.data, {"request": request})
        shops.shop_reorder_products(shop=shop, product_ids=data["product_ids"])
        return Response({"product_ids": selectors.shop_listed_product_ids(shop=shop)})


