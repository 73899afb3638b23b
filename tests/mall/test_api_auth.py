"""/api/v1/auth/... and /api/v1/me/: SMS codes, sign-up, sign-in, tokens, passwords, profile."""

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mall.hooks import hooks
from mall.models import PhoneCode, User
from mall.sms import backends
from tests.mall.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
PASSWORD = "Quanzi-test-123"  # the factory's password
NEW_PASSWORD = "Another-pass-456"
NOT_AUTHENTICATED = {"code": "not_authenticated", "detail": "Authentication credentials were not provided."}
INVALID_TOKEN = {"code": "authentication_failed", "detail": "Invalid token."}
INVALID_PHONE = {"code": "invalid_phone",
                 "detail": "Enter a valid mainland China mobile number (11 digits starting with 1)."}
WRONG_CREDENTIALS = {"code": "wrong_credentials", "detail": "Wrong mobile number or password."}
CODE_INVALID = {"code": "code_invalid", "detail": "The verification code is wrong or has expired."}


@pytest.fixture(autouse=True)
def _sms_codes_required(settings):
    settings.SIGNUP_REQUIRES_SMS_CODE = True
    settings.SMS_BACKEND = "mall.sms.backends.ConsoleSMSBackend"


@pytest.fixture
def client() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def _send_code(client: APIClient, phone: str = PHONE, purpose: str = "signup") -> str:
    response = client.post("/api/v1/auth/sms-codes/", {"phone": phone, "purpose": purpose}, format="json")
    assert response.status_code == 202, response.json()
    message = backends.outbox[-1]
    assert message.phone == phone
    return message.params["code"]


def _signup(client: APIClient, **overrides):
    body = {"phone": PHONE, "password": PASSWORD, "code": "", "nickname": "小王", **overrides}
    return client.post("/api/v1/auth/signup/", body, format="json")


def _me_body(user: User, *, shop_id: int | None = None) -> dict:
    return {"id": user.pk, "phone": "138****1234", "nickname": user.nickname, "avatar": None,
            "date_joined": timezone.localtime(user.date_joined).isoformat(),
            "has_shop": shop_id is not None, "shop_id": shop_id}


