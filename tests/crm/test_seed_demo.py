from datetime import time

import pytest
from django.core.management import call_command

from crm.models import (
    AudiencePack,
    MemberProfile,
    Message,
    MessageState,
    MessageTemplate,
    ProductCycle,
    RepurchaseSettings,
    Sop,
    Tag,
)
from mall.models import User
from tests.mall.factories import SKUFactory

pytestmark = pytest.mark.django_db


def test_demo_puts_one_unread_message_in_xiaoyus_inbox_and_runs_twice_safely():
    User.objects.create_user("13800000001", "quanzi123", nickname="小雨")

    call_command("seed_crm_demo")
    call_command("seed_crm_demo")

    [message] = Message.objects.filter(user__phone="13800000001")
    assert (message.state, message.read_at, message.title) == (MessageState.SENT, None, "小雨，会员日到啦")
    assert MessageTemplate.objects.count() == 4
    [sop] = Sop.objects.all()
    assert (sop.name, sop.is_active, sop.conditions) == ("新客7天欢迎", True, {"stages": ["new"]})
    assert list(sop.steps.values_list("trigger", "day", "send_time", "template__name")) == [
        ("joined", 0, time(10), "新客欢迎·第0天"), ("joined", 3, time(10), "新客欢迎·第3天")]
    assert RepurchaseSettings.get_solo().template.name == "复购提醒（短信）"
    assert (Tag.objects.filter(rule_key="").count(), AudiencePack.objects.count(),
            MemberProfile.objects.count()) == (2, 1, 1)
    assert list(Tag.objects.exclude(rule_key="").values_list("rule_key", "name")) == [("first:no", "未下单")]


def test_demo_gives_the_wipes_a_15_day_cycle_unless_staff_set_one():
    User.objects.create_user("13800000001", "quanzi123", nickname="小雨")
    wipes = SKUFactory(product__title="小象宝贝 婴儿手口专用湿巾 80抽").product

    call_command("seed_crm_demo")
    assert (ProductCycle.objects.get(product=wipes).override_days, ProductCycle.objects.count()) == (15, 1)

    ProductCycle.objects.filter(product=wipes).update(override_days=20)
    call_command("seed_crm_demo")
    assert ProductCycle.objects.get(product=wipes).cycle_days == 20
