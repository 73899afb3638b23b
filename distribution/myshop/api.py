"""``/api/v1/distribution/my-shop/…``: 选品, pins, order, the shop's profile pictures and the
share data of a product, for the mini-program. Always the signed-in reseller's own shop; a
``shop_id`` in the body that is not theirs is a 403 ``shop_not_yours`` and changes nothing.
(Listing, unlisting and reordering by a list of ids are the mall's ``/api/v1/my-shop/…``.)"""

from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import UNAUTHENTICATED, error_response, validated, validation_error_response
from distribution.models import Member
from distribution.myshop import selectors
from distribution.myshop.links import SOURCES, share_url
from distribution.reseller.errors import NotAReseller
from mall import selectors as mall_selectors
from mall.models import MaterialImage, ProductMaterial, Shop
from mall.services import shops as shop_services
from mall.services.shop_images import shop_image_clean

TAG = "my shop"
OFF_SHELF = error_response("Unknown or off-shelf product (`product_not_found`).")
NOT_LISTED = error_response("Not listed in my shop (`product_not_in_shop`).")
REFUSED = error_response("Not a reseller with a shop (`not_a_reseller`), or another reseller's "
                         "shop id (`shop_not_yours`).")


def _reseller_shop(request: Request, shop_id: object = None) -> tuple[Member, Shop]:
    member, shop = selectors.reseller_with_shop(user=request.user)
    if member is None or shop is None or not (member.is_reseller and member.is_active):
        raise NotAReseller()
    mall_selectors.shop_get_owned(owner=request.user, shop_id=shop_id)
    return member, shop


class PicksQuery(serializers.Serializer):
    category = serializers.IntegerField(required=False, min_value=1)
    q = serializers.CharField(required=False, allow_blank=True, max_length=50)
    sort = serializers.ChoiceField(choices=selectors.PICK_SORTS, required=False, default="commission")
    page = serializers.IntegerField(required=False, min_value=1, default=1)


class PickRowSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    title = serializers.CharField()
    image = serializers.SerializerMethodField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    earning = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                       help_text="分享赚: tier-1 commission on one unit; null for none.")
    sales = serializers.IntegerField()
    in_shop = serializers.BooleanField()

    def get_image(self, row: selectors.ProductRow) -> str:
        return self.context["request"].build_absolute_uri(default_storage.url(row.image)) if row.image else ""


class PicksPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = PickRowSerializer(many=True)


class PicksView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], summary="选品: the catalogue with my 分享赚 and whether my shop lists it",
                   parameters=[PicksQuery],
                   responses={200: PicksPageSerializer, 400: validation_error_response(),
                              401: UNAUTHENTICATED, 403: REFUSED})
    def get(self, request: Request) -> Response:
        member, shop = _reseller_shop(request)
        query = validated(PicksQuery, request.query_params)
        page = selectors.picks_page(member=member, shop=shop, category_id=query.get("category"),
                                    q=query.get("q", ""), sort=query["sort"], page=query["page"])
        rows = PickRowSerializer(page.rows, many=True, context={"request": request}).data
        return Response({"page": page.page, "has_next": page.has_next, "results": rows})


class ShopIdSerializer(serializers.Serializer):
    shop_id = serializers.IntegerField(required=False, help_text="Optional: must be my own shop's id.")


class PinSerializer(ShopIdSerializer):
    pinned = serializers.BooleanField()


class MoveSerializer(ShopIdSerializer):
    offset = serializers.IntegerField(min_value=-1000, max_value=1000)


class ToggleResultSerializer(serializers.Serializer):
    in_shop = serializers.BooleanField(help_text="Listed in my shop after this tap.")


class PinResultSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    pinned = serializers.BooleanField()


class MoveResultSerializer(serializers.Serializer):
    product_ids = serializers.ListField(child=serializers.IntegerField(),
                                        help_text="My shop's products in their new order.")


INVALID = validation_error_response("Invalid input (`invalid`), e.g. a body that is not an object.")


class ToggleView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], summary="Add the product to my shop, or take it off (one tap)",
                   request=ShopIdSerializer, responses={200: ToggleResultSerializer, 400: INVALID,
                                                        401: UNAUTHENTICATED, 403: REFUSED, 404: OFF_SHELF})
    def post(self, request: Request, product_id: int) -> Response:
        data = validated(ShopIdSerializer, request.data)
        _member, shop = _reseller_shop(request, data.get("shop_id"))
        if shop.listings.filter(product_id=product_id).exists():
            shop_services.shop_unlist_product(shop=shop, product_id=product_id)
            return Response({"in_shop": False})
        shop_services.shop_list_product(shop=shop, product_id=product_id)
        return Response({"in_shop": True})


