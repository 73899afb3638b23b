"""The distribution API: me, join, apply, bind, team, downlines, levels; and its schema."""

import re
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.api import WEB_SERVER_ANSWERS
from distribution.models import JoinMode, Member, ResellerApplication
from tests.distribution.factories import MemberFactory
from tests.distribution.resellers_world import everyone, sell, set_join_mode, state, three_levels
from tests.mall.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/distribution/"
OPERATIONS = {
    (f"{API}me/", "get"), (f"{API}join/", "post"), (f"{API}apply/", "post"), (f"{API}apply/", "delete"),
    (f"{API}bind/", "post"), (f"{API}team/", "get"), (f"{API}team/downlines/", "get"),
    (f"{API}levels/", "get"),
}


def api_for(member: Member) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=member.user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# --- me, join, apply, bind --------------------------------------------------------------------


def test_me_describes_a_plain_member():
    inviter = MemberFactory(user=UserFactory(nickname="老王"))
    member = MemberFactory(parent=inviter)

    body = api_for(member).get(f"{API}me/").json()

    assert body == {
        "invite_code": member.invite_code,
        "share_url": f"http://testserver/s/{member.invite_code}",
        "qr_url": f"http://testserver/s/{member.invite_code}/qr.png",
        "poster_url": None, "is_reseller": False, "reseller_since": None, "level": None,
        "upline": {"display_name": "老王"}, "can_bind": False, "join_mode": "apply", "application": None,
    }


def test_me_of_a_reseller_with_a_shop_has_the_poster_and_level():
    basic, _silver, _gold = three_levels()
    member = MemberFactory(is_reseller=True, level=basic)
    ShopFactory(owner=member.user)

    body = api_for(member).get(f"{API}me/").json()

    assert re.fullmatch(r"http://testserver/distribution/poster.png\?v=[0-9a-f]{32}", body["poster_url"])
    assert body["level"] == {"id": basic.pk, "name": "普通分销员", "weight": 1}
    assert body["can_bind"] is True  # a root, just signed up


def test_every_endpoint_needs_a_token():
    client = APIClient()

    codes = {(path, method): getattr(client, method)(path).status_code for path, method in OPERATIONS}

    assert set(codes.values()) == {401}


def test_join_in_everyone_mode():
    everyone()
    three_levels()
    member = MemberFactory()

    response = api_for(member).post(f"{API}join/")

    assert response.status_code == 200
    assert (response.json()["is_reseller"], response.json()["level"]["name"]) == (True, "普通分销员")
    assert response.json()["poster_url"].startswith("http://testserver/distribution/poster.png?v=")


def test_join_refused_in_apply_mode_in_chinese_and_changes_nothing():
    member = MemberFactory()
    before = state()

    response = api_for(member).post(f"{API}join/")

    assert (response.status_code, response.json()) == (
        409, {"code": "join_not_open", "detail": "暂不支持直接加入。请提交申请，或联系平台。"})
    assert state() == before


