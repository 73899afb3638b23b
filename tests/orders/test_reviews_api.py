"""口碑 in the API: the public list of a product's reviews with count and average, and the
buyer's review of a received item (JSON or multipart), with the usual error shape."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.models import OrderState, Review
from orders.services.review import review_hide
from tests.mall.factories import ProductFactory, UserFactory
from tests.orders.test_reviews import media, order_in, picture, review  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def url(order) -> str:
    return f"/api/v1/orders/{order.number}/items/{order.items.get().pk}/review/"


def test_the_buyer_reviews_a_received_item_with_a_photo():
    order = order_in(OrderState.RECEIVED)

    response = api(order.user).post(url(order), {"rating": 4, "text": "不错", "photos": [picture()]},
                                    format="multipart")

    assert response.status_code == 201
    body = response.json()
    assert (body["rating"], body["text"], len(body["photos"])) == (4, "不错", 1)
    assert body["photos"][0]["url"].endswith(f"/reviews/photos/{Review.objects.get().photos.get().pk}/")


@pytest.mark.parametrize(("state", "data", "status", "code"), [
    (OrderState.SHIPPED, {"rating": 5}, 409, "review_not_allowed"),
    (OrderState.RECEIVED, {"rating": 9}, 400, "review_rating_invalid"),
    (OrderState.RECEIVED, {"text": "没有星"}, 400, "invalid"),
])
def test_refusals_have_the_error_shape_and_change_nothing(state, data, status, code):
    order = order_in(state)

    response = api(order.user).post(url(order), data, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Review.objects.exists()


def test_twice_is_a_conflict_and_someone_elses_item_is_not_found():
    order = order_in(OrderState.RECEIVED)
    assert api(order.user).post(url(order), {"rating": 5}, format="json").status_code == 201

    again = api(order.user).post(url(order), {"rating": 1}, format="json")
    stranger = api(UserFactory()).post(url(order), {"rating": 1}, format="json")

    assert (again.status_code, again.json()["code"]) == (409, "review_exists")
    assert (stranger.status_code, stranger.json()["code"]) == (404, "order_not_found")
    assert list(Review.objects.values_list("rating", flat=True)) == [5]


def test_the_public_list_counts_and_averages_only_visible_reviews():
    product = ProductFactory()
    for rating in (5, 4, 1):
        review(order_in(OrderState.RECEIVED, product=product), rating=rating, text=f"{rating} 星")
    review_hide(review_id=Review.objects.get(rating=1).pk, actor=UserFactory(is_staff=True), reason="广告")

    body = api().get(f"/api/v1/products/{product.pk}/reviews/").json()

    assert (body["count"], body["average"]) == (2, "4.5")
    assert [r["text"] for r in body["results"]] == ["4 星", "5 星"]
    assert api().get("/api/v1/products/999999/reviews/").json()["code"] == "product_not_found"
