"""``/s/<code>`` share links and their QR codes."""

from io import BytesIO

import pytest
import qrcode
from django.urls import reverse

from distribution.models import Member
from mall.services.shops import platform_shop_get
from tests.distribution.factories import MemberFactory
from tests.mall.factories import ShopFactory

pytestmark = pytest.mark.django_db


def shop_url(shop) -> str:
    return reverse("mall:shop", args=[shop.pk])


def test_share_link_of_a_reseller_lands_on_their_shop_and_remembers_the_invite(client):
    reseller = MemberFactory(is_reseller=True)
    shop = ShopFactory(owner=reseller.user)

    response = client.get(f"/s/{reseller.invite_code}")

    assert response.status_code == 302 and response.url == shop_url(shop)
    assert client.session["invite_code"] == reseller.invite_code
    assert client.session["invite_source"] == "link"
    assert client.session["shop_id"] == shop.pk


def test_share_link_of_a_member_without_a_shop_lands_on_the_platform_shop(client):
    member = MemberFactory()

    response = client.get(f"/s/{member.invite_code.lower()}/?src=qr")

    platform = platform_shop_get()
    assert response.url == shop_url(platform)
    assert (client.session["invite_code"], client.session["invite_source"]) == (member.invite_code, "qr")
    assert client.session["shop_id"] == platform.pk


def test_a_non_reseller_with_a_shop_still_lands_on_the_platform_shop(client):
    member = MemberFactory(is_reseller=False)
    ShopFactory(owner=member.user)

    response = client.get(f"/s/{member.invite_code}")

    assert response.url == shop_url(platform_shop_get())


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "not-a-code", "0000000000"])
def test_unknown_codes_land_on_the_platform_shop_and_change_no_session(client, code):
    MemberFactory()

    response = client.get(f"/s/{code}")

    assert response.status_code == 302 and response.url == shop_url(platform_shop_get())
    assert dict(client.session) == {}


def test_share_lookups_over_the_limit_get_a_429_page_and_change_no_session(client):
    from distribution.referral.services.settings import referral_settings_update

    referral_settings_update(invite_lookups_per_minute_ip=2)
    member = MemberFactory()
    client.get("/s/ZZZZZZZZZZ")
    client.get("/s/ZZZZZZZZZZ")

    response = client.get(f"/s/{member.invite_code}")

    assert response.status_code == 429
    assert 'data-testid="rate-limited"' in response.content.decode()
    assert "invite_code" not in client.session


def test_qr_code_is_a_png_of_the_absolute_share_link(client):
    member = MemberFactory()

    response = client.get(f"/s/{member.invite_code}/qr.png")

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    expected = BytesIO()
    qrcode.make(f"http://testserver/s/{member.invite_code}?src=qr", box_size=8, border=2).save(expected)
    assert response.content == expected.getvalue()


def test_qr_code_of_an_unknown_code_is_404(client):
    assert client.get("/s/ZZZZZZZZZZ/qr.png").status_code == 404
    assert client.get("/s/bad/qr.png").status_code == 404
    assert Member.objects.count() == 0
