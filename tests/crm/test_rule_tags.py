"""Daily rule tags against hand-built members, with every member's expected tags written out
(defaults: spend bands from ¥100 / ¥500 / ¥2000; last-order buckets up to 7 / 30 / 90 days)."""

import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.errors import RuleTagReadOnly
from crm.models import LifecycleSettings, MemberTag, Tag, TagGroup, TagSource
from crm.services import rule_tags
from crm.services import tags as tag_services
from crm.services.packs import pack_members
from crm.services.profiles import profiles_compute
from crm.services.rule_tags import rule_tags_compute
from distribution.models import ConversionKind, ShareConversion, ShareLink
from mall.models import Category, Shop, User
from orders.models import OrderItem, OrderState
from promotions.models import Coupon, CouponState
from tests.console.roles_helpers import desk_user
from tests.crm.audience_world import paid_order, paid_purchase
from tests.crm.helpers import sh
from tests.distribution.factories import MemberFactory
from tests.mall.factories import CategoryFactory, ProductFactory, ShopFactory, SKUFactory
from tests.promotions.factories import CouponTemplateFactory, give

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 5)
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def rule_tags_of(member) -> set[str]:
    rows = MemberTag.objects.filter(user_id=member.user_id, source=TagSource.RULE)
    return {f"{group}/{name}" for group, name in rows.values_list("tag__group__name", "tag__name")}


def use_coupon(user, order) -> None:
    coupon = give(CouponTemplateFactory(), user)
    Coupon.objects.filter(pk=coupon.pk).update(state=CouponState.USED, used_at=order.paid_at, order=order)


def world():
    """inviter (a root, no order); a: signed up with the inviter's code, ¥30 of 奶粉 (under 母婴)
    two days ago; b: signed up by QR code through the inviter's poster link (the funnel
    says 海报), ¥600 15 days ago with a coupon and ¥30 of 口红 (美妆) in October, plus a
    fully refunded 奶粉; c: a root, one cancelled order and an unused coupon; d: signed up
    through a share link, ¥2,500 on Aug 1 (126 days ago)."""
    shop = ShopFactory()
    baby, beauty = CategoryFactory(name="母婴"), CategoryFactory(name="美妆")
    milk = SKUFactory(product=ProductFactory(category=CategoryFactory(name="奶粉", parent=baby)))
    lipstick = SKUFactory(product=ProductFactory(category=beauty))
    inviter = MemberFactory(is_reseller=True)
    a = MemberFactory(parent=inviter, source="code")
    b = MemberFactory(parent=inviter, source="qr")
    c = MemberFactory()
    d = MemberFactory(parent=inviter, source="link")
    paid_purchase(a.user, shop, milk, sh(3, 12))
    use_coupon(b.user, paid_order(b.user, shop, "600.00", sh(20, 12, month=11)))
    order = paid_purchase(b.user, shop, lipstick, sh(10, 12, month=10))
    OrderItem.objects.create(order=order, sku=milk, product=milk.product, product_title="奶粉",
                             unit_price=Decimal("30.00"), cost_price=Decimal("10.00"), quantity=1,
                             line_amount=Decimal("30.00"), paid_amount=Decimal("30.00"),
                             refunded_quantity=1, refunded_amount=Decimal("30.00"))
    link = ShareLink.objects.create(reseller=inviter, channel="poster")
    ShareConversion.objects.create(kind=ConversionKind.SIGNUP, link=link, day=TODAY, user=b.user)
    paid_order(c.user, shop, "99.00", sh(2, 12), state=OrderState.CANCELLED)
    give(CouponTemplateFactory(), c.user)
    paid_order(d.user, shop, "2500.00", sh(1, 12, month=8))
    return inviter, a, b, c, d


def test_every_rule_family_on_hand_built_members():
    inviter, a, b, c, d = world()
    code = inviter.invite_code

    figures = rule_tags_compute(today=TODAY)

    assert rule_tags_of(inviter) == {"首单/未下单", "来源渠道/自然流量"}
    assert rule_tags_of(a) == {"首单/已首单", "购买品类/母婴", "消费档/<¥100", "距上次下单/7天内",
                               "来源渠道/邀请码", f"邀请码/{code}"}
    assert rule_tags_of(b) == {"首单/已首单", "购买品类/美妆", "消费档/¥500–1999.99", "距上次下单/8–30天",
                               "用券/用过券", "来源渠道/海报", f"邀请码/{code}"}
    assert rule_tags_of(c) == {"首单/未下单", "来源渠道/自然流量"}
    assert rule_tags_of(d) == {"首单/已首单", "消费档/≥¥2000", "距上次下单/90天以上", "来源渠道/分享链接",
                               f"邀请码/{code}"}
    assert figures == {"members": User.objects.count(), "added": MemberTag.objects.count(), "removed": 0,
                       "skipped_member_tags": 0, "skipped_tags": 0, "name_taken": 0}
    assert set(TagGroup.objects.exclude(rule_family="").values_list("name", flat=True)) == {
        "首单", "购买品类", "消费档", "来源渠道", "邀请码", "距上次下单", "用券"}


