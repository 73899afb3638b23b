"""I11 privacy: no page or API response a reseller can open contains a full phone number of
anyone else. Walks EVERY URL of distribution's reseller-facing URLconfs (the share links,
the reseller centre, 我的收益, the funnel, my customers, my team; pages and API), so a new
URL is walked automatically — and fails here until the walk knows how to fill its ids."""

import re
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, reverse

from distribution import urls as distribution_urls
from distribution.api import urls as api_urls
from distribution.earnings import api_urls as earnings_api_urls
from distribution.earnings import urls as earnings_urls
from distribution.funnel.rollup import funnel_rollup
from distribution.models import CommissionRecord, ShareLink
from distribution.wallet.services.wallet import wallet_adjust, wallet_for_member
from distribution.wallet.services.withdrawals import withdrawal_request
from tests.distribution.earnings_helpers import bank_account, low_minimum
from tests.distribution.factories import MemberFactory
from tests.distribution.funnel_world import buy, reseller_world, sign_up_through_session
from tests.mall.factories import ProductFactory, UserFactory
from tests.orders.factories import AddressFactory

pytestmark = pytest.mark.django_db

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
URLCONFS = [(distribution_urls.urlpatterns, "distribution:", ""),
            (earnings_urls.urlpatterns, "earnings:", ""),
            (api_urls.urlpatterns, "api:", ""),
            (earnings_api_urls.urlpatterns, "api:", "")]
QUERIES = {  # extra variants of list pages: every filter and tab
    "distribution:team": [{"tier": "2"}, {"tier": "1", "sort": "sales"}, {"q": "2222"}],
    "distribution:customers": [{"filter": "new"}, {"filter": "dormant", "days": "1"}, {"sort": "spend"}],
    "distribution:funnel": [{"days": "30"}],
    "api:distribution-downlines": [{"tier": "2"}],
    "api:distribution-customers": [{"filter": "new"}, {"sort": "spend"}],
    "api:distribution-funnel": [{"days": "30"}],
}


def patterns() -> list[tuple[str, URLPattern]]:
    found = []
    for urlpatterns, namespace, _prefix in URLCONFS:
        for pattern in urlpatterns:
            assert not isinstance(pattern, URLResolver), "walk included URLconfs too"
            found.append((namespace + pattern.name, pattern))
    return found


def busy_reseller(client):
    """A reseller whose every page has someone else's data: team on two tiers (with phones),
    buyers through their share link with delivery addresses, commission, a withdrawal."""
    low_minimum()
    world = reseller_world()
    seller = world.seller
    MemberFactory(parent=seller, user=UserFactory(nickname="阿杰", phone="13711112222"))
    MemberFactory(parent=world.buyer, user=UserFactory(phone="13755556666"))
    visitor = type(client)()
    visitor.get(f"/s/{seller.invite_code}?src=qr")
    newcomer = sign_up_through_session(visitor, "13912349999", seller.invite_code)
    AddressFactory(user=newcomer, phone="13687654321")
    AddressFactory(user=world.buyer.user, phone="13587654321")
    buy(newcomer, "60.00")
    buy(world.buyer.user, "100.00")
    funnel_rollup()
    wallet = wallet_for_member(member=seller)
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal("50.00"), operator=None, reason="测试入账")
    account = bank_account(seller)
    withdrawal, _ = withdrawal_request(member=seller, amount="10.00", payout_account_id=account.pk,
                                       idempotency_key="privacy-walk")
    ids = {"record_id": CommissionRecord.objects.filter(beneficiary=seller).first().pk,
           "withdrawal_id": withdrawal.pk, "account_id": account.pk,
           "link_id": ShareLink.objects.filter(reseller=seller).first().pk,
           "product_id": ProductFactory().pk, "code": seller.invite_code}
    return seller, ids


def test_no_reseller_page_or_api_response_shows_a_full_phone_number_of_anyone_else(client):
    seller, ids = busy_reseller(client)
    client.force_login(seller.user)
    walked, others = set(), set()

    for name, pattern in patterns():
        kwargs = {key: ids[key] for key in pattern.pattern.regex.groupindex}
        url = reverse(name, kwargs=kwargs)
        for params in [{}, *QUERIES.get(name, [])]:
            landing = name in ("distribution:share", "distribution:share_product")  # redirects
            response = client.get(url, params, follow=landing)
            walked.add(name)
            if not response["Content-Type"].startswith(("text/", "application/json")):
                continue
            body = response.content.decode()
            others |= {phone for phone in PHONE.findall(body) if phone != seller.user.phone}
            assert response.status_code in (200, 405), (url, params, response.status_code)

    assert others == set(), others
    assert {"distribution:funnel", "distribution:customers", "api:distribution-customers",
            "api:distribution-funnel-link", "earnings:orders", "api:earnings-orders"} <= walked


def test_the_walk_would_catch_a_full_number(client):
    """The regex and the walk can fail: a page that printed a downline's number would be caught."""
    seller, _ids = busy_reseller(client)
    body = f"<p>{seller.user.phone}</p><p>13711112222</p><p>137****2222</p><p>6222021234567890128</p>"

    assert [p for p in PHONE.findall(body) if p != seller.user.phone] == ["13711112222"]
