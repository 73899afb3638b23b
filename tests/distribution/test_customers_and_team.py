"""我的客户 (buyers credited to me and my direct team) and the tier-1 / tier-2 team list:
filters, sorting, search, masking, and bad input (a zh-hans message, nothing changed)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from common.errors import DomainError
from distribution.funnel.selectors import CustomerQuery, customer_query, member_customers
from distribution.funnel.team import TeamQuery, member_team_list
from distribution.models import Member
from orders.models import Order
from tests.distribution.commission_world import make_world
from tests.distribution.factories import MemberFactory
from tests.distribution.funnel_world import buy
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db


def ids(rows) -> list[int]:
    return [row.pk for row in rows]


def shift_paid(order: Order, days: int) -> None:
    Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(days=days))


def test_my_customers_are_my_buyers_and_direct_team_with_their_order_figures():
    world = make_world()
    seller, buyer = world.seller, world.buyer
    quiet = MemberFactory(parent=seller)  # direct downline, no order yet
    first = buy(buyer.user, "100.00")
    second = buy(buyer.user, "30.00", 2)
    shift_paid(first, 40)
    MemberFactory(parent=quiet)  # tier 2: not my customer here (their orders go to quiet's upline chain)

    rows = list(member_customers(member=seller, query=CustomerQuery(sort="spend")))

    assert ids(rows) == [buyer.pk, quiet.pk]
    top = rows[0]
    assert (top.order_count, top.spent) == (2, first.total_amount + second.total_amount)
    assert top.first_order_at < top.last_order_at
    assert (rows[1].order_count, rows[1].spent, rows[1].last_order_at) == (0, Decimal("0.00"), None)


def test_new_and_dormant_filters_and_recency_sort():
    world = make_world()
    seller = world.seller
    old_buyer = world.buyer
    Member.objects.filter(pk=old_buyer.pk).update(joined_at=timezone.now() - timedelta(days=60))
    shift_paid(buy(old_buyer.user, "20.00"), 45)
    fresh = MemberFactory(parent=seller)
    buy(fresh.user, "10.00")

    new = member_customers(member=seller, query=CustomerQuery(filter="new"))
    dormant_30 = member_customers(member=seller, query=CustomerQuery(filter="dormant", dormant_days=30))
    dormant_60 = member_customers(member=seller, query=CustomerQuery(filter="dormant", dormant_days=60))
    recent = member_customers(member=seller, query=CustomerQuery(sort="recent"))

    assert ids(new) == [fresh.pk]
    assert ids(dormant_30) == [old_buyer.pk]
    assert ids(dormant_60) == []
    assert ids(recent) == [fresh.pk, old_buyer.pk]


@pytest.mark.parametrize(("params", "message"), [
    ({"filter": "vip"}, "该筛选或排序不可用。"),
    ({"sort": "phone"}, "该筛选或排序不可用。"),
    ({"dormant_days": "0"}, "未下单天数须为 1 到 365 的整数。"),
    ({"dormant_days": "x"}, "未下单天数须为 1 到 365 的整数。"),
])
def test_bad_customer_options_are_refused_in_chinese(params, message, client):
    world = make_world()
    client.force_login(world.seller.user)
    query = {"days" if k == "dormant_days" else k: v for k, v in params.items()}
    with pytest.raises(DomainError):
        customer_query(**params)

    api = client.get("/api/v1/distribution/customers/", query, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.get(reverse("distribution:customers"), query)

    assert api.status_code == 400 and api.json()["detail"] == message
    assert page.status_code == 200 and message in page.content.decode()


def test_customers_page_and_api_show_masked_phones_only(client):
    world = make_world()
    buy(world.buyer.user, "100.00")
    client.force_login(world.seller.user)
    phone = world.buyer.user.phone

    page = client.get(reverse("distribution:customers")).content.decode()
    data = client.get("/api/v1/distribution/customers/").json()

    masked = f"{phone[:3]}****{phone[-4:]}"
    assert masked in page and phone not in page
    assert data["results"][0]["masked_phone"] == masked and phone not in str(data)
    assert data["results"][0]["order_count"] == 1 and data["results"][0]["is_direct"] is True


# --- the team list -------------------------------------------------------------------------------

def team_world():
    world = make_world()
    seller = world.seller
    a = MemberFactory(parent=seller, user=UserFactory(nickname="阿杰", phone="13711112222"),
                      is_reseller=True, level=world.level, own_paid_sales=Decimal("50.00"))
    b = MemberFactory(parent=seller, user=UserFactory(nickname="Lily", phone="13733334444"),
                      own_paid_sales=Decimal("500.00"))
    c = MemberFactory(parent=a, user=UserFactory(nickname="小林", phone="13755556666"))
    return world, a, b, c


def test_team_tiers_search_and_sort():
    world, a, b, c = team_world()
    me = world.seller

    assert ids(member_team_list(member=me, query=TeamQuery(tier=1))) == [world.buyer.pk, a.pk, b.pk]
    assert ids(member_team_list(member=me, query=TeamQuery(tier=2))) == [c.pk]
    assert ids(member_team_list(member=me, query=TeamQuery(tier=1, sort="sales")))[:2] == [b.pk, a.pk]
    assert ids(member_team_list(member=me, query=TeamQuery(tier=1, q="4444"))) == [b.pk]
    assert ids(member_team_list(member=me, query=TeamQuery(tier=1, q="阿"))) == [a.pk]
    assert ids(member_team_list(member=me, query=TeamQuery(tier=2, q="6666"))) == [c.pk]
    assert ids(member_team_list(member=me, query=TeamQuery(tier=1, q="6666"))) == []


def test_team_page_tabs_badges_and_bad_input(client):
    world, *_team = team_world()
    client.force_login(world.seller.user)

    tier1 = client.get(reverse("distribution:team")).content.decode()
    tier2 = client.get(reverse("distribution:team"), {"tier": "2"}).content.decode()
    bad = client.get(reverse("distribution:team"), {"tier": "3"})
    api = client.get("/api/v1/distribution/team/downlines/", {"tier": "2", "q": "6666"}).json()
    api_bad = client.get("/api/v1/distribution/team/downlines/", {"sort": "phone"})

    assert 'data-testid="downline-level">金牌<' in tier1 and "137****2222" in tier1
    assert "小林" in tier2 and "阿杰" in tier2 and "Lily" not in tier2  # 小林 via 阿杰
    assert bad.status_code == 200 and "按昵称或手机号后 4 位搜索" in bad.content.decode()
    assert [(row["nickname"], row["phone"]) for row in api["results"]] == [("小林", "137****6666")]
    assert api_bad.status_code == 400 and api_bad.json()["code"] == "team_filter_invalid"
