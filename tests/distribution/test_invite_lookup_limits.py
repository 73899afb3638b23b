"""Invite-code lookup limits on every path that resolves a code a client sends.

Sign-up (API and page), bind (API and page), the share link and its QR code all go through
``distribution.referral.services.invite_lookup.invite_code_lookup``: 40 wrong codes from one address
give the usual "unknown code" answer up to the limit and 429 after it, and nothing is created.
"""

import itertools

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from distribution.models import BindingHistory, Member
from distribution.referral.services.invite_codes import ALPHABET
from distribution.referral.services.settings import referral_settings_get, referral_settings_update
from mall.models import PhoneCode, User
from mall.services.accounts import phone_code_send
from mall.sms import backends as sms_backends
from tests.distribution.factories import MemberFactory
from tests.mall.factories import ShopFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
ELSEWHERE = "198.51.100.20"
PASSWORD = "Quanzi-test-123"
PHONE = "13712340000"
ATTEMPTS = 40
RATE_LIMITED = {"code": "invite_rate_limited", "detail": "邀请码尝试次数过多，请一分钟后再试。"}


@pytest.fixture(autouse=True)
def _sms_codes_required(settings):
    settings.SIGNUP_REQUIRES_SMS_CODE = True
    settings.SMS_BACKEND = "mall.sms.backends.ConsoleSMSBackend"
    sms_backends.outbox.clear()


@pytest.fixture
def limit() -> int:
    return referral_settings_get().invite_lookups_per_minute_ip  # 30 by default


def wrong_codes(n: int = ATTEMPTS) -> list[str]:
    """Well-formed codes that no member has (factories draw 10 random characters)."""
    return ["ZZZZZZZZ" + a + b for a, b in itertools.islice(itertools.product(ALPHABET, repeat=2), n)]


def sms_code(phone: str = PHONE) -> str:
    phone_code_send(phone=phone, ip=ELSEWHERE)
    return sms_backends.outbox[-1].params["code"]


