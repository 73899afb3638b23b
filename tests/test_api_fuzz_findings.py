"""What ``make fuzz`` (schemathesis against /api/schema/, bench/fuzz/run.sh) found, one test
per class of bug: a 500 becomes a clear zh-hans 4xx that changes nothing, and every answer is
the one the OpenAPI schema documents."""

import jsonschema
import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mall.models import ProductMaterial, ShopProduct
from orders.models import Order, OrderState
from tests.distribution.myshop_world import catalogue, shop_world
from tests.mall.factories import ProductFactory, UserFactory
from tests.orders.conftest import _payment_settings, sandbox_key_dir  # noqa: F401 (fixtures)
from tests.orders.factories import AddressFactory
from tests.orders.test_reviews import media, order_in, picture, review  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(node: object) -> object:
    """OpenAPI 3.0's ``nullable`` as JSON Schema says it (what schemathesis checks against)."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    if not node.pop("nullable", False):
        return node
    if "type" in node:
        return {**node, "type": [node["type"], "null"],
                **({"enum": [*node["enum"], None]} if "enum" in node else {})}
    return {"anyOf": [node, {"type": "null"}]}


def documented(schema: dict, path: str, method: str, status: int) -> dict:
    """The JSON schema of one documented answer, its ``$ref``s resolvable."""
    content = schema["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    return _json_schema({**content["schema"], "components": schema["components"]})


# --- a URL under /api/ that matches no route: JSON, not the H5 page --------------------------------


def test_an_api_url_that_matches_no_route_is_a_json_404_in_the_error_shape():
    response = api().get("/api/v1/addresses/null,null/")  # an int is expected

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "请求的内容不存在。"}
    page = api().get("/no-such-page/")
    assert (page.status_code, page["Content-Type"].split(";")[0]) == (404, "text/html")


def test_a_request_django_refuses_before_any_view_is_a_json_400_under_api():
    """More form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: Django's own 400, as JSON."""
    world = shop_world()
    fields = {f"f{i}": "1" for i in range(1001)}

    response = api(world.seller.user).put("/api/v1/my-shop/products/order/", fields, format="multipart")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "malformed_request", "detail": "请求格式不正确。"}


def test_every_operation_with_a_path_parameter_documents_its_404(schema):
    missing = [f"{method.upper()} {path}" for path, operations in schema["paths"].items()
               for method, operation in operations.items()
               if any(p["in"] == "path" for p in operation.get("parameters", []))
               and "404" not in operation["responses"]]

    assert missing == []


def test_every_operation_documents_the_web_servers_414(schema):
    """gunicorn refuses a request line over 4,094 bytes with a 414 before the app sees it."""
    operations = [operation for operations in schema["paths"].values() for operation in operations.values()]

    assert all("414" in operation["responses"] for operation in operations)


# --- a NUL in a search: PostgreSQL refuses it in a query; the API refuses it first -------------------


def test_a_nul_in_the_team_search_is_refused_with_a_400_not_a_500():
    world = shop_world()

    response = api(world.seller.user).get("/api/v1/distribution/team/downlines/", {"q": "\x00小"})

    assert response.status_code == 400
    assert response.json() == {"code": "team_filter_invalid",
                               "detail": "请按昵称或手机号后 4 位搜索，并选择一级或二级。"}


def test_a_nul_in_the_storefront_search_is_searched_without_it():
    """The same class on the H5 search page (seen while checking the API's fix)."""
    ProductFactory(title="枸杞")

    response = api().get("/search/", {"q": "\x00枸杞"})

    assert response.status_code == 200
    assert response.context["q"] == "枸杞"
    assert [p.title for p in response.context["page"]] == ["枸杞"]


# --- a JSON body that is not an object ------------------------------------------------------------