def _authed(token: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


# --- SMS codes ----------------------------------------------------------------------------


def test_sms_code_is_sent_then_rate_limited(client):
    code = _send_code(client)

    again = client.post("/api/v1/auth/sms-codes/", {"phone": PHONE}, format="json")

    assert len(code) == 6
    assert again.status_code == 429
    assert again.json() == {"code": "code_rate_limited",
                            "detail": "Verification codes are sent too often. Please try again later."}
    assert PhoneCode.objects.filter(phone=PHONE).count() == 1


def test_sms_code_answers_202_sent_true(client):
    response = client.post("/api/v1/auth/sms-codes/", {"phone": "+86 138-1234-1234"}, format="json")

    assert (response.status_code, response.json()) == (202, {"sent": True})
    assert PhoneCode.objects.get().purpose == PhoneCode.Purpose.SIGNUP


def test_sms_code_malformed_phone_is_400_and_sends_nothing(client):
    outbox_before = len(backends.outbox)

    response = client.post("/api/v1/auth/sms-codes/", {"phone": "12345"}, format="json")

    assert (response.status_code, response.json()) == (400, INVALID_PHONE)
    assert not PhoneCode.objects.exists()
    assert len(backends.outbox) == outbox_before


def test_sms_code_unknown_purpose_is_400(client):
    response = client.post("/api/v1/auth/sms-codes/", {"phone": PHONE, "purpose": "login"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": 'purpose: "login" is not a valid choice.',
                               "fields": {"purpose": ['"login" is not a valid choice.']}}
    assert not PhoneCode.objects.exists()


# --- sign-up ------------------------------------------------------------------------------


def test_signup_happy_path_returns_a_token_that_works_on_me(client):
    # given
    code = _send_code(client)

    # when
    response = _signup(client, code=code)

    # then
    assert response.status_code == 201
    user = User.objects.get(phone=PHONE)
    assert response.json() == {"token": Token.objects.get(user=user).key, "user": _me_body(user)}
    assert user.nickname == "小王"
    assert user.check_password(PASSWORD)
    assert user.phone_verified_at is not None
    me = _authed(response.json()["token"]).get("/api/v1/me/")
    assert (me.status_code, me.json()) == (200, _me_body(user))


def test_signup_malformed_phone_is_400_and_creates_nothing(client):
    response = _signup(client, phone="1381234", code="123456")

    assert (response.status_code, response.json()) == (400, INVALID_PHONE)
    assert not User.objects.exists()
    assert not Token.objects.exists()


def test_signup_wrong_code_is_400_and_creates_nothing(client):
    code = _send_code(client)

    response = _signup(client, code="000000" if code != "000000" else "111111")

    assert (response.status_code, response.json()) == (400, CODE_INVALID)
    assert not User.objects.exists()
    record = PhoneCode.objects.get(phone=PHONE)
    assert (record.attempts, record.used_at) == (1, None)


def test_signup_phone_taken_is_409_and_changes_nothing(client):
    existing = UserFactory(phone=PHONE, nickname="原主人")
    code = _send_code(client)

    response = _signup(client, code=code, password=NEW_PASSWORD, nickname="冒充者")

    assert response.status_code == 409
    assert response.json() == {"code": "phone_taken",
                               "detail": "This mobile number is already registered. Please sign in."}
    existing.refresh_from_db()
    assert (User.objects.count(), existing.nickname) == (1, "原主人")
    assert existing.check_password(PASSWORD)
    assert PhoneCode.objects.get().used_at is None


def test_signup_weak_password_is_400_and_keeps_the_code(client):
    code = _send_code(client)

    response = _signup(client, code=code, password="12345678")

    assert response.status_code == 400
    assert response.json()["code"] == "weak_password"
    assert set(response.json()) == {"code", "detail"}
    assert "This password is too common." in response.json()["detail"]
    assert not User.objects.exists()
    assert PhoneCode.objects.get().used_at is None


def test_signup_missing_fields_is_400_with_fields(client):
    response = client.post("/api/v1/auth/signup/", {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": "phone: This field is required.",
                               "fields": {"phone": ["This field is required."],
                                          "password": ["This field is required."]}}
    assert not User.objects.exists()


# --- sign-in / sign-out -------------------------------------------------------------------


def test_signin_returns_the_members_token(client):
    user = UserFactory(phone=PHONE)

    response = client.post("/api/v1/auth/signin/", {"phone": PHONE, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key, "user": _me_body(user)}


def test_signin_twice_returns_the_same_token(client):
    UserFactory(phone=PHONE)
    body = {"phone": PHONE, "password": PASSWORD}

    first = client.post("/api/v1/auth/signin/", body, format="json").json()["token"]
    second = client.post("/api/v1/auth/signin/", body, format="json").json()["token"]

    assert first == second
    assert Token.objects.count() == 1


def test_signin_ignores_a_stale_token_header(client):
    UserFactory(phone=PHONE)

    response = _authed("stale-token").post("/api/v1/auth/signin/", {"phone": PHONE, "password": PASSWORD},
                                           format="json")

    assert response.status_code == 200


def test_signin_wrong_password_is_400_and_issues_no_token(client):
    UserFactory(phone=PHONE)

    response = client.post("/api/v1/auth/signin/", {"phone": PHONE, "password": "nope-nope"}, format="json")

    assert (response.status_code, response.json()) == (400, WRONG_CREDENTIALS)
    assert not Token.objects.exists()


def test_signin_malformed_phone_is_400(client):
    response = client.post("/api/v1/auth/signin/", {"phone": "abc", "password": PASSWORD}, format="json")

    assert (response.status_code, response.json()) == (400, INVALID_PHONE)


def test_signin_from_an_address_that_spent_its_failures_on_a_phone_is_429(client, settings):
    # given: this address spent its failure budget for this phone
    UserFactory(phone=PHONE)
    for _ in range(settings.SIGNIN_FAILURES_PER_PHONE_ADDRESS):
        wrong = client.post("/api/v1/auth/signin/", {"phone": PHONE, "password": "bad-guess"}, format="json")
        assert wrong.status_code == 400

    # when: even the right password, from the same address
    response = client.post("/api/v1/auth/signin/", {"phone": PHONE, "password": PASSWORD}, format="json")

    # then
    assert response.status_code == 429
    assert response.json() == {"code": "signin_rate_limited",
                               "detail": "Too many failed sign-ins from this network. Sign in with an SMS "
                                         "verification code, or try again in 15 minutes."}
    assert not Token.objects.exists()


def test_signout_invalidates_the_token():
    user = UserFactory(phone=PHONE)
    token = Token.objects.create(user=user).key
    client = _authed(token)

    response = client.post("/api/v1/auth/signout/")

    assert response.status_code == 204
    assert not Token.objects.filter(user=user).exists()
    after = client.get("/api/v1/me/")
    assert (after.status_code, after.json()) == (401, INVALID_TOKEN)


def test_signout_needs_authentication(client):
    response = client.post("/api/v1/auth/signout/")

    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)


# --- me -----------------------------------------------------------------------------------


def test_me_unauthenticated_is_401_with_error_shape(client):
    response = client.get("/api/v1/me/")

    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    assert response["WWW-Authenticate"] == 'Token'


def test_me_shows_the_members_shop():
    user = UserFactory(phone=PHONE)
    shop = ShopFactory(owner=user)

    response = _authed(Token.objects.create(user=user).key).get("/api/v1/me/")

    assert response.json() == _me_body(user, shop_id=shop.pk)


def test_me_patch_changes_the_nickname():
    user = UserFactory(phone=PHONE, nickname="旧名")

    response = _authed(Token.objects.create(user=user).key).patch("/api/v1/me/", {"nickname": " 新名 "},
                                                                  format="json")

    user.refresh_from_db()
    assert user.nickname == "新名"
    assert (response.status_code, response.json()) == (200, _me_body(user))


@pytest.mark.parametrize("nickname", ["   ", "长" * 41])
def test_me_patch_bad_nickname_is_400_and_changes_nothing(nickname):
    user = UserFactory(phone=PHONE, nickname="旧名")

    response = _authed(Token.objects.create(user=user).key).patch("/api/v1/me/", {"nickname": nickname},
                                                                  format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()) == {"code", "detail", "fields"}
    assert list(response.json()["fields"]) == ["nickname"]
    user.refresh_from_db()
    assert user.nickname == "旧名"


# --- passwords ----------------------------------------------------------------------------


def test_password_change_rotates_the_token():
    user = UserFactory(phone=PHONE)
    old_token = Token.objects.create(user=user).key
    client = _authed(old_token)

    response = client.post("/api/v1/auth/password/",
                           {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")

    new_token = Token.objects.get(user=user).key
    assert (response.status_code, response.json()) == (200, {"token": new_token})
    assert new_token != old_token
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/api/v1/me/").status_code == 401
    assert _authed(new_token).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize(("old", "new", "code"), [
    ("not-my-password", NEW_PASSWORD, "wrong_credentials"),
    (PASSWORD, "password", "weak_password"),
])
def test_password_change_refused_changes_nothing(old, new, code):
    user = UserFactory(phone=PHONE)
    token = Token.objects.create(user=user).key

    response = _authed(token).post("/api/v1/auth/password/", {"old_password": old, "new_password": new},
                                   format="json")

    assert (response.status_code, response.json()["code"]) == (400, code)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert Token.objects.get(user=user).key == token


def test_password_reset_with_sms_code_signs_out_everywhere(client):
    user = UserFactory(phone=PHONE)
    old_token = Token.objects.create(user=user).key
    code = _send_code(client, purpose="reset_password")

    response = client.post("/api/v1/auth/password/reset/",
                           {"phone": PHONE, "code": code, "new_password": NEW_PASSWORD}, format="json")

    user.refresh_from_db()
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key, "user": _me_body(user)}
    assert response.json()["token"] != old_token
    assert user.check_password(NEW_PASSWORD)
    assert _authed(old_token).get("/api/v1/me/").status_code == 401


def test_password_reset_wrong_code_changes_nothing(client):
    user = UserFactory(phone=PHONE)
    token = Token.objects.create(user=user).key
    code = _send_code(client, purpose="reset_password")

    response = client.post("/api/v1/auth/password/reset/",
                           {"phone": PHONE, "code": "000000" if code != "000000" else "111111",
                            "new_password": NEW_PASSWORD}, format="json")

    assert (response.status_code, response.json()) == (400, CODE_INVALID)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert Token.objects.get(user=user).key == token


def test_password_reset_unknown_phone_looks_like_a_wrong_code(client):
    code = _send_code(client, purpose="reset_password")

    response = client.post("/api/v1/auth/password/reset/",
                           {"phone": PHONE, "code": code, "new_password": NEW_PASSWORD}, format="json")

    assert (response.status_code, response.json()) == (400, CODE_INVALID)
    assert not User.objects.exists()


# --- hooks --------------------------------------------------------------------------------


@pytest.fixture
def signed_in_calls():
    calls: list[tuple[str, int]] = []

    def handler(*, request, user):
        calls.append((request.path, user.pk))

    hooks.register("user_signed_in", handler)
    yield calls
    hooks.unregister("user_signed_in", handler)


def test_signup_and_signin_call_the_user_signed_in_hook(client, signed_in_calls):
    code = _send_code(client)
    user_id = _signup(client, code=code).json()["user"]["id"]

    client.post("/api/v1/auth/signin/", {"phone": PHONE, "password": PASSWORD}, format="json")
    client.post("/api/v1/auth/signin/", {"phone": PHONE, "password": "wrong-one"}, format="json")

    assert signed_in_calls == [("/api/v1/auth/signup/", user_id), ("/api/v1/auth/signin/", user_id)]
