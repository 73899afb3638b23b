"""The dispatcher's decisions, one process (the races are in test_outbox_concurrency.py)."""

from datetime import time, timedelta

import pytest

from crm.channels import wechat
from crm.models import (
    Channel,
    Contact,
    Delivery,
    Message,
    MessageState,
    QuietPolicy,
    ReachSettings,
    SourceKind,
)
from crm.services.contacts import contact_set_consent, contact_unsubscribe
from crm.services.delivery import deliveries_reap, messages_deliver
from crm.services.dispatch import outbox_dispatch_batch
from crm.services.outbox import messages_enqueue
from crm.tasks import dispatch_outbox, outbox_drain
from mall.sms import backends as sms
from tests.crm.factories import MessageTemplateFactory
from tests.crm.helpers import sh
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db


def enqueue(template, users, *, source_id=1, at=None, occasion=""):
    return messages_enqueue(template=template, user_ids=[u.pk for u in users], source_kind=SourceKind.PACK,
                            source_id=source_id, occasion=occasion, not_before=at, values={"product": "牛奶"})


def states(user):
    return list(Message.objects.filter(user=user).order_by("id").values_list("state", flat=True))


def test_enqueue_renders_per_member_and_is_idempotent():
    user = UserFactory(nickname="小雨")
    template = MessageTemplateFactory()

    enqueue(template, [user], at=sh(5, 10))
    enqueue(template, [user], at=sh(5, 10))  # a retried enqueue

    message = Message.objects.get(user=user)
    assert (message.title, message.body) == ("小雨，新品上架", "亲爱的小雨，您关注的牛奶到货了。")
    assert Contact.objects.filter(pk=user.pk).exists()


def test_one_a_day_second_message_is_skipped_by_the_cap():
    user = UserFactory()
    a, b = MessageTemplateFactory(), MessageTemplateFactory()
    enqueue(a, [user], source_id=1, at=sh(5, 10))
    enqueue(b, [user], source_id=2, at=sh(5, 10))

    result = outbox_dispatch_batch(now=sh(5, 10))

    assert result.outcomes == {MessageState.SENT: 1, MessageState.SKIPPED_CAP: 1}
    assert states(user) == [MessageState.SENT, MessageState.SKIPPED_CAP]


def set_caps(**caps):
    ReachSettings.get_solo()
    ReachSettings.objects.update(**caps)


def test_seven_in_any_seven_shanghai_days():
    set_caps(short_cap=2)  # 2 a day, 7 a week
    user = UserFactory()
    template = MessageTemplateFactory()
    for day in (1, 2, 3, 4, 5, 8):  # two messages due each of these days at noon
        for n in (1, 2):
            enqueue(template, [user], occasion=f"{day}-{n}", at=sh(day, 12))
        outbox_dispatch_batch(now=sh(day, 12))

    sent = Message.objects.filter(user=user, state=MessageState.SENT)
    per_day = [sent.filter(sent_at__gte=sh(d, 0), sent_at__lt=sh(d, 23, 59)).count()
               for d in (1, 2, 3, 4, 5, 8)]
    assert per_day == [2, 2, 2, 1, 0, 2]  # the 4th day makes 7; Dec 2..8 holds 2+2+1+2 = 7


def test_staff_caps_apply_from_the_next_decision():
    set_caps(short_cap=2)
    user = UserFactory()
    for source in (1, 2, 3):
        enqueue(MessageTemplateFactory(), [user], source_id=source, at=sh(5, 10))

    outbox_dispatch_batch(now=sh(5, 10))

    assert states(user) == [MessageState.SENT, MessageState.SENT, MessageState.SKIPPED_CAP]


def test_quiet_hours_defer_once_then_send_after_nine():
    user = UserFactory()
    enqueue(MessageTemplateFactory(quiet_policy=QuietPolicy.DEFER), [user], at=sh(5, 21, 30))

    night = outbox_dispatch_batch(now=sh(5, 21, 30))
    again = outbox_dispatch_batch(now=sh(5, 23))  # nothing due before 09:00
    early = outbox_dispatch_batch(now=sh(6, 8, 59))
    morning = outbox_dispatch_batch(now=sh(6, 9))
    later = outbox_dispatch_batch(now=sh(6, 12))

    message = Message.objects.get(user=user)
    assert (night.deferred, again.claimed, early.claimed, morning.claimed, later.claimed) == (1, 0, 0, 1, 0)
    assert (message.state, message.sent_at, message.deferred_count) == (MessageState.SENT, sh(6, 9), 1)


def test_quiet_hours_drop_policy_drops():
    user = UserFactory()
    enqueue(MessageTemplateFactory(quiet_policy=QuietPolicy.DROP), [user], at=sh(5, 22))

    outbox_dispatch_batch(now=sh(5, 22))
    outbox_dispatch_batch(now=sh(6, 10))

    assert states(user) == [MessageState.DROPPED_QUIET]
    assert Message.objects.get(user=user).sent_at is None


def test_unsubscribe_takes_effect_on_messages_already_queued():
    user = UserFactory()
    enqueue(MessageTemplateFactory(), [user], at=sh(5, 10))

    contact_unsubscribe(user_id=user.pk)
    outbox_dispatch_batch(now=sh(5, 10))

    assert states(user) == [MessageState.SKIPPED_CONSENT]


