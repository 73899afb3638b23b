"""The claim centre, 我的优惠券, product chips, the home banner, the checkout selector, the API
and the staff grant page."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.models import Order
from orders.views.checkout import checkout_selection_set
from promotions.models import Coupon, CouponSource, CouponState, CouponTemplate
from promotions.services.issue import coupon_grant
from tests.mall.factories import SKUFactory, UserFactory
from tests.orders.factories import AddressFactory
from tests.promotions.factories import CouponTemplateFactory, expire, give

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_claims_in_the_claim_centre_and_finds_the_coupon_in_my_coupons():
    template = CouponTemplateFactory(name="满100减10")
    user = UserFactory()
    client = _client(user)

    page = client.get(reverse("promotions:centre"), **ZH)
    response = client.post(reverse("promotions:claim", args=[template.pk]), **ZH, follow=True)
    again = client.post(reverse("promotions:claim", args=[template.pk]), **ZH, follow=True)
    mine = client.get(reverse("promotions:mine"), **ZH)

    assert f'data-testid="claim-{template.pk}"' in page.content.decode()
    assert "领取成功" in response.content.decode()
    assert "已经领取过" in again.content.decode()
    assert Coupon.objects.filter(user=user).count() == 1
    body = mine.content.decode()
    assert "满100减10" in body and "未使用 (1)" in body


def test_my_coupons_tabs_show_used_and_expired_and_never_another_members():
    user, other = UserFactory(), UserFactory()
    template = CouponTemplateFactory(name="我的券")
    expire(give(template, user))
    give(CouponTemplateFactory(name="别人的券"), other)

    expired = _client(user).get(reverse("promotions:mine") + "?tab=expired", **ZH).content.decode()
    unused = _client(user).get(reverse("promotions:mine"), **ZH).content.decode()

    assert "我的券" in expired and "别人的券" not in expired
    assert "暂无优惠券" in unused


def test_the_product_page_shows_chips_of_coupons_that_cover_it():
    sku = SKUFactory()
    CouponTemplateFactory(name="全场券", threshold=Decimal("100.00"), amount=Decimal("10.00"))
    CouponTemplateFactory(name="券2", in_claim_centre=False)

    body = Client().get(reverse("mall:product", args=[sku.product_id]), **ZH).content.decode()

    assert body.count('data-testid="coupon-chip"') == 1
    assert "满¥100.00减¥10.00" in body


def test_the_home_banner_shows_the_signup_gift_to_visitors_and_new_members_only():
    gift = CouponTemplateFactory(
        is_signup_gift=True, in_claim_centre=False, kind="no_threshold", threshold=0, amount=Decimal("20.00")
    )
    new_member, old_member = UserFactory(), UserFactory()
    coupon_grant(template=gift, user=new_member, source=CouponSource.SIGNUP, key="signup:test")

    visitor = Client().get("/", **ZH).content.decode()
    new = _client(new_member).get("/", **ZH).content.decode()
    old = _client(old_member).get("/", **ZH).content.decode()

    assert 'data-testid="signup-gift-banner"' in visitor and reverse("mall:signup") in visitor
    assert 'data-testid="signup-gift-banner"' in new and reverse("promotions:mine") in new
    assert 'data-testid="signup-gift-banner"' not in old


def test_the_checkout_page_proposes_the_best_coupon_and_the_order_uses_the_one_posted():
    user = UserFactory()
    AddressFactory(user=user)
    small = give(CouponTemplateFactory(threshold=Decimal("50.00"), amount=Decimal("5.00")), user)
    big = give(CouponTemplateFactory(threshold=Decimal("100.00"), amount=Decimal("12.00")), user)
    sku = SKUFactory(price=Decimal("120.00"), stock=5)
    client = _client(user)
    session = client.session
    checkout_selection_set(session, lines=[(sku.pk, 1)], from_cart=False)
    session.save()

    page = client.get(reverse("orders:checkout"), **ZH).content.decode()
    chosen = client.get(reverse("orders:checkout") + f"?coupon={small.key}", **ZH).content.decode()
    token = client.session["checkout"]["token"]
    client.post(
        reverse("orders:checkout"),
        {"address_id": user.addresses.get().pk, "token": token, "discount_key": small.key},
        **ZH,
    )

    assert f'value="{big.key}"' in page and "每单限用一张优惠券" in page
    assert f'value="{small.key}"' in chosen
    order = Order.objects.get()
    assert (order.discount_key, order.discount_amount) == (small.key, Decimal("5.00"))
    assert Coupon.objects.get(pk=big.pk).state == CouponState.UNUSED


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}", **ZH)
    return client


def test_the_api_claims_lists_and_refuses_with_a_clear_error():
    template = CouponTemplateFactory(stock=1)
    first, second = UserFactory(), UserFactory()

    created = _api(first).post(f"/api/v1/coupons/{template.pk}/claim/")
    sold_out = _api(second).post(f"/api/v1/coupons/{template.pk}/claim/")
    mine = _api(first).get("/api/v1/me/coupons/")

    assert created.status_code == 201
    assert sold_out.status_code == 409
    assert sold_out.json() == {"code": "coupon_sold_out", "detail": "这张券已经被领完了。"}
    assert [c["key"] for c in mine.json()] == [f"coupon:{created.json()['id']}"]


def test_checkout_preview_api_lists_the_options_and_order_create_uses_the_key():
    user = UserFactory()
    address = AddressFactory(user=user)
    coupon = give(CouponTemplateFactory(), user)
    sku = SKUFactory(price=Decimal("150.00"), stock=3)
    client = _api(user)
    lines = [{"sku_id": sku.pk, "quantity": 1}]

    preview = client.post("/api/v1/checkout/preview/", {"lines": lines}, format="json").json()
    created = client.post(
        "/api/v1/orders/",
        {"lines": lines, "address_id": address.pk, "discount_key": coupon.key},
        format="json",
    )

    assert preview["discount"]["key"] == coupon.key and preview["discount_amount"] == "10.00"
    assert created.status_code == 201, created.json()
    assert created.json()["discount_amount"] == "10.00"


def test_staff_grant_to_phones_gives_a_result_per_row_and_a_resubmit_grants_nobody_twice():
    template = CouponTemplateFactory(stock=10)
    members = [UserFactory(phone=f"1391234000{i}") for i in range(2)]
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="grant_coupon"))
    plain_staff = UserFactory(is_staff=True)
    body = {
        "template_id": template.pk,
        "batch": "march-01",
        "phones": [members[0].phone, members[1].phone, "13999999999", "12"],
    }

    refused = _api(plain_staff).post("/api/v1/coupon-grants/", body, format="json")
    first = _api(staff).post("/api/v1/coupon-grants/", body, format="json")
    again = APIClient()
    again.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=staff).key}", **ZH)
    second = again.post("/api/v1/coupon-grants/", body, format="json")

    assert refused.status_code == 403
    assert [r["ok"] for r in first.json()] == [True, True, False, False]
    assert first.json()[2]["message"] == "没有使用这个手机号的会员。"
    assert [r["coupon_id"] for r in second.json()] == [r["coupon_id"] for r in first.json()]
    assert CouponTemplate.objects.get(pk=template.pk).issued == 2


def test_the_admin_grant_page_shows_each_row():
    admin_client = _client(UserFactory(is_staff=True, is_superuser=True))
    template = CouponTemplateFactory(stock=10)
    member = UserFactory(phone="13912340001")

    page = admin_client.get(reverse("admin:promotions_coupontemplate_grant", args=[template.pk]))
    batch = page.context["form"].initial["batch"]
    done = admin_client.post(
        reverse("admin:promotions_coupontemplate_grant", args=[template.pk]),
        {"phones": f"{member.phone}\n13900000000", "batch": batch},
    )

    assert [r.ok for r in done.context["rows"]] == [True, False]
    assert Coupon.objects.filter(user=member, template=template).count() == 1