def api(ip: str = ATTACKER, member: Member | None = None) -> APIClient:
    client = APIClient(REMOTE_ADDR=ip)
    if member is not None:
        token, _ = Token.objects.get_or_create(user=member.user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def world() -> tuple[int, int, int]:
    return User.objects.count(), Member.objects.count(), BindingHistory.objects.count()


# --- sign-up --------------------------------------------------------------------------------


def test_signup_api_gives_429_after_the_limit_and_creates_nothing(limit):
    # given: a real inviter, and a valid SMS code for the attacker's phone
    inviter = MemberFactory()
    code = sms_code()
    before = world()
    client = api()

    # when: 40 wrong invite codes from one address, then the inviter's right one
    responses = [client.post("/api/v1/auth/signup/", {"phone": PHONE, "password": PASSWORD, "code": code,
                                                      "invite_code": wrong}, format="json")
                 for wrong in wrong_codes()]
    right = client.post("/api/v1/auth/signup/", {"phone": PHONE, "password": PASSWORD, "code": code,
                                                 "invite_code": inviter.invite_code}, format="json")

    # then
    assert [r.status_code for r in responses] == [404] * limit + [429] * (ATTEMPTS - limit)
    assert responses[0].json()["code"] == "invite_code_unknown"
    assert responses[-1].json() == RATE_LIMITED
    assert (right.status_code, right.json()) == (429, RATE_LIMITED)  # says nothing about the code
    assert world() == before
    assert PhoneCode.objects.get().used_at is None  # the SMS code was given back every time


def test_signup_api_from_another_address_still_works(limit):
    inviter = MemberFactory()
    code = sms_code()
    for wrong in wrong_codes(limit):
        api().post("/api/v1/auth/signup/", {"phone": PHONE, "password": PASSWORD, "code": code,
                                            "invite_code": wrong}, format="json")

    body = {"phone": PHONE, "password": PASSWORD, "code": code, "invite_code": inviter.invite_code}
    response = api(ELSEWHERE).post("/api/v1/auth/signup/", body, format="json")

    assert response.status_code == 201
    assert Member.objects.get(user__phone=PHONE).parent_id == inviter.pk


def test_signup_page_shows_the_form_error_with_429_and_creates_nothing(client, limit):
    inviter = MemberFactory()
    code = sms_code()
    before = world()

    def post(invite_code: str):
        return client.post(reverse("mall:signup"), {"phone": PHONE, "code": code, "password": PASSWORD,
                                                    "invite_code": invite_code}, REMOTE_ADDR=ATTACKER)

    responses = [post(wrong) for wrong in wrong_codes()]
    right = post(inviter.invite_code)

    assert [r.status_code for r in responses] == [200] * limit + [429] * (ATTEMPTS - limit)
    assert responses[0].context["form"].errors["invite_code"] == ["邀请码不存在。"]
    assert responses[-1].context["form"].errors["invite_code"] == [RATE_LIMITED["detail"]]
    assert right.status_code == 429
    assert world() == before
    assert SESSION_KEY not in client.session


# --- binding --------------------------------------------------------------------------------


def test_bind_api_one_member_is_limited_per_account_and_nothing_is_bound():
    # given: the per-account allowance (10) is smaller than the per-address one (30)
    per_account = referral_settings_get().invite_lookups_per_minute_account
    member = MemberFactory()
    before = world()

    responses = [api(member=member).post("/api/v1/distribution/bind/", {"invite_code": wrong}, format="json")
                 for wrong in wrong_codes()]

    assert [r.status_code for r in responses] == [404] * per_account + [429] * (ATTEMPTS - per_account)
    assert responses[-1].json() == RATE_LIMITED
    assert world() == before
    assert Member.objects.get(pk=member.pk).parent_id is None


def test_bind_api_many_members_behind_one_address_share_its_allowance(limit):
    # given: four members on one address, each under its own per-account allowance
    members = [MemberFactory() for _ in range(4)]
    codes = iter(wrong_codes())
    before = world()

    statuses = [api(member=m).post("/api/v1/distribution/bind/", {"invite_code": next(codes)},
                                   format="json").status_code
                for m in members for _ in range(10)]

    assert statuses == [404] * limit + [429] * (ATTEMPTS - limit)
    assert world() == before


def test_bind_page_answers_429_with_the_message_and_binds_nothing(client):
    per_account = referral_settings_get().invite_lookups_per_minute_account
    member = MemberFactory()
    inviter = MemberFactory()
    client.force_login(member.user)
    before = world()

    responses = [client.post(reverse("distribution:bind"), {"invite_code": wrong}, REMOTE_ADDR=ATTACKER)
                 for wrong in wrong_codes()]
    right = client.post(reverse("distribution:bind"), {"invite_code": inviter.invite_code},
                        REMOTE_ADDR=ATTACKER)

    assert [r.status_code for r in responses] == [302] * per_account + [429] * (ATTEMPTS - per_account)
    assert [str(m) for m in responses[-1].context["messages"]] == [RATE_LIMITED["detail"]]
    assert 'data-testid="bind-card"' in responses[-1].content.decode()
    assert right.status_code == 429
    assert world() == before


# --- share link and QR code -------------------------------------------------------------------


def test_share_link_gives_429_after_the_limit_and_remembers_nothing(client, limit):
    reseller = MemberFactory(is_reseller=True)
    ShopFactory(owner=reseller.user)

    responses = [client.get(f"/s/{wrong}", REMOTE_ADDR=ATTACKER) for wrong in wrong_codes()]
    right = client.get(f"/s/{reseller.invite_code}", REMOTE_ADDR=ATTACKER)

    assert [r.status_code for r in responses] == [302] * limit + [429] * (ATTEMPTS - limit)
    assert "邀请码尝试次数过多" in responses[-1].content.decode()
    assert right.status_code == 429
    assert dict(client.session) == {}


def test_qr_code_gives_429_after_the_limit(client, limit):
    member = MemberFactory()

    responses = [client.get(f"/s/{wrong}/qr.png", REMOTE_ADDR=ATTACKER) for wrong in wrong_codes()]
    right = client.get(f"/s/{member.invite_code}/qr.png", REMOTE_ADDR=ATTACKER)

    assert [r.status_code for r in responses] == [404] * limit + [429] * (ATTEMPTS - limit)
    assert right.status_code == 429
    assert client.get(f"/s/{member.invite_code}/qr.png", REMOTE_ADDR=ELSEWHERE).status_code == 200


# --- one rule for every path ------------------------------------------------------------------


def test_every_path_draws_on_the_same_allowance(client):
    # given: an allowance of 4 wrong codes per address, spent on four different paths
    referral_settings_update(invite_lookups_per_minute_ip=4)
    member = MemberFactory()
    inviter = MemberFactory()
    code = sms_code()
    a, b, c, d = wrong_codes(4)
    assert client.get(f"/s/{a}", REMOTE_ADDR=ATTACKER).status_code == 302
    assert client.get(f"/s/{b}/qr.png", REMOTE_ADDR=ATTACKER).status_code == 404
    assert api().post("/api/v1/auth/signup/", {"phone": PHONE, "password": PASSWORD, "code": code,
                                               "invite_code": c}, format="json").status_code == 404
    assert api(member=member).post("/api/v1/distribution/bind/", {"invite_code": d},
                                   format="json").status_code == 404

    # when: a right code on a fifth path
    response = api(member=member).post("/api/v1/distribution/bind/", {"invite_code": inviter.invite_code},
                                       format="json")

    # then
    assert (response.status_code, response.json()) == (429, RATE_LIMITED)
    assert Member.objects.get(pk=member.pk).parent_id is None


def test_right_codes_do_not_use_up_the_allowance(client, limit):
    # Many shoppers behind one carrier NAT following real share links are never refused.
    reseller = MemberFactory(is_reseller=True)
    shop = ShopFactory(owner=reseller.user)

    followed = [client.get(f"/s/{reseller.invite_code}", REMOTE_ADDR=ATTACKER) for _ in range(ATTEMPTS)]
    wrong = [client.get(f"/s/{code}", REMOTE_ADDR=ATTACKER).status_code for code in wrong_codes()]

    assert {r.url for r in followed} == {reverse("mall:shop", args=[shop.pk])}
    assert wrong == [302] * limit + [429] * (ATTEMPTS - limit)


def test_an_ipv6_client_counts_as_its_64_network(client):
    referral_settings_update(invite_lookups_per_minute_ip=3)

    statuses = [client.get(f"/s/{code}", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}").status_code
                for n, code in enumerate(wrong_codes(5))]
    other_network = client.get(f"/s/{wrong_codes(6)[-1]}", REMOTE_ADDR="2001:db8:1:3::1")

    assert statuses == [302, 302, 302, 429, 429]
    assert other_network.status_code == 302


def test_malformed_codes_make_no_lookup_and_count_nothing(client):
    referral_settings_update(invite_lookups_per_minute_ip=1)
    member = MemberFactory()

    bad = [client.get("/s/not-a-code/qr.png", REMOTE_ADDR=ATTACKER).status_code for _ in range(5)]

    assert bad == [404] * 5
    assert client.get(f"/s/{member.invite_code}/qr.png", REMOTE_ADDR=ATTACKER).status_code == 200


# --- racing lookups (real PostgreSQL and, under make test, real Redis) ----------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_wrong_codes_from_one_address_get_exactly_the_allowance():
    from distribution.referral.errors import InviteCodeUnknown, InviteRateLimited
    from distribution.referral.services.invite_lookup import invite_code_resolve
    from tests.distribution.concurrency import run_parallel

    limit = referral_settings_get().invite_lookups_per_minute_ip
    codes = wrong_codes()

    results = run_parallel(ATTEMPTS, lambda i: invite_code_resolve(invite_code=codes[i], ip=ATTACKER))

    assert sum(isinstance(r, InviteCodeUnknown) for r in results) == limit
    assert sum(isinstance(r, InviteRateLimited) for r in results) == ATTEMPTS - limit