def test_a_tag_that_stops_holding_is_removed_and_manual_tags_stay():
    inviter, a, b, c, _d = world()
    staff_tag = tag_services.tag_create(group=TagGroup.objects.create(name="兴趣"), name="母婴")
    mine = tag_services.tag_create(group=TagGroup.objects.get(name="兴趣"), name="高意向")
    tag_services.member_tags_add_by_staff(tag=staff_tag, user_ids=[a.user_id, c.user_id], operator=None)
    tag_services.member_tag_add_by_reseller(reseller=inviter.user, tag=mine, user_id=a.user_id)
    rule_tags_compute(today=TODAY)
    paid_order(c.user, Shop.objects.get(), "150.00", sh(5, 9))

    figures = rule_tags_compute(today=TODAY + timedelta(days=30))  # Jan 4: a's order is 32 days old

    assert rule_tags_of(a) == {"首单/已首单", "购买品类/母婴", "消费档/<¥100", "距上次下单/31–90天",
                               "来源渠道/邀请码", f"邀请码/{inviter.invite_code}"}
    assert rule_tags_of(c) == {"首单/已首单", "消费档/¥100–499.99", "距上次下单/8–30天", "来源渠道/自然流量"}
    assert "距上次下单/31–90天" in rule_tags_of(b)  # Nov 20: 45 days
    # a and b change bucket (1 off, 1 on each); c loses 未下单 and gains 已首单, a band, a bucket
    assert (figures["removed"], figures["added"]) == (3, 5)
    manual = MemberTag.objects.exclude(source=TagSource.RULE).values_list("user_id", "tag__name", "source")
    assert set(manual) == {
        (a.user_id, "母婴", "staff"), (c.user_id, "母婴", "staff"), (a.user_id, "高意向", "reseller")}


def test_two_runs_give_the_same_rows_and_ranges_change_nothing(monkeypatch):
    world()
    rule_tags_compute(today=TODAY)
    before = sorted(MemberTag.objects.values_list("pk", "user_id", "tag_id", "source"))

    again = rule_tags_compute(today=TODAY)
    monkeypatch.setattr(rule_tags, "CHUNK", 2)
    in_pairs = rule_tags_compute(today=TODAY)

    assert sorted(MemberTag.objects.values_list("pk", "user_id", "tag_id", "source")) == before
    assert again["added"] == again["removed"] == in_pairs["added"] == in_pairs["removed"] == 0
    assert Tag.objects.filter(rule_key__startswith="first:").count() == 2


def test_a_run_killed_halfway_is_completed_by_the_next(monkeypatch):
    inviter, _a, _b, _c, d = world()
    monkeypatch.setattr(rule_tags, "CHUNK", 2)
    write, calls = rule_tags._write, []

    def dying(span, pairs):
        calls.append(span)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return write(span, pairs)

    monkeypatch.setattr(rule_tags, "_write", dying)
    with pytest.raises(RuntimeError):
        rule_tags_compute(today=TODAY)
    assert MemberTag.objects.exists() and not rule_tags_of(d)  # the first range committed, no later one
    monkeypatch.setattr(rule_tags, "_write", write)

    rule_tags_compute(today=TODAY)
    complete = rule_tags_compute(today=TODAY)

    assert rule_tags_of(d) == {"首单/已首单", "消费档/≥¥2000", "距上次下单/90天以上", "来源渠道/分享链接",
                               f"邀请码/{inviter.invite_code}"}
    assert (complete["added"], complete["removed"]) == (0, 0)


def test_the_tag_limit_is_never_exceeded_and_skips_are_counted(monkeypatch, caplog):
    """Limit 8 with one staff tag: 7 rule tags, made for the lowest member id first and each
    member's keys in order: the inviter's channel:organic, first:no; a's category (母婴),
    channel:code, days:0, first:yes, invite — then a's spend:0 and every new key after it are
    skipped."""
    inviter, _a, _b, _c, _d = world()
    tag_services.tag_create(group=TagGroup.objects.create(name="兴趣"), name="母婴")
    monkeypatch.setattr(rule_tags, "MAX_TAGS", 8)

    with caplog.at_level(logging.WARNING, logger="crm.services.rule_tags"):
        figures = rule_tags_compute(today=TODAY)

    assert Tag.objects.count() == 8
    assert sorted(Tag.objects.exclude(rule_key="").values_list("rule_key", flat=True)) == sorted([
        "channel:organic", "first:no", f"category:{_root('母婴')}", "channel:code", "days:0", "first:yes",
        f"invite:{inviter.invite_code}"])
    # Not made: a's spend:0; b's 美妆, poster, coupon, days:1, spend:2; d's link, days:3, spend:3.
    assert figures["skipped_tags"] == 9
    assert figures["skipped_member_tags"] == 9
    assert "limit is reached; 9 tags not created, 9 member tags skipped" in caplog.text


