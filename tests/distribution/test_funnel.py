"""The share funnel: visits recorded on share links (deduplicated per visitor, link and
day), sign-ups and paid orders credited to the link, the idempotent roll-up, and the
reseller's funnel page and API (another reseller's link is a 404, bad input a zh-hans error)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from distribution.funnel.recording import share_visit_record
from distribution.funnel.rollup import funnel_rollup
from distribution.funnel.selectors import reseller_funnel
from distribution.models import ConversionKind, ShareConversion, ShareDaily, ShareLink, ShareTouch, ShareVisit
from tests.distribution.factories import MemberFactory
from tests.distribution.funnel_world import buy, reseller_world, rolled_up, sign_up_through_session
from tests.mall.factories import ProductFactory, ShopFactory

pytestmark = pytest.mark.django_db


def daily_rows() -> list[tuple]:
    return sorted(ShareDaily.objects.values_list("link_id", "day", "visitors", "signups", "orders", "amount",
                                                 "commission"))


def test_visit_sign_up_and_paid_order_are_credited_to_the_link_with_amount_and_commission(client):
    world = reseller_world()
    code = world.seller.invite_code

    # given a visitor who opens the share link twice on one day
    assert client.get(f"/s/{code}").status_code == 302
    client.get(f"/s/{code}/")
    link = ShareLink.objects.get()
    assert (link.reseller_id, link.channel, link.product_id) == (world.seller.pk, "link", None)
    assert ShareVisit.objects.count() == 1

    # when they sign up and buy 2 × ¥100 (level rate 10 % for tier 1, 5 % for the upline)
    user = sign_up_through_session(client, "13912340001", code)
    order = buy(user, "100.00", 2)
    assert order.state == "paid"

    # then the link has 1 visit → 1 sign-up → 1 order of ¥200.00 and ¥20.00 estimated commission
    conversions = ShareConversion.objects.order_by("kind")
    assert [(c.kind, c.link_id, c.user_id) for c in conversions] == [
        ("order", link.pk, user.pk), ("signup", link.pk, user.pk)]
    assert rolled_up() == 1
    funnel = reseller_funnel(member=world.seller, days=7)
    totals = funnel.totals
    assert (totals.visitors, totals.signups, totals.orders, totals.amount, totals.commission) == (
        1, 1, 1, Decimal("200.00"), Decimal("20.00"))
    assert [(row.key, row.channel, row.visitors, row.orders) for row in funnel.rows] == [
        (link.pk, "link", 1, 1)]
    by_product = reseller_funnel(member=world.seller, days=7, by="product")
    assert [(row.product_id, row.amount, row.commission) for row in by_product.rows] == [
        (None, Decimal("200.00"), Decimal("20.00"))]
    # the upline (tier 2) earns on it too, but the link is the seller's: nothing in mid's funnel
    assert reseller_funnel(member=world.mid, days=7).rows == []


def test_qr_and_poster_scans_and_product_pages_with_ref_are_separate_links(client):
    world = reseller_world()
    product = ProductFactory()
    code = world.seller.invite_code

    client.get(f"/s/{code}?src=qr")
    client.get(f"/s/{code}?src=poster")
    client.get(reverse("mall:product", args=[product.pk]) + f"?ref={code}&src=poster")
    client.get(reverse("mall:product", args=[product.pk]) + f"?ref={code}&src=poster")  # same day: once
    client.get(reverse("mall:product", args=[product.pk]) + "?ref=NOSUCHCODE9&src=poster")  # ignored
    shop = world.seller.user.shop
    client.get(reverse("mall:shop", args=[shop.pk]) + f"?ref={code}&src=weibo")  # unknown src: a link

    links = {(link.channel, link.product_id) for link in ShareLink.objects.all()}
    assert links == {("qr", None), ("poster", None), ("poster", product.pk), ("link", None)}
    assert ShareVisit.objects.count() == 4
    assert client.session["invite_code"] == code


def test_two_visitors_count_twice_and_the_same_visitor_again_the_next_day(client, rf):
    world = reseller_world()
    client.get(f"/s/{world.seller.invite_code}")
    other = type(client)()
    other.get(f"/s/{world.seller.invite_code}")
    visitor = ShareVisit.objects.first().visitor
    ShareVisit.objects.filter(visitor=visitor).update(day=timezone.localdate() - timedelta(days=1))
    client.get(f"/s/{world.seller.invite_code}")
    other.get(f"/s/{world.seller.invite_code}")

    assert ShareVisit.objects.count() == 3
    funnel_rollup(days=7)
    assert reseller_funnel(member=world.seller, days=7).totals.visitors == 3


def test_own_visits_and_links_of_non_resellers_are_not_recorded(client):
    world = reseller_world()
    client.force_login(world.seller.user)
    client.get(f"/s/{world.seller.invite_code}")
    client.logout()
    client.get(f"/s/{world.buyer.invite_code}")  # a shopper's invite link: no funnel

    assert ShareVisit.objects.count() == 0 and ShareLink.objects.count() == 0


def test_a_visit_by_a_signed_in_member_becomes_their_last_touch_and_credits_their_order(client):
    world = reseller_world()
    shopper = MemberFactory()  # an unbound shopper: the order goes to the shop they buy through
    client.force_login(shopper.user)
    client.get(f"/s/{world.seller.invite_code}?src=qr")
    link = ShareLink.objects.get()
    assert ShareTouch.objects.get(user=shopper.user).link_id == link.pk

    order = buy(shopper.user, "50.00")

    # unbound: attribution goes to the upline, none, so not to this reseller → not credited
    assert order.attribution.reseller_id is None
    assert not ShareConversion.objects.filter(kind=ConversionKind.ORDER).exists()
    assert not ShareConversion.objects.filter(kind=ConversionKind.SIGNUP).exists()  # joined before


def test_the_roll_up_is_idempotent_and_follows_new_data(client):
    world = reseller_world()
    client.get(f"/s/{world.seller.invite_code}")
    user = sign_up_through_session(client, "13912340002", world.seller.invite_code)
    buy(user, "80.00")

    funnel_rollup(days=2)
    first = daily_rows()
    funnel_rollup(days=2)
    assert daily_rows() == first and len(first) == 1
    assert first[0][2:] == (1, 1, 1, Decimal("80.00"), Decimal("8.00"))

    type(client)().get(f"/s/{world.seller.invite_code}")
    funnel_rollup(days=2)
    assert daily_rows()[0][2] == 2


def test_the_roll_up_leaves_days_outside_its_window_alone():
    world = reseller_world()
    link = ShareLink.objects.create(reseller=world.seller, channel="link")
    old_day = timezone.localdate() - timedelta(days=10)
    ShareVisit.objects.bulk_create([ShareVisit(day=old_day, link=link, visitor=v) for v in range(5)])
    funnel_rollup(days=31)
    ShareVisit.objects.filter(day=old_day).delete()

    funnel_rollup(days=2)

    assert daily_rows() == [(link.pk, old_day, 5, 0, 0, Decimal("0.00"), Decimal("0.00"))]
    assert reseller_funnel(member=world.seller, days=7).totals.visitors == 0
    assert reseller_funnel(member=world.seller, days=30).totals.visitors == 5


def test_a_broken_product_id_never_fails_the_landing_page(rf, client):
    world = reseller_world()
    request = rf.get("/")
    request.session = client.session
    request.user = world.buyer.user

    share_visit_record(request, reseller=world.seller, channel="poster", product_id=987654321)

    assert ShareVisit.objects.count() == 0


# --- pages and API ------------------------------------------------------------------------------

def test_funnel_page_and_api_show_my_links(client):
    world = reseller_world()
    type(client)().get(f"/s/{world.seller.invite_code}?src=qr")
    funnel_rollup()
    client.force_login(world.seller.user)

    page = client.get(reverse("distribution:funnel") + "?days=30").content.decode()
    data = client.get("/api/v1/distribution/funnel/?days=30").json()

    assert 'data-testid="funnel-link"' in page and "二维码" in page
    assert data["days"] == 30 and data["totals"]["visitors"] == 1 and data["count"] == 1
    assert data["results"][0]["channel"] == "qr" and data["results"][0]["product"] is None
    assert data["results"][0]["link_id"] == ShareLink.objects.get().pk


def test_another_resellers_link_is_a_404_with_a_chinese_message_and_changes_nothing(client):
    world = reseller_world()
    type(client)().get(f"/s/{world.seller.invite_code}")
    funnel_rollup()
    link = ShareLink.objects.get()
    before = (daily_rows(), ShareVisit.objects.count())
    other = MemberFactory(is_reseller=True)
    client.force_login(other.user)

    page = client.get(reverse("distribution:funnel_link", args=[link.pk]))
    api = client.get(f"/api/v1/distribution/funnel/links/{link.pk}/")

    assert page.status_code == 404 and "不存在" in page.content.decode()
    assert api.status_code == 404
    assert api.json() == {"code": "share_link_not_found", "detail": "该分享链接不存在或不属于你。"}
    assert (daily_rows(), ShareVisit.objects.count()) == before
    client.force_login(world.seller.user)
    assert client.get(reverse("distribution:funnel_link", args=[link.pk])).status_code == 200


def test_a_bad_grouping_is_a_400_in_chinese(client):
    world = reseller_world()
    client.force_login(world.seller.user)

    api = client.get("/api/v1/distribution/funnel/?by=phone")
    page = client.get(reverse("distribution:funnel") + "?by=phone")

    assert api.status_code == 400 and api.json() == {"code": "funnel_grouping_invalid",
                                                     "detail": "请按链接或按商品查看数据。"}
    assert "请按链接或按商品查看数据。" in page.content.decode()


@pytest.mark.parametrize("days", ["5", "abc", "-7", "3650"])
def test_a_bad_period_is_a_400_in_chinese_and_the_page_falls_back_to_7_days(client, days):
    world = reseller_world()
    client.force_login(world.seller.user)

    api = client.get(f"/api/v1/distribution/funnel/?days={days}")
    page = client.get(reverse("distribution:funnel") + f"?days={days}")

    assert api.status_code == 400 and api.json()["detail"] == "请选择最近 7 天或最近 30 天。"
    assert page.status_code == 200 and "请选择最近 7 天或最近 30 天。" in page.content.decode()


def test_non_resellers_get_no_funnel(client):
    member = MemberFactory()
    client.force_login(member.user)

    assert client.get("/api/v1/distribution/funnel/").status_code == 403
    assert 'data-testid="not-reseller"' in client.get(reverse("distribution:funnel")).content.decode()


def test_the_funnel_page_reads_a_bounded_number_of_queries_whatever_the_links(client):
    world = reseller_world()
    ShopFactory()
    products = [ProductFactory() for _ in range(30)]
    links = [ShareLink.objects.create(reseller=world.seller, channel="poster", product=p) for p in products]
    ShareDaily.objects.bulk_create([ShareDaily(link=link, day=timezone.localdate() - timedelta(days=d),
                                               visitors=3, orders=1, amount=Decimal("9.90"))
                                    for link in links for d in range(10)])
    client.force_login(world.seller.user)
    client.get(reverse("distribution:funnel"))  # warm the session and caches

    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(reverse("distribution:funnel") + "?days=30")
    with CaptureQueriesContext(connection) as api_queries:
        client.get("/api/v1/distribution/funnel/?days=30")

    assert page.content.decode().count('data-testid="funnel-link"') == 20  # a page
    by_product = client.get(reverse("distribution:funnel") + "?days=30&by=product").content.decode()
    assert by_product.count('data-testid="funnel-product"') == 20 and "data-load-more" in by_product
    assert len(page_queries) <= 8, [q["sql"] for q in page_queries]
    assert len(api_queries) <= 8, [q["sql"] for q in api_queries]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_visit_is_committed_in_one_statement(client):
    """The production path (autocommit): one multi-statement round trip on PostgreSQL that
    commits the visit without waiting for the WAL flush, and leaves the connection as it was."""
    world = reseller_world()

    with CaptureQueriesContext(connection) as queries:
        client.get(f"/s/{world.seller.invite_code}")

    visit_sql = [q["sql"] for q in queries if "sharevisit" in q["sql"]]
    assert len(visit_sql) == 1
    if connection.vendor == "postgresql":
        assert visit_sql[0].startswith("BEGIN; SET LOCAL synchronous_commit TO OFF;")
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert ShareVisit.objects.count() == 1


def test_staff_see_each_resellers_links_with_7_and_30_day_figures_read_only(client):
    from tests.mall.factories import UserFactory

    world = reseller_world()
    visitor = type(client)()
    visitor.get(f"/s/{world.seller.invite_code}?src=poster")
    buy(sign_up_through_session(visitor, "13912340003", world.seller.invite_code), "100.00")
    funnel_rollup()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    search = {"q": world.seller.user.phone[-4:]}
    links = client.get(reverse("admin:distribution_sharelink_changelist"), search)
    days = client.get(reverse("admin:distribution_sharedaily_changelist"))
    html = links.content.decode()

    assert links.status_code == 200 and days.status_code == 200
    assert world.seller.user.masked_phone in html and world.seller.user.phone not in html
    assert "100.00" in html and "海报" in html
    assert client.get(reverse("admin:distribution_sharelink_add")).status_code == 403
