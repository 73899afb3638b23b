"""Every API error has the same shape: exactly ``code`` and ``detail`` (+ ``fields`` on validation)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.mall.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13812341234"


def _client(token: str | None = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _signin(password: str):
    return _client().post("/api/v1/auth/signin/", {"phone": PHONE, "password": password}, format="json")


def test_error_bodies_have_exactly_code_and_detail():
    # given
    UserFactory(phone=PHONE)
    off_shelf = ProductFactory(status="off_shelf")

    # when: one request per kind of failure
    responses = {
        "product_not_found": _client().get(f"/api/v1/products/{off_shelf.pk}/"),
        "invalid_phone": _client().post("/api/v1/auth/signin/", {"phone": "1", "password": "x"},
                                        format="json"),
        "wrong_credentials": _signin("not-the-password"),
        "not_authenticated": _client().get("/api/v1/me/"),
        "authentication_failed": _client("no-such-token").get("/api/v1/me/"),
        "method_not_allowed": _client().delete("/api/v1/products/"),
        "parse_error": _client().post("/api/v1/auth/signin/", "{oops", content_type="application/json"),
        "unsupported_media_type": _client().post("/api/v1/auth/signin/", "x", content_type="text/csv"),
        "not_found": _client().get("/api/v1/products/", {"page": 5}),
    }

    # then
    for code, response in responses.items():
        assert 400 <= response.status_code < 500, code
        body = response.json()
        assert set(body) == {"code", "detail"}, (code, body)
        assert body["code"] == code
        assert isinstance(body["detail"], str)
        assert body["detail"]


def test_validation_errors_add_fields():
    response = _client().post("/api/v1/auth/signin/", {"phone": PHONE}, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": "password: This field is required.",
                               "fields": {"password": ["This field is required."]}}


def test_rate_limit_body_has_exactly_code_and_detail(settings):
    UserFactory(phone=PHONE)
    for _ in range(settings.SIGNIN_FAILURES_PER_PHONE_ADDRESS):
        _signin("bad-guess")

    response = _signin("bad-guess")

    assert response.status_code == 429
    assert set(response.json()) == {"code", "detail"}
    assert response.json()["code"] == "signin_rate_limited"


def test_a_stale_token_on_a_public_read_is_401_not_silently_anonymous():
    # A public page with a bad token says so, so the client can drop the token.
    user = UserFactory(phone=PHONE)
    Token.objects.create(user=user)

    response = _client("stale").get("/api/v1/categories/")

    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