def _root(name: str) -> int:
    return Category.objects.get(name=name, parent=None).pk


def test_a_pack_with_a_rule_tag_finds_its_members():
    _inviter, a, b, _c, d = world()
    profiles_compute(today=TODAY)
    rule_tags_compute(today=TODAY)
    coupon_user = Tag.objects.get(rule_key="coupon:yes")
    first = Tag.objects.get(rule_key="first:no")

    assert list(pack_members(conditions={"tags_any": [coupon_user.pk]})) == [b.user_id]
    # 未下单 is every user without a paid order (the shop's owner too), 用过券 is b
    no_order = User.objects.exclude(pk__in=[a.user_id, d.user_id]).order_by("pk").values_list("pk", flat=True)
    assert list(pack_members(conditions={"tags_any": [coupon_user.pk, first.pk]})) == list(no_order)


def test_rule_tags_cannot_be_put_on_or_taken_off_by_hand():
    inviter, a, b, c, _d = world()
    rule_tags_compute(today=TODAY)
    tag = Tag.objects.get(rule_key="first:yes")

    for attempt in (lambda: tag_services.member_tags_add_by_staff(tag=tag, user_ids=[c.user_id],
                                                                  operator=None),
                    lambda: tag_services.member_tag_add_by_reseller(reseller=inviter.user, tag=tag,
                                                                    user_id=b.user_id),
                    lambda: tag_services.member_tag_remove(tag=tag, user_id=a.user_id),
                    lambda: tag_services.tag_create(group=tag.group, name="手工")):
        with pytest.raises(RuleTagReadOnly):
            attempt()
    assert rule_tags_of(c) == {"首单/未下单", "来源渠道/自然流量"}
    assert "首单/已首单" in rule_tags_of(a)
    assert tag.group.tags.count() == 2


def test_the_admin_shows_rule_tags_read_only_and_offers_no_rule_group_for_a_new_tag(client):
    world()
    rule_tags_compute(today=TODAY)
    staff_group = TagGroup.objects.create(name="兴趣")
    client.force_login(desk_user(None))
    tag = Tag.objects.get(rule_key="first:yes")

    listing = client.get(reverse("admin:crm_tag_changelist"), **ZH).content.decode()
    page = client.get(reverse("admin:crm_tag_change", args=[tag.pk]), **ZH).content.decode()
    edit = client.post(reverse("admin:crm_tag_change", args=[tag.pk]),
                       {"name": "改名", "group": staff_group.pk})
    delete = client.post(reverse("admin:crm_tag_delete", args=[tag.pk]), {"post": "yes"})
    add = client.get(reverse("admin:crm_tag_add"), **ZH).content.decode()

    assert "已首单" in listing and "规则标签" in listing
    assert 'name="name"' not in page  # read-only: no input
    assert edit.status_code == delete.status_code == 403
    assert Tag.objects.get(pk=tag.pk).name == "已首单"
    assert f'<option value="{staff_group.pk}">兴趣</option>' in add
    assert f'value="{tag.group_id}"' not in add


def test_staff_settings_move_the_bands_and_buckets_and_rename_their_tags():
    """Bands from ¥50 / ¥600 / ¥1,000 and buckets up to 10 / 20 / 200 days: b (¥630, 15 days
    ago) is in band 2 ``¥600–999.99`` and bucket 1 ``11–20天``; d (¥2,500, 126 days) in band 3
    and bucket 2. The tags keep their ids (a pack naming them keeps working)."""
    _inviter, _a, b, _c, d = world()
    rule_tags_compute(today=TODAY)
    band_2 = Tag.objects.get(rule_key="spend:2")
    LifecycleSettings.objects.filter(pk=1).update(
        spend_band_1=Decimal("50.00"), spend_band_2=Decimal("600.00"), spend_band_3=Decimal("1000.00"),
        days_bucket_1=10, days_bucket_2=20, days_bucket_3=200)

    rule_tags_compute(today=TODAY)

    assert {"消费档/¥600–999.99", "距上次下单/11–20天"} <= rule_tags_of(b)
    assert {"消费档/≥¥1000", "距上次下单/21–200天"} <= rule_tags_of(d)
    assert Tag.objects.get(pk=band_2.pk).name == "¥600–999.99"
    bad = LifecycleSettings.get_solo()
    bad.spend_band_2 = Decimal("40.00")
    with pytest.raises(ValidationError, match="每个消费档的起点必须高于前一档。"):
        bad.full_clean()
