"""The member's inbox (站内信), its badge on "我的", and the reach preferences."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.integrations import message_coupon
from crm.models import Contact, Message, MessageState, SourceKind
from crm.services.dispatch import outbox_dispatch_batch
from crm.services.outbox import messages_enqueue
from promotions.models import Coupon
from tests.crm.factories import MessageTemplateFactory
from tests.crm.helpers import sh
from tests.mall.factories import UserFactory
from tests.promotions.factories import CouponTemplateFactory, give

pytestmark = pytest.mark.django_db


def deliver_inbox(user, *, title="会员日", body="{nickname}，今天全场9折", link="/", source_id=1, day=5):
    template = MessageTemplateFactory(title=title, body=body, link=link)
    messages_enqueue(template=template, user_ids=[user.pk], source_kind=SourceKind.STAFF, source_id=source_id,
                     not_before=sh(day, 10))
    outbox_dispatch_batch(now=sh(day, 10))
    return Message.objects.get(user=user, source_id=source_id)


def test_me_page_shows_the_unread_badge_and_reading_clears_it(client):
    user = UserFactory(nickname="小雨")
    message = deliver_inbox(user)
    client.force_login(user)

    me = client.get(reverse("mall:me")).content.decode()
    assert 'data-testid="menu-inbox-badge">1<' in me

    page = client.get(reverse("crm:message", args=[message.pk])).content.decode()
    assert "小雨，今天全场9折" in page
    me = client.get(reverse("mall:me")).content.decode()
    assert 'data-testid="menu-inbox"' in me and "menu-inbox-badge" not in me


def test_the_me_tab_has_a_dot_while_a_message_is_unread(client):
    user = UserFactory()
    message = deliver_inbox(user)
    client.force_login(user)

    home = client.get(reverse("mall:home")).content.decode()
    me = client.get(reverse("mall:me")).content.decode()
    client.get(reverse("crm:message", args=[message.pk]))
    after = client.get(reverse("mall:home")).content.decode()

    assert 'data-testid="me-tab-dot"' in home and 'aria-label="有未读消息"' in home
    assert 'data-testid="me-tab-dot"' in me and 'data-testid="menu-inbox-badge">1<' in me
    assert 'data-testid="tab-me"' in after and "me-tab-dot" not in after


def test_no_dot_without_unread_messages_nor_for_a_visitor(client):
    user = UserFactory()
    client.force_login(user)

    member_home = client.get(reverse("mall:home")).content.decode()
    client.logout()
    visitor_home = client.get(reverse("mall:home")).content.decode()

    assert 'data-testid="tab-me"' in member_home and "me-tab-dot" not in member_home
    assert 'data-testid="tab-me"' in visitor_home and "me-tab-dot" not in visitor_home


def test_the_me_page_counts_unread_messages_once_for_the_badge_and_the_dot(client):
    user = UserFactory()
    deliver_inbox(user)
    client.force_login(user)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("mall:me"))
    counts = [q["sql"] for q in queries.captured_queries if '"crm_message"' in q["sql"]]

    assert len(counts) == 1


def test_inbox_lists_only_sent_inbox_messages_of_the_member(client):
    user, other = UserFactory(), UserFactory()
    mine = deliver_inbox(user, title="我的消息")
    deliver_inbox(other, title="别人的消息", source_id=2)
    deliver_inbox(user, title="超过上限", source_id=3)  # same day: skipped by the cap
    client.force_login(user)

    page = client.get(reverse("crm:inbox")).content.decode()

    assert "我的消息" in page and "别人的消息" not in page and "超过上限" not in page
    assert Message.objects.get(user=user, source_id=3).state == MessageState.SKIPPED_CAP
    assert mine.read_at is None


def test_another_members_message_is_404_and_not_marked_read(client):
    user, other = UserFactory(), UserFactory()
    theirs = deliver_inbox(other)
    client.force_login(user)

    assert client.get(reverse("crm:message", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("crm:message_go", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None and theirs.clicked_at is None


def test_following_a_message_records_the_click_once_and_opens_its_page(client):
    user = UserFactory()
    message = deliver_inbox(user, link="/cart/")
    client.force_login(user)

    first = client.post(reverse("crm:message_go", args=[message.pk]))
    message.refresh_from_db()
    clicked = message.clicked_at
    client.post(reverse("crm:message_go", args=[message.pk]))
    message.refresh_from_db()

    assert first.status_code == 302 and first["Location"] == "/cart/"
    assert clicked is not None and message.clicked_at == clicked and message.read_at is not None


def test_text_is_escaped_on_the_page(client):
    user = UserFactory(nickname="<script>x</script>")
    message = deliver_inbox(user)
    client.force_login(user)

    page = client.get(reverse("crm:message", args=[message.pk])).content.decode()

    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


def test_unsubscribe_from_the_page_applies_at_once(client):
    user = UserFactory()
    client.force_login(user)

    client.post(reverse("crm:preferences"), {"action": "unsubscribe"})
    template = MessageTemplateFactory()
    messages_enqueue(template=template, user_ids=[user.pk], source_kind=SourceKind.STAFF, source_id=9,
                     not_before=sh(5, 10))
    outbox_dispatch_batch(now=sh(5, 10))

    assert Contact.objects.get(pk=user.pk).unsubscribed_at is not None
    assert Message.objects.get(user=user).state == MessageState.SKIPPED_CONSENT


def test_inbox_needs_sign_in(client):
    assert client.get(reverse("crm:inbox")).status_code == 302


def test_a_message_shows_the_coupon_it_brought_and_links_to_my_coupons(client):
    user = UserFactory()
    coupon_template = CouponTemplateFactory(name="会员日满100减10")
    template = MessageTemplateFactory(title="会员日", body="送您一张券：{coupon}",
                                      coupon_template=str(coupon_template.pk))
    messages_enqueue(template=template, user_ids=[user.pk], source_kind=SourceKind.STAFF, source_id=1,
                     not_before=sh(5, 10))
    outbox_dispatch_batch(now=sh(5, 10))
    message = Message.objects.get(user=user)
    client.force_login(user)

    page = client.get(reverse("crm:message", args=[message.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = page.content.decode()

    assert Coupon.objects.filter(user=user, template=coupon_template).count() == 1
    assert f'href="{reverse("promotions:mine")}" data-testid="message-coupon"' in page
    assert 'data-testid="coupon-name">会员日满100减10<' in page
    assert "随消息赠送的优惠券" in page


def test_no_coupon_card_when_the_grant_was_refused_or_none_was_asked():
    user = UserFactory()
    last_one = CouponTemplateFactory(stock=1)
    give(last_one, user)  # the member already holds one; the stock is now gone
    template = MessageTemplateFactory(coupon_template=str(last_one.pk))
    messages_enqueue(template=template, user_ids=[user.pk], source_kind=SourceKind.STAFF, source_id=1,
                     not_before=sh(5, 10))
    outbox_dispatch_batch(now=sh(5, 10))
    refused = Message.objects.get(user=user)
    plain = deliver_inbox(UserFactory(), source_id=2)

    assert refused.state == MessageState.SENT and Coupon.objects.filter(user=user).count() == 1
    assert message_coupon(refused) is None
    assert message_coupon(plain) is None
