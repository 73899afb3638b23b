"""The share funnel and my customers in ``/api/v1/`` (the mini-program client).

Always the signed-in reseller's own; another reseller's link id is a 404
(``share_link_not_found``); bad options are a 400 with a zh-hans ``detail``. Phones are
masked (``138****1234``): a full number of anyone else never leaves the server.
"""

from typing import Any

from django.core.paginator import Paginator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import PAGE_NOT_FOUND, UNAUTHENTICATED, error_response
from common.db_routing import replica_view
from common.errors import PermissionDenied
from distribution.earnings.selectors import earnings_member, has_earnings
from distribution.funnel import selectors
from distribution.models import Member

FUNNEL = "share funnel"
FUNNEL_PAGE_SIZE = 20
NOT_RESELLER = error_response("Only resellers have a funnel and customers (`permission_denied`).")


def money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class FunnelFiguresSerializer(serializers.Serializer):
    visitors = serializers.IntegerField(help_text="Unique visitors per day, summed over the days.")
    signups = serializers.IntegerField()
    orders = serializers.IntegerField(help_text="Paid orders.")
    amount = money(help_text="What the orders' items paid (no shipping).")
    commission = money(help_text="Estimated commission of mine on those orders.")


class ProductBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class FunnelRowSerializer(FunnelFiguresSerializer):
    link_id = serializers.SerializerMethodField(help_text="By link: the link's id; by product: null.")
    channel = serializers.CharField(allow_blank=True,
                                    help_text="By link: `link`, `qr` or `poster`; by product: empty.")
    product = ProductBriefSerializer(allow_null=True, help_text="null: my shop.")

    def get_link_id(self, row: selectors.FunnelRow) -> int | None:
        return row.key if row.channel else None


class FunnelSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    since = serializers.DateField()
    by = serializers.CharField()
    totals = FunnelFiguresSerializer()
    count = serializers.IntegerField(help_text="How many links or products in all.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = FunnelRowSerializer(many=True, help_text="20 a page, busiest first.")


class FunnelDaySerializer(FunnelFiguresSerializer):
    day = serializers.DateField()


class FunnelLinkDetailSerializer(serializers.Serializer):
    link_id = serializers.IntegerField(source="link.pk")
    channel = serializers.CharField(source="link.channel")
    product = ProductBriefSerializer(source="link.product", allow_null=True)
    days = FunnelDaySerializer(many=True)


class CustomerSerializer(serializers.Serializer):
    member_id = serializers.IntegerField(source="pk")
    nickname = serializers.CharField(source="user.nickname")
    masked_phone = serializers.CharField(source="user.masked_phone")
    joined_at = serializers.DateTimeField()
    is_direct = serializers.SerializerMethodField()
    first_order_at = serializers.DateTimeField(allow_null=True)
    last_order_at = serializers.DateTimeField(allow_null=True)
    order_count = serializers.IntegerField()
    spent = money()

    def get_is_direct(self, obj: Member) -> bool:
        return obj.parent_id == self.context["me"].pk


def _reseller(request: Request) -> Member:
    member = earnings_member(user=request.user)
    if not has_earnings(member=member):
        raise PermissionDenied()
    return member


class FunnelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[FUNNEL], summary="What my share links brought, per link and per product",
                   parameters=[OpenApiParameter("days", OpenApiTypes.INT, description="7 (default) or 30"),
                               OpenApiParameter("by", str, enum=list(selectors.GROUPINGS)),
                               OpenApiParameter("page", OpenApiTypes.INT)],
                   responses={200: FunnelSerializer, 401: UNAUTHENTICATED, 403: NOT_RESELLER,
                              400: error_response("`funnel_period_invalid`, `funnel_grouping_invalid`.")})
    @replica_view  # figures only: may read the replica
    def get(self, request: Request) -> Response:
        member = _reseller(request)
        params = request.query_params
        result = selectors.reseller_funnel(member=member, days=selectors.funnel_period(params.get("days")),
                                           by=selectors.funnel_grouping(params.get("by")))
        page = Paginator(result.rows, FUNNEL_PAGE_SIZE).get_page(params.get("page"))
        return Response(FunnelSerializer({
            "days": result.days, "since": result.since, "by": result.by, "totals": result.totals,
            "count": page.paginator.count, "page": page.number, "pages": page.paginator.num_pages,
            "results": selectors.funnel_page_load(list(page.object_list))}).data)


class FunnelLinkView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[FUNNEL], summary="One of my share links, day by day (last 30 days)",
                   responses={200: FunnelLinkDetailSerializer, 401: UNAUTHENTICATED, 403: NOT_RESELLER,
                              404: error_response("Not one of my links (`share_link_not_found`).")})
    @replica_view  # figures only: may read the replica
    def get(self, request: Request, link_id: int) -> Response:
        link = selectors.share_link_get(member=_reseller(request), link_id=link_id)
        days = selectors.share_link_days(link=link)
        return Response(FunnelLinkDetailSerializer({"link": link, "days": days}).data)


class CustomerPagination(PageNumberPagination):
    page_size = 20


class CustomersView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CustomerSerializer
    pagination_class = CustomerPagination
    queryset = Member.objects.none()  # for the schema generator
    filter_backends: list = []

    @extend_schema(tags=[FUNNEL], summary="My customers: buyers credited to me and my direct team",
                   parameters=[OpenApiParameter("filter", str, enum=list(selectors.CUSTOMER_FILTERS)),
                               OpenApiParameter("sort", str, enum=list(selectors.CUSTOMER_SORTS)),
                               OpenApiParameter("days", OpenApiTypes.INT,
                                                description="For `dormant`: days without an order (1–365).")],
                   responses={200: CustomerSerializer, 401: UNAUTHENTICATED, 403: NOT_RESELLER,
                              404: PAGE_NOT_FOUND,
                              400: error_response("`customer_filter_invalid`, `dormant_days_invalid`.")})
    @replica_view  # figures only: may read the replica
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "me": self._me}

    def get_queryset(self):
        self._me = _reseller(self.request)
        params = self.request.query_params
        query = selectors.customer_query(filter=params.get("filter"), sort=params.get("sort"),
                                         dormant_days=params.get("days"))
        return selectors.member_customers(member=self._me, query=query)
