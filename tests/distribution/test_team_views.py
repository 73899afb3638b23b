"""Team selectors and the reseller centre H5 pages: centre, join, apply, bind, team, poster."""

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from distribution import views
from distribution.models import BindingHistory, JoinMode, Member, ResellerApplication
from distribution.referral.services.placement import referral_tree_place_pending
from distribution.reseller import selectors
from mall.services.shops import shop_list_product, shop_update
from tests.distribution.factories import MemberFactory
from tests.distribution.resellers_world import (
    default_level,
    everyone,
    sell,
    set_join_mode,
    state,
    three_levels,
)
from tests.mall.factories import ProductFactory, ShopFactory, SKUFactory, UserFactory
from tests.test_i18n import _english_words

pytestmark = pytest.mark.django_db

CENTER = "/distribution/"


def signed_in(client, member: Member):
    client.force_login(member.user)
    return client


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- selectors ----------------------------------------------------------------------------------


def test_team_summary_counts_tiers_size_and_sales():
    root = MemberFactory()
    a, b = MemberFactory(parent=root), MemberFactory(parent=root)
    a1, a2, b1 = MemberFactory(parent=a), MemberFactory(parent=a), MemberFactory(parent=b)
    deep = MemberFactory(parent=a1)
    for member, amount in ((a, "10.00"), (a1, "5.50"), (deep, "100.00"), (root, "999.00")):
        sell(member, amount)

    summary = selectors.team_summary(member=Member.objects.get(pk=root.pk))

    assert (summary.size, summary.direct_count, summary.tier2_count, summary.paid_sales) == (
        6, 2, 3, Decimal("115.50"))
    assert {a2.pk, b1.pk} <= set(Member.objects.filter(parent__parent=root).values_list("pk", flat=True))


def test_tier_two_is_one_query(django_assert_num_queries):
    root = MemberFactory()
    for child in [MemberFactory(parent=root) for _ in range(3)]:
        MemberFactory(parent=child)
    root = Member.objects.get(pk=root.pk)

    with django_assert_num_queries(3):  # team range, tier 1, tier 2
        summary = selectors.team_summary(member=root)

    assert (summary.direct_count, summary.tier2_count) == (3, 3)