class PinView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], summary="Pin a product of my shop to the top (or unpin it)",
                   request=PinSerializer, responses={200: PinResultSerializer, 400: INVALID,
                                                     401: UNAUTHENTICATED, 403: REFUSED, 404: NOT_LISTED})
    def post(self, request: Request, product_id: int) -> Response:
        data = validated(PinSerializer, request.data)
        _member, shop = _reseller_shop(request, data.get("shop_id"))
        listing = shop_services.shop_pin_product(shop=shop, product_id=product_id, pinned=data["pinned"])
        return Response({"product_id": product_id, "pinned": listing.is_pinned})


class MoveView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], summary="Move a product of my shop up (negative offset) or down",
                   request=MoveSerializer, responses={200: MoveResultSerializer, 400: INVALID,
                                                      401: UNAUTHENTICATED, 403: REFUSED, 404: NOT_LISTED})
    def post(self, request: Request, product_id: int) -> Response:
        data = validated(MoveSerializer, request.data)
        _member, shop = _reseller_shop(request, data.get("shop_id"))
        order = shop_services.shop_move_product(shop=shop, product_id=product_id, offset=data["offset"])
        return Response({"product_ids": order})


class ProfileSerializer(ShopIdSerializer):
    name = serializers.CharField(required=False, max_length=40)
    intro = serializers.CharField(required=False, allow_blank=True, max_length=200)
    logo = serializers.FileField(required=False)
    cover = serializers.FileField(required=False)


class ProfileResultSerializer(serializers.Serializer):
    shop_id = serializers.IntegerField()
    name = serializers.CharField()
    intro = serializers.CharField(allow_blank=True)
    logo = serializers.CharField(allow_blank=True, help_text="Absolute URL; empty without one.")
    cover = serializers.CharField(allow_blank=True, help_text="Absolute URL; empty without one.")


class ProfileView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(tags=[TAG], summary="Change my shop's name, introduction, logo or cover",
                   description="Pictures: JPEG, PNG or WebP of at most 5 MB (`image_invalid`, "
                               "`image_too_large`); a refused picture changes nothing.",
                   request={"multipart/form-data": ProfileSerializer},
                   responses={200: ProfileResultSerializer, 400: validation_error_response(),
                              401: UNAUTHENTICATED, 403: REFUSED,
                              413: error_response("Picture over 5 MB (`image_too_large`).")})
    def post(self, request: Request) -> Response:
        data = validated(ProfileSerializer, request.data)
        _member, shop = _reseller_shop(request, data.get("shop_id"))
        images = {kind: shop_image_clean(upload=data[kind], kind=kind) for kind in ("logo", "cover")
                  if data.get(kind)}
        shop = shop_services.shop_update(shop=shop, name=data.get("name"), intro=data.get("intro"), **images)
        return Response({"shop_id": shop.pk, "name": shop.name, "intro": shop.intro,
                         "logo": request.build_absolute_uri(shop.avatar.url) if shop.avatar else "",
                         "cover": request.build_absolute_uri(shop.cover.url) if shop.cover else ""})


class ShareMaterialSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    images = serializers.ListField(child=serializers.CharField(), help_text="Absolute URLs.")


class ShareResultSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    links = serializers.DictField(child=serializers.CharField(),
                                  help_text="Channel (`wechat`, `moments`, ...) → my share link.")
    poster_url = serializers.CharField()
    materials = ShareMaterialSerializer(many=True)


class ShareView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], summary="What to share for a product: links per channel, poster, 素材",
                   responses={200: ShareResultSerializer, 401: UNAUTHENTICATED, 403: REFUSED,
                              404: OFF_SHELF})
    def get(self, request: Request, product_id: int) -> Response:
        member, _shop = _reseller_shop(request)
        product = mall_selectors.product_get(product_id=product_id)
        materials = ProductMaterial.objects.filter(product=product, is_active=True).prefetch_related(
            Prefetch("images", queryset=MaterialImage.objects.order_by("sort_order", "id")))
        return Response({
            "product_id": product.pk,
            "links": {src: share_url(request, invite_code=member.invite_code, product_id=product.pk, src=src)
                      for src in SOURCES},
            "poster_url": request.build_absolute_uri(reverse("myshop:poster", args=[product.pk])),
            "materials": [{"text": m.text, "images": [request.build_absolute_uri(i.image.url)
                                                      for i in m.images.all()]} for m in materials],
        })
