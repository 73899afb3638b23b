from datetime import timedelta

import pytest
from django.utils import timezone

from crm.errors import NotYourCustomer, PackConditionInvalid, PackSendNotTesting, TagLimitReached
from crm.models import AudiencePack, MemberProfile, MemberTag, Message, PackMember, Stage, Tag, TagGroup
from crm.services import tags as tag_services
from crm.services.packs import (
    pack_preview_count,
    pack_save,
    pack_send,
    pack_send_conversion,
    pack_send_release,
)
from crm.services.profiles import profiles_compute
from tests.crm.audience_world import paid_order
from tests.crm.factories import MessageTemplateFactory
from tests.distribution.factories import MemberFactory
from tests.mall.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_tags_stop_at_the_limit(monkeypatch):
    group = TagGroup.objects.create(name="兴趣")
    monkeypatch.setattr(tag_services, "MAX_TAGS", 2)
    tag_services.tag_create(group=group, name="母婴")
    tag_services.tag_create(group=group, name="美妆")

    with pytest.raises(TagLimitReached):
        tag_services.tag_create(group=group, name="数码")
    assert Tag.objects.count() == 2


def test_a_reseller_tags_only_their_own_customers():
    group = TagGroup.objects.create(name="意向")
    tag = tag_services.tag_create(group=group, name="高意向")
    reseller = MemberFactory(is_reseller=True)
    mine, other = MemberFactory(parent=reseller), MemberFactory()

    tag_services.member_tag_add_by_reseller(reseller=reseller.user, tag=tag, user_id=mine.user_id)
    with pytest.raises(NotYourCustomer):
        tag_services.member_tag_add_by_reseller(reseller=reseller.user, tag=tag, user_id=other.user_id)

    assert list(MemberTag.objects.values_list("user_id", "source")) == [(mine.user_id, "reseller")]


def _world():
    shop = ShopFactory()
    users = [UserFactory() for _ in range(10)]
    for u in users[:6]:
        paid_order(u, shop, "150.00", timezone.now() - timedelta(days=3))
    tag = tag_services.tag_create(group=TagGroup.objects.create(name="渠道"), name="社群")
    tag_services.member_tags_add_by_staff(tag=tag, user_ids=[u.pk for u in users[4:]], operator=None)
    profiles_compute(today=timezone.localdate())
    return shop, users, tag


def test_preview_counts_members_meeting_every_condition():
    shop, _users, tag = _world()

    assert pack_preview_count(conditions={"min_spend": "100"}) == 6
    assert pack_preview_count(conditions={"min_spend": "100", "tags_any": [tag.pk]}) == 2
    assert pack_preview_count(conditions={"stages": [Stage.NEW], "ordered_within_days": 7}) == 6
    assert pack_preview_count(conditions={"shop_ids": [shop.pk], "koc": False}) == 6
    assert MemberProfile.objects.count() >= 10


@pytest.mark.parametrize("conditions", [{"stages": ["vip"]}, {"min_spend": "abc"}, {"tags_any": "1"},
                                        {"unknown": 1}, {"koc": "yes"}, {"ordered_within_days": True}])
def test_bad_conditions_are_refused_and_nothing_is_saved(conditions):
    with pytest.raises(PackConditionInvalid):
        pack_save(name="x", conditions=conditions, operator=None)
    assert not AudiencePack.objects.exists()


def test_small_group_test_then_release_to_the_rest_never_the_holdout():
    shop, users, _tag = _world()
    pack = pack_save(name="近期下单", conditions={"min_spend": "100"}, operator=None)
    template = MessageTemplateFactory()

    send = pack_send(pack=pack, template=template, operator=None, test_percent=50, holdout_percent=20, seed=7)
    groups = dict(PackMember.objects.filter(send=send).values_list("user_id", "group"))
    test = [u for u, g in groups.items() if g == PackMember.Group.TEST]
    assert (send.frozen_count, len(test), list(groups.values()).count("holdout")) == (6, 3, 1)
    assert sorted(Message.objects.values_list("user_id", flat=True)) == sorted(test)

    paid_order(UserFactory(), shop, "150.00", timezone.now())  # joins after the freeze: not in this send
    paid_order(users[0] if users[0].pk in test else next(u for u in users if u.pk in test), shop, "20.00",
               timezone.now() + timedelta(days=1))
    conversion = pack_send_conversion(send=send)
    released = pack_send_release(send=send)
    with pytest.raises(PackSendNotTesting):
        pack_send_release(send=send)

    assert conversion == {"test": {"members": 3, "converted": 1}, "holdout": {"members": 1, "converted": 0},
                          "rest": {"members": 2, "converted": 0}}
    assert released == 2
    holdout = [u for u, g in groups.items() if g == PackMember.Group.HOLDOUT]
    assert Message.objects.count() == 5 and not Message.objects.filter(user_id__in=holdout).exists()


def test_staff_see_the_preview_and_refused_conditions_in_chinese(client):
    admin_client = client
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    _world()
    pack = pack_save(name="高消费", conditions={"min_spend": "100"}, operator=None)

    page = admin_client.get(f"/admin/crm/audiencepack/{pack.pk}/change/").content.decode()
    bad = admin_client.post("/admin/crm/audiencepack/add/", {"name": "坏", "shop_ids": "1, 二"},
                            HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert '<div class="readonly">6</div>' in page
    assert 'name="min_spend" value="100.00"' in page
    assert "人群包条件无效。" in bad.content.decode()
    assert AudiencePack.objects.count() == 1