def test_level_progress_names_the_next_level_and_its_conditions():
    basic, silver, _gold = three_levels()
    member = MemberFactory(is_reseller=True, level=basic)
    sell(member, "250.00")
    figures = selectors.member_sales_figures(member=Member.objects.get(pk=member.pk))

    progress = selectors.level_progress(member=member, figures=figures)

    assert (progress.current, progress.next_level) == (basic, silver)
    assert [(c.key, c.required, c.current, c.percent, c.met) for c in progress.conditions] == [
        ("own_sales", Decimal("500.00"), Decimal("250.00"), 50, False),
        ("team_sales", Decimal("3000.00"), Decimal("0.00"), 0, False)]


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["center", "team", "apply", "poster"])
def test_pages_need_a_signed_in_member(client, name):
    response = client.get(reverse(f"distribution:{name}"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mall:signin"))


def test_the_me_page_links_to_the_reseller_centre(client):
    member = MemberFactory()

    page = html(signed_in(client, member).get(reverse("mall:me")))

    assert f'href="{CENTER}"' in page


def test_a_user_without_a_member_node_gets_one(client):
    user = UserFactory()
    client.force_login(user)

    page = html(client.get(CENTER))

    assert Member.objects.filter(user=user).exists()
    assert Member.objects.get(user=user).invite_code in page


# --- the centre, by state ----------------------------------------------------------------------


def test_a_non_reseller_in_everyone_mode_sees_the_benefits_and_joins(client):
    everyone()
    default_level()
    member = MemberFactory()
    client = signed_in(client, member)

    page = html(client.get(CENTER))
    response = client.post(reverse("distribution:join"))

    assert "分销员权益" in page and "加入无需缴费，也无需购买商品。" in page
    assert 'data-testid="join"' in page and 'data-testid="apply"' not in page
    assert response.status_code == 302 and response.url == CENTER
    assert Member.objects.get(pk=member.pk).is_reseller is True
    after = html(client.get(CENTER))
    assert "欢迎加入！你已成为分销员。" in after
    assert 'data-testid="level-badge">普通分销员<' in after


def test_join_refused_in_apply_mode_shows_the_error_and_changes_nothing(client):
    member = MemberFactory()
    client = signed_in(client, member)
    before = state()

    response = client.post(reverse("distribution:join"), follow=True)

    assert "暂不支持直接加入。请提交申请，或联系平台。" in html(response)
    assert state() == before


def test_apply_mode_shows_the_form_then_the_status_then_withdraw(client):
    member = MemberFactory(user=UserFactory(phone="13912340000"))
    client = signed_in(client, member)

    center = html(client.get(CENTER))
    form = html(client.get(reverse("distribution:apply")))
    sent = client.post(reverse("distribution:apply"), {"real_name": "王小明", "contact_phone": "13912340000",
                                                       "reason": "想开店"})
    waiting = html(client.get(CENTER))
    client.post(reverse("distribution:apply_withdraw"))

    assert 'data-testid="apply"' in center
    assert 'value="13912340000"' in form  # the sign-up phone, prefilled
    assert sent.status_code == 302
    assert "你的申请正在审核中" in waiting and 'data-testid="withdraw"' in waiting
    assert ResellerApplication.objects.get(member=member).state == "withdrawn"


def test_a_bad_application_shows_the_error_next_to_the_field_and_changes_nothing(client):
    member = MemberFactory()
    client = signed_in(client, member)
    before = state()

    page = html(client.post(reverse("distribution:apply"), {"real_name": "王", "contact_phone": "123"}))

    assert re.search(r'has-error">\s*<label for="id_real_name"', page)
    assert "请填写真实姓名（2 到 20 个字）。" in page
    assert state() == before


def test_a_rejected_member_sees_the_reason_and_may_apply_again(client):
    member = MemberFactory()
    ResellerApplication.objects.create(member=member, state="rejected", real_name="王小明",
                                       contact_phone="13912345678", reject_reason="资料不全")

    page = html(signed_in(client, member).get(CENTER))

    assert "你上次的申请未通过" in page and "资料不全" in page
    assert 'data-testid="apply"' in page


def test_designated_mode_only_explains(client):
    set_join_mode(JoinMode.DESIGNATED)

    page = html(signed_in(client, MemberFactory()).get(CENTER))

    assert 'data-testid="designated-note"' in page
    assert 'data-testid="join"' not in page and 'data-testid="apply"' not in page


def test_a_reseller_sees_level_invite_tools_team_and_progress(client):
    basic, _silver, _gold = three_levels()
    member = MemberFactory(is_reseller=True, level=basic, reseller_since=timezone.now())
    ShopFactory(owner=member.user)
    downline = MemberFactory(parent=member)
    MemberFactory(parent=downline)
    sell(downline, "120.00")

    page = html(signed_in(client, member).get(CENTER))

    assert f'data-testid="invite-code">{member.invite_code}<' in page
    assert f'http://testserver/s/{member.invite_code}' in page
    assert f'src="/s/{member.invite_code}/qr.png"' in page
    assert re.search(r'src="/distribution/poster.png\?v=[0-9a-f]{32}"', page)
    assert 'data-testid="team-size">2<' in page
    assert 'data-testid="tier2-count">1<' in page
    assert 'data-testid="team-sales">¥120.00<' in page
    assert "升级到银牌还需：" in page
    assert 'data-testid="earnings-card"' in page


def test_centre_pages_have_no_english_left(client):
    everyone()
    basic, _silver, _gold = three_levels()
    reseller = MemberFactory(is_reseller=True, level=basic, reseller_since=timezone.now())
    ShopFactory(owner=reseller.user)
    MemberFactory(parent=reseller, user=UserFactory(nickname="小林"))
    shopper = MemberFactory(user=UserFactory(nickname="小美"))

    pages = {
        "reseller centre": signed_in(client, reseller).get(CENTER),
        "team": client.get(reverse("distribution:team")),
        "shopper centre": signed_in(client, shopper).get(CENTER),
    }
    set_join_mode(JoinMode.APPLY)
    pages["apply"] = client.get(reverse("distribution:apply"))

    codes = {reseller.invite_code, shopper.invite_code}
    # Invite codes and share links are Latin by design.
    allowed = {"http", "testserver"} | {w for code in codes for w in re.findall(r"[A-Za-z]{2,}", code)}
    found = {name: _english_words(html(r)) - allowed for name, r in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}


# --- bind an inviter ----------------------------------------------------------------------------


def test_an_unbound_member_binds_an_inviter_from_the_centre(client):
    inviter, member = MemberFactory(), MemberFactory()
    client = signed_in(client, member)

    assert 'data-testid="bind-card"' in html(client.get(CENTER))
    response = client.post(reverse("distribution:bind"), {"invite_code": inviter.invite_code.lower()},
                           follow=True)

    assert "已成功绑定邀请人。" in html(response)
    assert Member.objects.get(pk=member.pk).parent_id == inviter.pk
    assert BindingHistory.objects.get(member=member).source == "code"
    assert 'data-testid="bind-card"' not in html(client.get(CENTER))


@pytest.mark.parametrize("code", ["", "not-a-code!", "ABCDEFGH23"])
def test_a_bad_invite_code_shows_an_error_and_changes_nothing(client, code):
    member = MemberFactory()
    client = signed_in(client, member)
    before = state()

    response = client.post(reverse("distribution:bind"), {"invite_code": code}, follow=True)

    assert 'data-testid="message"' in html(response)
    assert "toast-error" in html(response)
    assert state() == before


def test_the_bind_form_is_hidden_once_the_window_closed(client):
    member = MemberFactory()
    Member.objects.filter(pk=member.pk).update(joined_at=timezone.now() - timedelta(days=1))

    assert 'data-testid="bind-card"' not in html(signed_in(client, member).get(CENTER))


# --- team page -----------------------------------------------------------------------------------


def test_team_page_lists_my_direct_downlines_with_masked_phones(client):
    member = MemberFactory(is_reseller=True)
    first = MemberFactory(parent=member, user=UserFactory(phone="13712345678", nickname="小林"),
                          is_reseller=True)
    MemberFactory(parent=member, user=UserFactory(phone="13700001111", nickname=""))
    MemberFactory(parent=first, user=UserFactory(phone="13799998888"))  # tier 2: not listed
    other = MemberFactory()
    MemberFactory(parent=other, user=UserFactory(phone="13655556666"))
    sell(first, "88.80")

    page = html(signed_in(client, member).get(reverse("distribution:team")))

    assert re.findall(r'data-testid="downline-phone">([^<]+)<', page) == ["137****5678", "137****1111"]
    assert "13712345678" not in page and "13799998888" not in page and "136****6666" not in page
    assert "小林" in page and 'data-testid="downline-reseller"' in page
    assert 'data-testid="downline-sales">¥88.80<' in page
    assert "2 位直属下级" in page


def test_team_page_paginates_with_load_more(client):
    member = MemberFactory()
    for _ in range(23):
        MemberFactory(parent=member, place=False)
    referral_tree_place_pending(tree_id=member.tree_id, wait=True)
    client = signed_in(client, member)

    first = html(client.get(reverse("distribution:team")))
    second = html(client.get(reverse("distribution:team") + "?page=2"))

    assert (first.count('data-testid="downline"'), second.count('data-testid="downline"')) == (20, 3)
    assert 'data-testid="load-more"' in first and 'data-testid="load-more"' not in second


def test_team_page_ignores_a_member_id_in_the_query(client):
    member, other = MemberFactory(), MemberFactory()
    MemberFactory(parent=other, user=UserFactory(phone="13655556666"))

    page = html(signed_in(client, member).get(reverse("distribution:team") + f"?member={other.pk}"))

    assert 'data-testid="team-empty"' in page and "136****6666" not in page


# --- poster --------------------------------------------------------------------------------------


def _reseller_with_shop():
    member = MemberFactory(is_reseller=True, user=UserFactory(nickname="小雨"))
    shop = ShopFactory(owner=member.user, name="小雨的母婴好物")
    for title in ("有机米粉", "婴儿湿巾"):
        product = ProductFactory(title=title)
        SKUFactory(product=product, price=Decimal("39.90"))
        shop_list_product(shop=shop, product_id=product.pk)
    return member, shop


def test_poster_is_a_png_for_a_reseller_and_is_drawn_once(client, monkeypatch):
    member, _shop = _reseller_with_shop()
    client = signed_in(client, member)
    drawn = []
    real_draw = views.poster_draw
    monkeypatch.setattr(views, "poster_draw", lambda **kw: drawn.append(kw) or real_draw(**kw))

    first = client.get(reverse("distribution:poster"))
    again = client.get(reverse("distribution:poster"), HTTP_IF_NONE_MATCH=first["ETag"])
    repeat = client.get(reverse("distribution:poster"))

    image = Image.open(BytesIO(first.content))
    assert (first.status_code, first["Content-Type"], image.size) == (200, "image/png", (750, 1334))
    assert again.status_code == 304
    assert repeat.content == first.content and repeat["ETag"] == first["ETag"]
    assert len(drawn) == 1
    assert drawn[0]["shop_name"] == "小雨的母婴好物"
    assert drawn[0]["invite_code"] == member.invite_code
    assert drawn[0]["share_url"] == f"http://testserver/s/{member.invite_code}?src=poster"
    assert [p.title for p in drawn[0]["products"]] == ["有机米粉", "婴儿湿巾"]
    assert drawn[0]["texts"].scan_hint == "长按识别二维码，进店逛逛"


def test_the_poster_changes_when_the_shop_or_the_code_changes(client):
    member, shop = _reseller_with_shop()
    client = signed_in(client, member)
    first = client.get(reverse("distribution:poster"))

    shop_update(shop=shop, name="小雨的新店")
    renamed = client.get(reverse("distribution:poster"))
    Member.objects.filter(pk=member.pk).update(invite_code="ABCDEFGH23")
    recoded = client.get(reverse("distribution:poster"))

    assert len({first["ETag"], renamed["ETag"], recoded["ETag"]}) == 3
    assert renamed.content != first.content


def test_the_centre_links_a_versioned_poster_that_browsers_may_keep(client):
    member, shop = _reseller_with_shop()
    client = signed_in(client, member)

    poster_src = re.compile(r'src="(/distribution/poster.png\?v=[0-9a-f]{32})"')
    url = poster_src.search(html(client.get(CENTER))).group(1)
    versioned, plain = client.get(url), client.get(reverse("distribution:poster"))
    shop_update(shop=shop, name="小雨的新店")
    new_url = poster_src.search(html(client.get(CENTER))).group(1)

    assert versioned["Cache-Control"] == "private, max-age=86400"
    assert plain["Cache-Control"] == "private, no-cache"
    assert versioned["ETag"] == f'"{url.rsplit("=", 1)[1]}"'
    assert new_url != url


def test_no_poster_for_a_member_who_is_not_a_reseller(client):
    member = MemberFactory()
    ShopFactory(owner=member.user)

    response = signed_in(client, member).get(reverse("distribution:poster"))

    assert response.status_code == 404
