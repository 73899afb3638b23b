"""``/api/v1/coupons/``: the claim centre, claiming, my coupons; staff grants."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import UNAUTHENTICATED, error_response, validated, validation_error_response
from promotions import selectors
from promotions.api import serializers as s
from promotions.errors import CouponTemplateNotFound, GrantForbidden
from promotions.models import CouponTemplate
from promotions.services.grants import can_grant, coupons_grant_to_phones
from promotions.services.issue import coupon_claim

TAG = "coupons"


class ClaimCentreView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=[TAG],
        summary="The claim centre: coupons to claim now",
        responses={200: s.CouponTemplateSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(s.CouponTemplateSerializer(selectors.claimable_templates()[:100], many=True).data)


class ClaimView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="Claim one coupon of a template",
        request=None,
        responses={
            201: s.CouponSerializer,
            401: UNAUTHENTICATED,
            404: error_response("Unknown or grant-only template (`coupon_template_not_found`)."),
            409: error_response(
                "`coupon_sold_out`, `coupon_limit_reached`, `coupon_not_claimable`; nothing is created."
            ),
        },
    )
    def post(self, request: Request, template_id: int) -> Response:
        coupon = coupon_claim(template_id=template_id, user=request.user)
        return Response(s.CouponSerializer(coupon).data, status=status.HTTP_201_CREATED)


class MyCouponsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="My coupons by tab: unused, used, expired",
        parameters=[s.MyCouponsQuerySerializer],
        responses={200: s.CouponSerializer(many=True), 401: UNAUTHENTICATED,
                   400: validation_error_response("Unknown tab (`invalid`).")},
    )
    def get(self, request: Request) -> Response:
        tab = validated(s.MyCouponsQuerySerializer, request.query_params)["tab"]
        coupons = selectors.coupons_for_user(user=request.user, tab=tab).select_related("order")[:200]
        return Response(s.CouponSerializer(coupons, many=True).data)


class GrantView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="Staff: grant a template to members by phone (one result per row)",
        request=s.GrantRequestSerializer,
        responses={
            200: s.GrantRowSerializer(many=True),
            400: validation_error_response(),
            401: UNAUTHENTICATED,
            403: error_response("Not staff with the grant permission (`grant_forbidden`)."),
            404: error_response("Unknown template (`coupon_template_not_found`)."),
        },
    )
    def post(self, request: Request) -> Response:
        if not can_grant(request.user):
            raise GrantForbidden()
        data = validated(s.GrantRequestSerializer, request.data)
        template = CouponTemplate.objects.filter(pk=data["template_id"]).first()
        if template is None:
            raise CouponTemplateNotFound()
        rows = coupons_grant_to_phones(
            template=template,
            phones="\n".join(data["phones"]),
            batch=f"api:{data['batch']}",
            actor=request.user,
            source="api",
        )
        return Response(s.GrantRowSerializer(rows, many=True).data)
