"""口碑 in the API: a product's reviews (``/api/v1/products/<id>/reviews/``, public) and the
buyer's review of a received item (``/api/v1/orders/<number>/items/<id>/review/``).

The serializers live here, beside their only views (``serializers.py`` is near its size limit).
"""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import UNAUTHENTICATED, error_response, validated, validation_error_response
from mall.selectors import product_get
from orders import selectors
from orders.api.views.base import ORDERS, MemberView, OrdersPagination
from orders.errors import OrderItemNotFound
from orders.models import MAX_REVIEW_TEXT, Review
from orders.services.review import review_create
from orders.templatetags.reviews import reviewer_name

REVIEWS = "reviews"


class ReviewPhotoSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, photo: Any) -> str:
        path = reverse("orders:review_photo", args=[photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rating = serializers.IntegerField(help_text="1 to 5.")
    text = serializers.CharField()
    reviewer = serializers.SerializerMethodField(help_text="The first character of the nickname (小**).")
    spec = serializers.CharField(source="order_item.sku_spec_text")
    photos = ReviewPhotoSerializer(many=True, source="photos.all")
    created_at = serializers.DateTimeField()

    def get_reviewer(self, review: Review) -> str:
        return reviewer_name(review)


class ReviewRequestSerializer(serializers.Serializer):
    rating = serializers.IntegerField(help_text="1 to 5 (`review_rating_invalid`).")
    text = serializers.CharField(max_length=MAX_REVIEW_TEXT, required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        default=list,
        help_text="Send as multipart/form-data: up to 3 JPEG, PNG or WebP pictures, 5 MB each "
        "(`photos_too_many`, `photo_invalid`, `photo_too_large`).",
    )


class ReviewPagination(OrdersPagination):
    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        summary = self.summary  # set by the view
        response.data = {"count": summary.count,
                         "average": str(summary.average) if summary.average is not None else None,
                         **{k: v for k, v in response.data.items() if k != "count"}}
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """The page's shape in the OpenAPI schema: DRF's page plus the product's ``average``."""
        page = super().get_paginated_response_schema(schema)
        page["properties"]["count"]["description"] = "Visible reviews in all."
        page["properties"] = {"count": page["properties"]["count"],
                              "average": {"type": "string", "format": "decimal", "nullable": True,
                                          "example": "4.7", "description": "Average rating, one "
                                          "decimal; null without reviews."},
                              **{k: v for k, v in page["properties"].items() if k != "count"}}
        page["required"] = ["count", "average", *(r for r in page.get("required", []) if r != "count")]
        return page


class ProductReviewListView(ListAPIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = ReviewSerializer
    pagination_class = ReviewPagination
    queryset = Review.objects.none()  # for the schema generator
    filter_backends: list = []

    @extend_schema(tags=[REVIEWS], summary="A product's reviews (口碑), newest first, with count and average",
                   description="Hidden reviews are never listed nor counted.",
                   responses={200: ReviewSerializer,
                              404: error_response("Unknown or off-shelf product (`product_not_found`), "
                                                  "or a page out of range (`not_found`).")})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Review]:
        product = product_get(product_id=self.kwargs["product_id"])
        self.paginator.summary = selectors.product_review_summary(product_id=product.pk)
        return selectors.product_reviews(product_id=product.pk)


class ReviewCreateView(MemberView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=[ORDERS], summary="Review one item of my received order (once)",
        description="JSON, or multipart/form-data to attach up to 3 photos (`photos`, repeated).",
        request={"application/json": ReviewRequestSerializer, "multipart/form-data": ReviewRequestSerializer},
        responses={
            201: ReviewSerializer,
            400: validation_error_response("`review_rating_invalid`, `review_text_too_long`, more than 3 "
                                           "photos (`photos_too_many`), a file that is not a JPEG, PNG or "
                                           "WebP picture (`photo_invalid`) or over 5 MB (`photo_too_large`), "
                                           "or invalid input (`invalid`)."),
            401: UNAUTHENTICATED,
            404: error_response("Unknown or another member's order (`order_not_found`), or an item not "
                                "in it (`order_item_not_found`)."),
            409: error_response("Not received yet (`review_not_allowed`), or already reviewed "
                                "(`review_exists`)."),
        },
    )
    def post(self, request: Request, number: str, item_id: int) -> Response:
        order = selectors.order_detail_for_user_by_number(user=request.user, number=number)
        if item_id not in {item.pk for item in order.items.all()}:
            raise OrderItemNotFound()
        data = validated(ReviewRequestSerializer, request.data)
        review = review_create(user=request.user, order_item_id=item_id, **data)
        fresh = selectors.product_reviews(product_id=review.product_id).get(pk=review.pk)
        body = ReviewSerializer(fresh, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)
