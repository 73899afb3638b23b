"""Sign-in limits that refuse an attacker and never lock the member out (API and H5 pages).

Thresholds are the settings SIGNIN_FAILURES_PER_PHONE_ADDRESS (5), SIGNIN_FAILURES_PER_ADDRESS
(30) and SIGNIN_ATTACK_ADDRESSES (5); the tests read them, so they hold if staff tune them.
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mall.errors import SignInCodeRequired
from mall.models import PhoneCode
from mall.sms import backends as sms_backends
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
PASSWORD = "Quanzi-test-123"  # the factory's password
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.20"
RATE_LIMITED = {"code": "signin_rate_limited",
                "detail": "Too many failed sign-ins from this network. Sign in with an SMS verification "
                          "code, or try again in 15 minutes."}
CODE_REQUIRED = {"code": "signin_code_required",
                 "detail": "To protect this account, sign in with an SMS verification code for now."}


@pytest.fixture(autouse=True)
def _console_sms(settings):
    settings.SMS_BACKEND = "mall.sms.backends.ConsoleSMSBackend"
    sms_backends.outbox.clear()


def api(ip: str) -> APIClient:
    return APIClient(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def signin(ip: str, password: str, phone: str = PHONE):
    return api(ip).post("/api/v1/auth/signin/", {"phone": phone, "password": password}, format="json")


def attacker_address(n: int) -> str:
    return f"203.0.113.{100 + n}"


def put_under_attack(settings, phone: str = PHONE) -> None:
    """One wrong password from each of SIGNIN_ATTACK_ADDRESSES distinct addresses."""
    for n in range(settings.SIGNIN_ATTACK_ADDRESSES):
        assert signin(attacker_address(n), "bad-guess", phone).status_code == 400


def send_signin_code(ip: str = OWNER, phone: str = PHONE) -> str:
    response = api(ip).post("/api/v1/auth/sms-codes/", {"phone": phone, "purpose": "signin"}, format="json")
    assert response.status_code == 202, response.json()
    return sms_backends.outbox[-1].params["code"]


# --- one attacking address ------------------------------------------------------------------


def test_an_attacking_address_is_refused_and_the_owner_signs_in_from_another(settings):
    # given: an attacker guesses from one address
    UserFactory(phone=PHONE)
    limit = settings.SIGNIN_FAILURES_PER_PHONE_ADDRESS
    guesses = [signin(ATTACKER, f"guess-{n}") for n in range(limit + 10)]

    # when: the attacker tries the right password, and the owner signs in from elsewhere
    attacker_right = signin(ATTACKER, PASSWORD)
    owner = signin(OWNER, PASSWORD)

    # then: the attacker's address is refused, the owner is not
    assert [r.status_code for r in guesses] == [400] * limit + [429] * 10
    assert guesses[-1].json() == RATE_LIMITED
    assert (attacker_right.status_code, attacker_right.json()) == (429, RATE_LIMITED)
    assert owner.status_code == 200
    assert Token.objects.get().key == owner.json()["token"]


def test_the_owners_typos_from_their_own_address_are_forgotten_after_a_success(settings):
    UserFactory(phone=PHONE)
    limit = settings.SIGNIN_FAILURES_PER_PHONE_ADDRESS
    for _ in range(limit - 1):
        assert signin(OWNER, "typo-typo").status_code == 400
    assert signin(OWNER, PASSWORD).status_code == 200

    later = [signin(OWNER, "typo-typo").status_code for _ in range(limit)]
    later.append(signin(OWNER, PASSWORD).status_code)

    assert later == [400] * limit + [429]


def test_the_page_refuses_the_attacking_address_and_signs_the_owner_in(client, settings):
    UserFactory(phone=PHONE)
    limit = settings.SIGNIN_FAILURES_PER_PHONE_ADDRESS
    guesses = [client.post(reverse("mall:signin"), {"phone": PHONE, "password": "bad-guess"},
                           REMOTE_ADDR=ATTACKER)
               for _ in range(limit + 1)]

    owner = client.post(reverse("mall:signin"), {"phone": PHONE, "password": PASSWORD}, REMOTE_ADDR=OWNER)

    assert [r.status_code for r in guesses] == [200] * limit + [429]
    assert guesses[-1].context["form"].non_field_errors() == [
        "来自该网络的登录失败次数过多。请使用短信验证码登录，或 15 分钟后再试。"]
    assert owner.status_code == 302
    assert SESSION_KEY in client.session


# --- one address, many phones ---------------------------------------------------------------


def test_an_address_spraying_many_phones_is_refused_for_every_phone(settings):
    # given: one wrong password for each of many phones, from one address
    limit = settings.SIGNIN_FAILURES_PER_ADDRESS
    victims = [UserFactory(phone=f"139{n:08d}") for n in range(limit + 1)]
    sprayed = [signin(ATTACKER, "bad-guess", v.phone).status_code for v in victims[:limit]]

    # when: the next phone, even with its right password, from that address and from another
    from_sprayer = signin(ATTACKER, PASSWORD, victims[limit].phone)
    from_owner = signin(OWNER, PASSWORD, victims[limit].phone)

    # then
    assert sprayed == [400] * limit
    assert (from_sprayer.status_code, from_sprayer.json()) == (429, RATE_LIMITED)
    assert from_owner.status_code == 200
    # one address per phone: no phone is "under attack", every owner still uses the password
    assert signin(OWNER, PASSWORD, victims[0].phone).status_code == 200


# --- many addresses, one phone --------------------------------------------------------------


def test_a_phone_attacked_from_many_addresses_needs_the_sms_code(settings):
    # given: failures from SIGNIN_ATTACK_ADDRESSES distinct addresses
    UserFactory(phone=PHONE)
    put_under_attack(settings)

    # when: the owner's right password, from a fresh address; and an attacker's next guess
    owner_password = signin(OWNER, PASSWORD)
    next_guess = signin(attacker_address(99), "another-guess")

    # then: neither password is checked (no oracle), neither signs in
    assert (owner_password.status_code, owner_password.json()) == (403, CODE_REQUIRED)
    assert (next_guess.status_code, next_guess.json()) == (403, CODE_REQUIRED)
    assert not Token.objects.exists()

    # and: the owner signs in with an SMS code
    code = send_signin_code()
    response = api(OWNER).post("/api/v1/auth/signin/code/", {"phone": PHONE, "code": code}, format="json")
    assert response.status_code == 200
    assert Token.objects.get().key == response.json()["token"]
    assert PhoneCode.objects.get(purpose="signin").used_at is not None


def test_fewer_addresses_than_the_threshold_leave_the_password_working(settings):
    UserFactory(phone=PHONE)
    for n in range(settings.SIGNIN_ATTACK_ADDRESSES - 1):
        for _ in range(settings.SIGNIN_FAILURES_PER_PHONE_ADDRESS):
            signin(attacker_address(n), "bad-guess")

    assert signin(OWNER, PASSWORD).status_code == 200


def test_the_attacker_cannot_brute_force_the_sms_code_path(settings):
    # given: the phone is under attack and the owner asked for a code
    UserFactory(phone=PHONE)
    put_under_attack(settings)
    code = send_signin_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    # when: the attacker guesses the code SMS_MAX_VERIFY_ATTEMPTS times, then tries the right one
    guesses = [api(attacker_address(n)).post("/api/v1/auth/signin/code/", {"phone": PHONE, "code": wrong},
                                             format="json")
               for n in range(settings.SMS_MAX_VERIFY_ATTEMPTS)]
    after = api(ATTACKER).post("/api/v1/auth/signin/code/", {"phone": PHONE, "code": code}, format="json")

    # then: the code is dead; nobody signed in
    assert {r.json()["code"] for r in guesses} == {"code_invalid"}
    assert (after.status_code, after.json()["code"]) == (400, "code_invalid")
    assert not Token.objects.exists()


def test_the_pages_lead_a_member_under_attack_to_the_sms_code_and_in(client, settings):
    # given: the phone is under attack
    UserFactory(phone=PHONE)
    put_under_attack(settings)

    # when: the owner tries the password page, follows its link, gets a code and signs in
    refused = client.post(reverse("mall:signin"), {"phone": PHONE, "password": PASSWORD}, REMOTE_ADDR=OWNER)
    form_page = client.get(refused.context["code_signin_url"], REMOTE_ADDR=OWNER)
    sent = client.post(reverse("mall:signin_code_send"), {"phone": PHONE}, REMOTE_ADDR=OWNER,
                       HTTP_ACCEPT="application/json")
    code = sms_backends.outbox[-1].params["code"]
    signed_in = client.post(reverse("mall:signin_code") + "?next=/c/", {"phone": PHONE, "code": code},
                            REMOTE_ADDR=OWNER)

    # then
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == ["为保护该账户，请暂时使用短信验证码登录。"]
    assert 'data-testid="use-code-signin"' in refused.content.decode()
    assert form_page.status_code == 200 and form_page.context["form"]["phone"].value() == PHONE
    assert sent.status_code == 200
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/c/")
    assert SESSION_KEY in client.session


def test_the_sms_code_page_refuses_a_wrong_code_and_an_unknown_number(client):
    UserFactory(phone=PHONE)
    client.post(reverse("mall:signin_code_send"), {"phone": PHONE}, REMOTE_ADDR=OWNER)
    client.post(reverse("mall:signin_code_send"), {"phone": "13900000001"}, REMOTE_ADDR=OWNER)
    stranger_code = sms_backends.outbox[-1].params["code"]

    wrong = client.post(reverse("mall:signin_code"), {"phone": PHONE, "code": "000000"}, REMOTE_ADDR=OWNER)
    stranger = client.post(reverse("mall:signin_code"), {"phone": "13900000001", "code": stranger_code},
                           REMOTE_ADDR=OWNER)

    assert wrong.context["form"].errors == {"code": ["验证码错误或已过期。"]}
    assert stranger.context["form"].errors == {"phone": ["该手机号尚未注册，请先注册。"]}
    assert SESSION_KEY not in client.session
    assert PhoneCode.objects.filter(used_at__isnull=False).count() == 0


def test_sms_codes_are_limited_per_address_on_the_api_too(settings):
    limit = settings.SMS_CODES_PER_ADDRESS_PER_HOUR
    sent = [api(ATTACKER).post("/api/v1/auth/sms-codes/", {"phone": f"139{n:08d}", "purpose": "signin"},
                               format="json").status_code for n in range(limit + 1)]

    assert sent == [202] * limit + [429]
    assert PhoneCode.objects.count() == limit
    assert send_signin_code(ip=OWNER)  # another address is not affected


def test_signin_code_required_is_raised_before_the_password_is_read(settings):
    # The service never checks a password for a phone under attack: no oracle, no count.
    from mall.services.accounts import user_authenticate

    UserFactory(phone=PHONE)
    put_under_attack(settings)

    with pytest.raises(SignInCodeRequired):
        user_authenticate(phone=PHONE, password=PASSWORD, ip=OWNER)


# --- racing attempts (real PostgreSQL and, under make test, real Redis) ---------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_guesses_from_one_address_get_exactly_the_allowance(settings):
    from mall.errors import SignInRateLimited, WrongCredentials
    from mall.services.accounts import user_authenticate
    from tests.concurrency import run_parallel

    UserFactory(phone=PHONE)

    results = run_parallel(20, lambda i: user_authenticate(phone=PHONE, password=f"guess-{i}", ip=ATTACKER))

    kinds = sorted(type(r).__name__ for r in results)
    limit = settings.SIGNIN_FAILURES_PER_PHONE_ADDRESS
    assert kinds.count(WrongCredentials.__name__) == limit
    assert kinds.count(SignInRateLimited.__name__) == 20 - limit