def test_sms_needs_consent_and_goes_through_the_sms_backend_once():
    user, other = UserFactory(phone="13912345678"), UserFactory()
    template = MessageTemplateFactory(channel=Channel.SMS, body="{nickname}，会员日全场9折")
    enqueue(template, [user, other], at=sh(5, 10))
    contact_set_consent(user_id=user.pk, channel=Channel.SMS, allowed=True)
    sms.outbox.clear()

    result = outbox_dispatch_batch(now=sh(5, 10))
    messages_deliver(message_ids=result.to_deliver)
    messages_deliver(message_ids=result.to_deliver)  # a retried task

    assert [(m.phone, m.text) for m in sms.outbox] == [
        ("13912345678", f"【圈子】{user.nickname}，会员日全场9折 拒收请回复R")]
    assert states(other) == [MessageState.SKIPPED_CONSENT]
    assert Message.objects.get(user=user).delivery == Delivery.DELIVERED


def test_wechat_sandbox_gets_the_subscribe_request_shape_and_a_refusal_revokes_consent():
    ok, refused = UserFactory(), UserFactory()
    template = MessageTemplateFactory(channel=Channel.WECHAT, wechat_template_id="TPL123", link="/p/1/")
    contact_set_consent(user_id=ok.pk, channel=Channel.WECHAT, allowed=True, wechat_openid="o-ok")
    contact_set_consent(user_id=refused.pk, channel=Channel.WECHAT, allowed=True, wechat_openid="refused-1")
    enqueue(template, [ok, refused], at=sh(5, 10))
    wechat.sandbox_sent.clear()

    result = outbox_dispatch_batch(now=sh(5, 10))
    messages_deliver(message_ids=result.to_deliver)

    [body] = wechat.sandbox_sent
    assert body["touser"] == "o-ok" and body["template_id"] == "TPL123" and body["page"] == "/p/1/"
    assert set(body["data"]) == {"thing1", "thing2"}
    assert body["lang"] == "zh_CN"
    assert Message.objects.get(user=refused).delivery == Delivery.FAILED
    assert Contact.objects.get(pk=refused.pk).wechat_consent is False


def test_a_worker_dying_before_commit_leaves_the_batch_queued(monkeypatch):
    user = UserFactory()
    enqueue(MessageTemplateFactory(), [user], at=sh(5, 10))

    def boom(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr("crm.services.dispatch._write", boom)
    with pytest.raises(RuntimeError):
        outbox_dispatch_batch(now=sh(5, 10))
    monkeypatch.undo()

    assert states(user) == [MessageState.QUEUED]
    assert outbox_dispatch_batch(now=sh(5, 10)).outcomes == {MessageState.SENT: 1}


def test_reaper_never_resends_a_message_the_provider_may_have():
    user = UserFactory()
    contact_set_consent(user_id=user.pk, channel=Channel.SMS, allowed=True)
    enqueue(MessageTemplateFactory(channel=Channel.SMS), [user], at=sh(5, 10))
    outbox_dispatch_batch(now=sh(5, 10))
    Message.objects.update(delivery=Delivery.SENDING)  # the worker died while the provider had it
    sms.outbox.clear()

    result = deliveries_reap(now=sh(5, 10) + timedelta(minutes=11))

    assert result["lost"] == 1 and sms.outbox == []
    assert Message.objects.get().delivery == Delivery.LOST


def test_a_message_with_a_coupon_grants_it_once_through_promotions():
    from promotions.models import Coupon
    from tests.promotions.factories import CouponTemplateFactory

    coupon_template = CouponTemplateFactory(name="满99减10")
    user = UserFactory(nickname="小雨")
    template = MessageTemplateFactory(body="{nickname}，送你{coupon}",
                                      coupon_template=str(coupon_template.pk))
    enqueue(template, [user], at=sh(5, 10))

    outbox_dispatch_batch(now=sh(5, 10))

    message = Message.objects.get(user=user)
    assert message.state == MessageState.SENT and message.body == "小雨，送你满99减10"
    coupon = Coupon.objects.get(user=user)
    assert (coupon.template_id, coupon.source, coupon.grant_key) == (coupon_template.pk, "message",
                                                                     f"crm-message-{message.pk}")
    from crm.integrations import coupon_grant_for_messages

    coupon_grant_for_messages([message])  # a retried grant (a re-run dispatch) gives nothing more
    assert Coupon.objects.filter(user=user).count() == 1


def test_a_run_bounded_by_max_batches_stops_there_and_the_next_run_takes_the_rest():
    """The fan-out of a backlog (bench_crm): each task decides at most ``max_batches``
    claims; one that finds the queue empty decides nothing."""
    ReachSettings.get_solo()
    ReachSettings.objects.update(quiet_start=time(0), quiet_end=time(0))  # decided at any hour
    users = UserFactory.create_batch(5)
    enqueue(MessageTemplateFactory(), users)

    first = outbox_drain(limit=2, max_batches=2)
    assert first == 4
    assert Message.objects.filter(state=MessageState.QUEUED).count() == 1

    assert dispatch_outbox(max_batches=3) == 1
    assert dispatch_outbox(max_batches=3) == 0
    assert Message.objects.filter(state=MessageState.SENT).count() == 5
