"""Report figures against hand-built messages and orders, counted by hand."""

from datetime import date, timedelta

import pytest

from crm.models import Channel, Message, MessageState, SourceKind
from crm.reports import reach_funnel, volume_per_member
from tests.crm.audience_world import paid_order
from tests.crm.factories import MessageTemplateFactory
from tests.crm.helpers import sh
from tests.mall.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


def message(user, *, sent_at, channel=Channel.INBOX, source_id=1, read=False, clicked=False, n=[0]):  # noqa: B006
    n[0] += 1
    return Message.objects.create(
        user=user, template=MessageTemplateFactory(channel=channel), channel=channel, quiet_policy="defer",
        title="t", body="b", source_kind=SourceKind.PACK, source_id=source_id, dedupe_key=f"k{n[0]}",
        state=MessageState.SENT, sent_at=sent_at, read_at=sent_at if read else None,
        clicked_at=sent_at if clicked else None)


def test_volume_per_member_counts_shanghai_days_of_the_week():
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    for day in (1, 2, 3):
        message(a, sent_at=sh(day, 10))
    message(b, sent_at=sh(7, 23, 59))  # still Dec 7 in Shanghai: inside the week Dec 1..7
    message(c, sent_at=sh(8, 0, 1))  # Dec 8: the next week

    assert volume_per_member(start=date(2026, 12, 1)) == {1: 1, 3: 1}


def test_funnel_by_channel_and_by_pack_with_conversion_within_seven_days():
    shop = ShopFactory()
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    message(a, sent_at=sh(1, 10), read=True, clicked=True, source_id=1)
    message(b, sent_at=sh(1, 10), read=True, source_id=1)
    message(c, sent_at=sh(1, 10), channel=Channel.SMS, source_id=2)
    paid_order(a, shop, "50.00", sh(3, 10))  # 2 days after: converted
    paid_order(b, shop, "50.00", sh(1, 10) - timedelta(hours=1))  # before the message: not
    paid_order(c, shop, "50.00", sh(8, 10, 1))  # 7 days and a minute after: not

    assert reach_funnel(group_by="channel") == {
        Channel.INBOX: {"sent": 2, "read": 2, "clicked": 1, "converted": 1},
        Channel.SMS: {"sent": 1, "read": 0, "clicked": 0, "converted": 0}}
    assert reach_funnel(group_by="source_id", source_kind=SourceKind.PACK)[1]["converted"] == 1
