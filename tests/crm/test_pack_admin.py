"""The packs' staff pages: conditions as form fields, 预览人数 before saving, 发送 (the
small-group test) from the pack's page, and the sends' list with its release action."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db.models import Count
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from config.roles import OPS
from crm.models import AudiencePack, Message, PackMember, PackSend, Stage
from crm.services.packs import pack_save, pack_send
from crm.services.profiles import profiles_compute
from mall.models import User
from tests.console.roles_helpers import desk_user
from tests.crm.audience_world import paid_order
from tests.crm.factories import MessageTemplateFactory
from tests.mall.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _world() -> None:
    """8 active members who spent 300, 2 active who spent 100, 3 new (one order of 300)."""
    shop, now = ShopFactory(), timezone.now()
    for amount, orders, n in (("150.00", 2, 8), ("50.00", 2, 2), ("300.00", 1, 3)):
        for _ in range(n):
            user = UserFactory()
            for k in range(orders):
                paid_order(user, shop, amount, now - timedelta(days=3 + k))
    profiles_compute(today=timezone.localdate())


def test_a_pack_is_built_from_condition_fields_and_previewed_before_it_is_saved(client):
    _world()
    client.force_login(desk_user(OPS))
    data = {"name": "活跃高消费", "stages": [Stage.ACTIVE], "min_spend": "200", "koc": ""}

    preview = client.post(reverse("admin:crm_audiencepack_add"), {**data, "_preview": "1"}, **ZH)
    saved = client.post(reverse("admin:crm_audiencepack_add"), data)

    assert preview.status_code == 200
    assert "符合这些条件的会员现在有 8 位（尚未保存）。" in preview.content.decode()
    assert 'name="min_spend" value="200"' in preview.content.decode()  # the form keeps what was typed
    assert saved.status_code == 302
    pack = AudiencePack.objects.get()
    assert pack.conditions == {"stages": ["active"], "min_spend": "200.00"}


def test_previewing_saves_nothing_and_a_bad_condition_shows_no_count(client):
    _world()
    client.force_login(desk_user(OPS))
    pack = pack_save(name="高消费", conditions={"min_spend": "100"}, operator=None)
    url = reverse("admin:crm_audiencepack_change", args=[pack.pk])

    changed = client.post(url, {"name": "高消费", "min_spend": "200", "_preview": "1"}, **ZH)
    bad = client.post(url, {"name": "高消费", "reseller_user_ids": "x", "_preview": "1"}, **ZH)

    assert "符合这些条件的会员现在有 11 位（尚未保存）。" in changed.content.decode()  # 8 active + 3 new
    assert "人群包条件无效。" in bad.content.decode() and "尚未保存" not in bad.content.decode()
    pack.refresh_from_db()
    assert pack.conditions == {"min_spend": "100.00"}


def test_operations_start_a_small_group_test_from_the_pack_page(client):
    _world()
    staff = desk_user(OPS)
    client.force_login(staff)
    pack = pack_save(name="活跃高消费", conditions={"stages": ["active"], "min_spend": "200"}, operator=None)
    template = MessageTemplateFactory(name="会员日")
    send_url = reverse("admin:crm_audiencepack_send", args=[pack.pk])

    page = client.get(reverse("admin:crm_audiencepack_change", args=[pack.pk]), **ZH).content.decode()
    too_many = client.post(send_url, {"template": template.pk, "test_percent": 60, "holdout_percent": 50},
                           **ZH)
    response = client.post(send_url, {"template": template.pk, "test_percent": 50, "holdout_percent": 25},
                           follow=True, **ZH)

    assert f'href="{send_url}"' in page
    assert "测试组和对照组合计不能超过 100 %。" in too_many.content.decode()
    send = PackSend.objects.get()
    groups = dict(PackMember.objects.filter(send=send).order_by().values_list("group")
                  .annotate(n=Count("id")))
    assert (send.frozen_count, send.test_percent, send.holdout_percent, send.created_by) == (8, 50, 25, staff)
    assert groups == {"test": 4, "holdout": 2, "rest": 2}
    assert "已冻结 8 位会员：测试组 4 位（消息已排队），对照组 2 位（不发送），其余 2 位（放量后发送）。" in (
        response.content.decode())
    test = set(PackMember.objects.filter(send=send, group="test").values_list("user_id", flat=True))
    assert set(Message.objects.values_list("user_id", flat=True)) == test


def test_other_desks_cannot_send_a_pack(client):
    pack = pack_save(name="全部", conditions={}, operator=None)
    ops = User.objects.get(pk=UserFactory(is_staff=True).pk)
    ops.user_permissions.add(Permission.objects.get(codename="change_audiencepack"),
                             Permission.objects.get(codename="view_audiencepack"))
    client.force_login(ops)
    template = MessageTemplateFactory()

    page = client.get(reverse("admin:crm_audiencepack_change", args=[pack.pk])).content.decode()
    response = client.post(reverse("admin:crm_audiencepack_send", args=[pack.pk]),
                           {"template": template.pk, "test_percent": 100, "holdout_percent": 0})

    assert response.status_code == 403 and "crm_audiencepack_send" not in page
    assert reverse("admin:crm_audiencepack_send", args=[pack.pk]) not in page
    assert not PackSend.objects.exists()


def test_the_sends_list_shows_each_group_and_what_was_sent_and_release_needs_change(client):
    _world()
    pack = pack_save(name="活跃高消费", conditions={"stages": ["active"], "min_spend": "200"}, operator=None)
    send = pack_send(pack=pack, template=MessageTemplateFactory(), operator=None, test_percent=50,
                     holdout_percent=25, seed=3)
    client.force_login(desk_user(OPS))

    page = client.get(reverse("admin:crm_packsend_changelist"), **ZH).content.decode()

    assert "测试组 4 · 对照组 2 · 其余会员 2" in page
    assert "测试组: 0/4; 对照组: 0/2; 其余会员: 0/2" in page and "test:" not in page
    assert '<td class="field-sent">0</td>' in page  # queued, not dispatched yet
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_packsend"))
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=viewer.pk)
    assert "release" not in admin.site._registry[PackSend].get_actions(request)
    assert send.state == PackSend.State.TESTING


def test_releasing_twice_from_the_list_queues_nothing_more_and_names_the_send(client):
    _world()
    pack = pack_save(name="活跃高消费", conditions={"stages": ["active"], "min_spend": "200"}, operator=None)
    send = pack_send(pack=pack, template=MessageTemplateFactory(), operator=None, test_percent=50, seed=3)
    client.force_login(desk_user(OPS))
    release = {"action": "release", "_selected_action": [send.pk], "index": "0"}

    first = client.post(reverse("admin:crm_packsend_changelist"), release, follow=True, **ZH)
    again = client.post(reverse("admin:crm_packsend_changelist"), release, follow=True, **ZH)

    assert "已放量：其余会员的 4 条消息已排队。" in first.content.decode()
    assert f"活跃高消费 #{send.pk}: 该次发送已放量。" in again.content.decode()
    assert Message.objects.count() == 8
