"""The OpenAPI schema is complete and valid, and the Swagger UI works offline."""

import re

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from common.api import WEB_SERVER_ANSWERS

MALL_OPERATIONS = {
    ("/api/v1/auth/sms-codes/", "post"), ("/api/v1/auth/signup/", "post"),
    ("/api/v1/auth/signin/", "post"), ("/api/v1/auth/signout/", "post"),
    ("/api/v1/auth/password/reset/", "post"), ("/api/v1/auth/password/", "post"),
    ("/api/v1/me/", "get"), ("/api/v1/me/", "patch"),
    ("/api/v1/categories/", "get"), ("/api/v1/categories/{category_id}/", "get"),
    ("/api/v1/products/", "get"), ("/api/v1/products/{product_id}/", "get"),
    ("/api/v1/shops/platform/", "get"), ("/api/v1/shops/{shop_id}/", "get"),
    ("/api/v1/shops/{shop_id}/products/", "get"),
    ("/api/v1/my-shop/", "get"), ("/api/v1/my-shop/", "patch"),
    ("/api/v1/my-shop/products/", "post"), ("/api/v1/my-shop/products/{product_id}/", "delete"),
    ("/api/v1/my-shop/products/order/", "put"),
}
# Reads that cannot fail for a client: the whole tree, the platform shop (created on demand).
NO_CLIENT_ERRORS = {("/api/v1/categories/", "get"), ("/api/v1/shops/platform/", "get")}
ERROR_REFS = {"#/components/schemas/Error", "#/components/schemas/ValidationError"}


@pytest.fixture(scope="module")
def schema() -> dict:
    GENERATOR_STATS.reset()
    generated = SchemaGenerator().get_schema(request=None, public=True)
    generated["x-generator-problems"] = bool(GENERATOR_STATS)
    return generated


def _operations(schema: dict) -> dict[tuple[str, str], dict]:
    return {(path, method): operation for path, item in schema["paths"].items()
            for method, operation in item.items()}


def test_schema_generates_without_warnings_or_errors(schema):
    # Warnings are also printed to stderr by drf-spectacular, so a failure here names them there.
    assert schema["x-generator-problems"] is False


def test_schema_validates_against_the_openapi_spec(schema):
    clean = {key: value for key, value in schema.items() if key != "x-generator-problems"}
    validate_schema(clean)  # raises on an invalid document


def test_schema_lists_every_mall_operation(schema):
    assert set(_operations(schema)) >= MALL_OPERATIONS


def test_every_mall_operation_has_tags_summary_and_typed_responses(schema):
    for key, operation in _operations(schema).items():
        if key not in MALL_OPERATIONS:
            continue
        assert operation.get("tags") and operation.get("summary"), key
        for code, response in operation["responses"].items():
            assert code == "204" or code in WEB_SERVER_ANSWERS or "content" in response, (key, code)


def test_every_mall_operation_that_can_fail_documents_its_error_shape(schema):
    for key, operation in _operations(schema).items():
        if key not in MALL_OPERATIONS or key in NO_CLIENT_ERRORS:
            continue
        errors = {code: r for code, r in operation["responses"].items()
                  if code.startswith("4") and code not in WEB_SERVER_ANSWERS}
        assert errors, key
        for code, response in errors.items():
            assert response["content"]["application/json"]["schema"]["$ref"] in ERROR_REFS, (key, code)
            assert response["description"], (key, code)


def test_authenticated_operations_require_the_token_scheme(schema):
    operations = _operations(schema)
    me = operations[("/api/v1/me/", "get")]
    signin = operations[("/api/v1/auth/signin/", "post")]

    assert {"tokenAuth": []} in me["security"]
    assert {} not in me["security"]  # not anonymous
    assert "security" not in signin  # ignores credentials entirely


def test_money_is_a_decimal_string_in_the_schema(schema):
    item = schema["components"]["schemas"]["ProductListItem"]["properties"]["min_price"]

    assert (item["type"], item["format"]) == ("string", "decimal")


@pytest.mark.django_db
def test_schema_endpoint_serves_the_schema():
    response = APIClient().get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Quanzi API"
    assert {(p, m) for p, item in response.json()["paths"].items() for m in item} >= MALL_OPERATIONS


@pytest.mark.django_db
def test_docs_page_loads_swagger_ui_from_local_static_files():
    response = APIClient().get("/api/docs/")

    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert response.status_code == 200
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {"swagger-ui.css", "swagger-ui-bundle.js",
                                                      "swagger-ui-standalone-preset.js"}
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "cdn" not in html.lower()