def test_apply_then_withdraw():
    member = MemberFactory()
    client = api_for(member)

    created = client.post(f"{API}apply/", {"real_name": "王小明", "contact_phone": "13912345678",
                                           "reason": "想开店"}, format="json")
    me = client.get(f"{API}me/").json()
    withdrawn = client.delete(f"{API}apply/")

    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("state", "real_name", "contact_phone", "reason")} == {
        "state": "requested", "real_name": "王小明", "contact_phone": "139****5678", "reason": "想开店"}
    assert me["application"]["state"] == "requested"
    assert (withdrawn.status_code, withdrawn.json()["state"]) == (200, "withdrawn")


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"real_name": "王", "contact_phone": "13912345678"}, 400, "real_name_invalid"),
    ({"real_name": "王小明", "contact_phone": "123"}, 400, "contact_phone_invalid"),
    ({"real_name": "王小明"}, 400, "invalid"),
    ({"real_name": "王小明", "contact_phone": "13912345678", "reason": "好" * 501}, 400,
     "application_reason_too_long"),
])
def test_bad_applications_are_refused_and_change_nothing(payload, status, code):
    member = MemberFactory()
    before = state()

    response = api_for(member).post(f"{API}apply/", payload, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state() == before


def test_a_second_application_and_a_missing_one():
    member = MemberFactory()
    client = api_for(member)
    client.post(f"{API}apply/", {"real_name": "王小明", "contact_phone": "13912345678"}, format="json")

    second = client.post(f"{API}apply/", {"real_name": "王小明", "contact_phone": "13912345678"},
                         format="json")
    other = api_for(MemberFactory()).delete(f"{API}apply/")

    assert (second.status_code, second.json()["code"]) == (409, "application_already_open")
    assert (other.status_code, other.json()["code"]) == (404, "application_not_found")
    assert ResellerApplication.objects.count() == 1


def test_apply_in_designated_mode_is_refused():
    set_join_mode(JoinMode.DESIGNATED)

    response = api_for(MemberFactory()).post(f"{API}apply/", {"real_name": "王小明",
                                                              "contact_phone": "13912345678"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "resellers_designated_only")


def test_bind_an_inviter():
    inviter, member = MemberFactory(user=UserFactory(nickname="阿杰")), MemberFactory()

    response = api_for(member).post(f"{API}bind/", {"invite_code": inviter.invite_code.lower()},
                                    format="json")

    assert response.status_code == 200
    assert (response.json()["upline"], response.json()["can_bind"]) == ({"display_name": "阿杰"}, False)
    assert Member.objects.get(pk=member.pk).parent_id == inviter.pk


@pytest.mark.parametrize(("code", "status", "error"), [
    ("bad!code", 400, "invite_code_malformed"), ("ABCDEFGH23", 404, "invite_code_unknown"),
    ("", 400, "invalid"), ("own", 400, "invite_code_own"),
])
def test_bad_binds_are_refused_and_change_nothing(code, status, error):
    member = MemberFactory()
    before = state()

    payload = {"invite_code": member.invite_code if code == "own" else code}
    response = api_for(member).post(f"{API}bind/", payload, format="json")

    assert (response.status_code, response.json()["code"]) == (status, error)
    assert state() == before


# --- team and levels ---------------------------------------------------------------------------


def test_team_summary_is_my_own():
    member, other = MemberFactory(), MemberFactory()
    child = MemberFactory(parent=member)
    MemberFactory(parent=child)
    for _ in range(3):
        MemberFactory(parent=other)
    sell(child, "19.90")

    body = api_for(member).get(f"{API}team/", {"member": other.pk}).json()

    assert body == {"size": 2, "direct_count": 1, "tier2_count": 1, "paid_sales": "19.90"}


def test_downlines_are_paginated_masked_and_my_own():
    member, other = MemberFactory(), MemberFactory()
    mine = [MemberFactory(parent=member, user=UserFactory(phone=f"1370000{i:04d}", nickname=f"下级{i}"))
            for i in range(3)]
    MemberFactory(parent=other, user=UserFactory(phone="13655556666"))
    sell(mine[0], "88.80")

    page1 = api_for(member).get(f"{API}team/downlines/", {"page_size": 2, "member": other.pk}).json()
    page2 = api_for(member).get(f"{API}team/downlines/", {"page_size": 2, "page": 2}).json()
    beyond = api_for(member).get(f"{API}team/downlines/", {"page": 9})

    assert page1["count"] == 3
    assert [(r["nickname"], r["phone"], r["own_paid_sales"], r["is_reseller"]) for r in page1["results"]] == [
        ("下级0", "137****0000", "88.80", False), ("下级1", "137****0001", "0.00", False)]
    assert [r["phone"] for r in page2["results"]] == ["137****0002"]
    assert set(page1["results"][0]) == {"nickname", "phone", "joined_at", "is_reseller", "level_name",
                                          "own_paid_sales"}
    assert beyond.status_code == 404


def test_levels_show_my_progress():
    basic, silver, gold = three_levels()
    member = MemberFactory(is_reseller=True, level=basic)
    sell(member, "600.00")

    body = api_for(member).get(f"{API}levels/").json()

    assert body["current"] == {"id": basic.pk, "name": "普通分销员", "weight": 1}
    assert body["next_level"] == {"id": silver.pk, "name": "银牌", "weight": 2}
    assert body["conditions"] == [
        {"key": "own_sales", "required": "500.00", "current": "600.00", "met": True, "percent": 100},
        {"key": "team_sales", "required": "3000.00", "current": "0.00", "met": False, "percent": 0}]
    assert body["figures"] == {"own_sales": "600.00", "team_sales": "0.00", "settled_commission": "0.00"}
    assert [(lv["name"], lv["auto_upgrade"], lv["min_settled_commission"]) for lv in body["levels"]] == [
        ("普通分销员", False, "0.00"), ("银牌", True, "0.00"), ("金牌", True, "500.00")]
    assert gold.min_settled_commission == Decimal("500")


# --- schema ----------------------------------------------------------------------------------------


def test_schema_documents_every_distribution_operation_with_typed_errors():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {(path, method): op for path, item in schema["paths"].items() for method, op in item.items()}

    assert set(operations) >= OPERATIONS
    for key in OPERATIONS:
        operation = operations[key]
        assert operation["tags"] and operation["summary"], key
        assert {"tokenAuth": []} in operation["security"] and {} not in operation["security"], key
        errors = {code: r for code, r in operation["responses"].items()
                  if code.startswith("4") and code not in WEB_SERVER_ANSWERS}
        assert "401" in errors, key
        for code, response in errors.items():
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref in {"#/components/schemas/Error", "#/components/schemas/ValidationError"}, (key, code)
