import pytest
from django.core.management import call_command

from crm.models import AudiencePack, MemberProfile, Message, MessageState, MessageTemplate, Tag
from mall.models import User

pytestmark = pytest.mark.django_db


def test_demo_puts_one_unread_message_in_xiaoyus_inbox_and_runs_twice_safely():
    User.objects.create_user("13800000001", "quanzi123", nickname="小雨")

    call_command("seed_crm_demo")
    call_command("seed_crm_demo")

    [message] = Message.objects.filter(user__phone="13800000001")
    assert (message.state, message.read_at, message.title) == (MessageState.SENT, None, "小雨，会员日到啦")
    assert MessageTemplate.objects.count() == 2
    assert (Tag.objects.count(), AudiencePack.objects.count(), MemberProfile.objects.count()) == (2, 1, 1)