@pytest.mark.parametrize("body", ['"AAA"', "[]", "42"])
def test_an_order_whose_body_is_not_an_object_is_a_400_and_creates_nothing(body):
    user = UserFactory()
    AddressFactory(user=user)

    response = api(user).post("/api/v1/orders/", data=body, content_type="application/json",
                              HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "字典" in response.json()["detail"]  # DRF's "应当是一个字典", in the request's language
    assert Order.objects.count() == 0


# --- answers that did not match their schema ------------------------------------------------------


def test_the_page_of_reviews_is_what_its_schema_says(schema):
    product = ProductFactory()
    for rating in (5, 4):
        review(order_in(OrderState.RECEIVED, product=product), rating=rating, text=f"{rating} 星")

    body = api().get(f"/api/v1/products/{product.pk}/reviews/", {"page_size": 1}).json()

    assert (body["count"], body["average"], len(body["results"])) == (2, "4.5", 1)
    jsonschema.validate(body, documented(schema, "/api/v1/products/{product_id}/reviews/", "get", 200))


def test_my_shop_toggle_pin_and_move_answer_what_their_schema_says(schema):
    world = shop_world()
    first, second = catalogue(2)
    client = api(world.seller.user)
    base = "/api/v1/distribution/my-shop/products/{product_id}/"

    toggled = client.post(f"/api/v1/distribution/my-shop/products/{first.pk}/toggle/", {}, format="json")
    client.post(f"/api/v1/distribution/my-shop/products/{second.pk}/toggle/", {}, format="json")
    pinned = client.post(f"/api/v1/distribution/my-shop/products/{first.pk}/pin/", {"pinned": True},
                         format="json")
    moved = client.post(f"/api/v1/distribution/my-shop/products/{second.pk}/move/", {"offset": -1},
                        format="json")
    no_offset = client.post(f"/api/v1/distribution/my-shop/products/{second.pk}/move/", {}, format="json")

    for response, action in ((toggled, "toggle"), (pinned, "pin"), (moved, "move")):
        assert response.status_code == 200, action
        jsonschema.validate(response.json(), documented(schema, f"{base}{action}/", "post", 200))
    assert no_offset.status_code == 400
    jsonschema.validate(no_offset.json(), documented(schema, f"{base}move/", "post", 400))
    assert ShopProduct.objects.filter(shop=world.shop).count() == 2


def test_my_shop_profile_and_share_answer_what_their_schema_says(schema):
    world = shop_world()
    (product,) = catalogue(1)
    material = ProductMaterial.objects.create(product=product, text="夏天就要清爽一点")
    client = api(world.seller.user)

    profile = client.post("/api/v1/distribution/my-shop/profile/", {"name": "小雨的新店"}, format="json")
    share = client.get(f"/api/v1/distribution/my-shop/products/{product.pk}/share/")

    assert (profile.status_code, profile.json()["name"]) == (200, "小雨的新店")
    jsonschema.validate(profile.json(), documented(
        schema, "/api/v1/distribution/my-shop/profile/", "post", 200))
    assert (share.status_code, share.json()["materials"]) == (200, [{"text": material.text, "images": []}])
    jsonschema.validate(share.json(), documented(
        schema, "/api/v1/distribution/my-shop/products/{product_id}/share/", "get", 200))


def test_the_page_of_picks_is_what_its_schema_says(schema):
    world = shop_world()
    catalogue(2)

    response = api(world.seller.user).get("/api/v1/distribution/my-shop/picks/")

    assert (response.status_code, len(response.json()["results"])) == (200, 2)
    picks = documented(schema, "/api/v1/distribution/my-shop/picks/", "get", 200)
    jsonschema.validate(response.json(), picks)


def test_a_page_of_picks_past_any_catalogue_is_empty_not_a_500():
    """Page 10**21 made an OFFSET over PostgreSQL's bigint; the H5 page shares the selector."""
    world = shop_world()
    catalogue(2)
    huge = str(10**21)

    response = api(world.seller.user).get("/api/v1/distribution/my-shop/picks/", {"page": huge,
                                                                                 "sort": "sales"})
    client = Client()
    client.force_login(world.seller.user)
    page = client.get("/distribution/shop/picks/", {"page": huge, "sort": "sales"})
    nul = client.get("/distribution/shop/picks/", {"q": "\x00商品"})  # searched without the NUL

    assert response.status_code == 200
    assert response.json() == {"page": 10**21, "has_next": False, "results": []}
    assert (page.status_code, nul.status_code, len(nul.context["result"].rows)) == (200, 200, 2)


# --- a month no date can hold ---------------------------------------------------------------------


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "1999-12"])
def test_a_month_outside_2000_to_2099_is_a_400_not_a_500(month):
    world = shop_world()

    response = api(world.seller.user).get("/api/v1/earnings/commissions/", {"month": month})

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("invalid", ["month"])
