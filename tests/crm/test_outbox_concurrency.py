"""Acceptance 1 (invariant I10): 10,000 members in 5 overlapping packs and 3 SOPs, 8
concurrent dispatchers, over three Shanghai days with quiet hours in between.

Caps are set to 2 a day and 5 in 3 days so both windows bind within the three days (the
defaults, 1 a day and 7 a week, are the same code with other numbers; test_dispatch.py
covers them). Everything is checked from the rows afterwards, independently of the
dispatcher's own counting: every 1-day and every 3-day Shanghai window of every member,
no send in quiet hours, every deferred message decided once and sent after 09:00, each
provider asked once per message.
"""

import os
import time
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.test import override_settings

from crm.models import Channel, Contact, Message, MessageState, QuietPolicy, ReachSettings, SourceKind
from crm.rules import in_quiet_hours, local
from crm.services.delivery import messages_deliver
from crm.services.dispatch import outbox_dispatch_batch
from crm.services.outbox import contacts_ensure, messages_enqueue
from mall.models import User
from tests.concurrency import run_parallel
from tests.crm import recording
from tests.crm.factories import MessageTemplateFactory
from tests.crm.helpers import sh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MEMBERS = int(os.environ.get("QUANZI_CRM_RACE_MEMBERS", "10000"))  # smaller only to debug
SENDERS = 8
SHORT_CAP, LONG_CAP, LONG_DAYS = 2, 5, 3


def _members() -> list[int]:
    password = make_password(None)
    User.objects.bulk_create([User(phone=f"136{i:08d}", nickname=f"会员{i}", password=password)
                              for i in range(MEMBERS)], batch_size=5000)
    return list(User.objects.filter(phone__startswith="136").order_by("pk").values_list("pk", flat=True))


def _packs(ids: list[int]) -> list[list[int]]:
    """Five overlapping packs of 50–60 % of the members each."""
    return [[uid for n, uid in enumerate(ids) if (n * (k + 7)) % 10 < 5 + k % 2] for k in range(5)]


def _drain(now) -> list[int]:
    """8 dispatchers at once until the due queue is empty; the claims each made."""
    def sender(_i: int) -> int:
        claimed = 0
        while True:
            result = outbox_dispatch_batch(now=now, limit=200)
            messages_deliver(message_ids=result.to_deliver)
            claimed += result.claimed
            if result.claimed == 0:
                return claimed

    results = run_parallel(SENDERS, sender)
    assert all(isinstance(r, int) for r in results), results
    return results


def _enqueue_packs(templates, packs, *, day, at, only=range(5)):
    for k, members in enumerate(packs):
        if k not in only:
            continue
        messages_enqueue(template=templates[k], user_ids=members, source_kind=SourceKind.PACK, source_id=k,
                         occasion=f"d{day}", not_before=at)


def _enqueue_sops(templates, ids, *, step, at):
    for k, template in enumerate(templates):
        members = [uid for n, uid in enumerate(ids) if n % (k + 2) == 0]  # 1/2, 1/3, 1/4: overlapping
        messages_enqueue(template=template, user_ids=members, source_kind=SourceKind.SOP, source_id=k,
                         occasion=f"step{step}", not_before=at)


def _assert_caps_hold(days: list[int]) -> None:
    per_member_day: dict[int, Counter] = defaultdict(Counter)
    for uid, sent_at in Message.objects.filter(state=MessageState.SENT).values_list("user_id", "sent_at"):
        per_member_day[uid][local(sent_at).date()] += 1
    worst_day = max(max(c.values()) for c in per_member_day.values())
    all_days = sorted({d for c in per_member_day.values() for d in c})
    first = all_days[0]
    windows = [[first + timedelta(days=s + j) for j in range(LONG_DAYS)]
               for s in range(-LONG_DAYS + 1, len(days))]
    worst_window = max(sum(c[d] for d in w) for c in per_member_day.values() for w in windows)
    assert worst_day <= SHORT_CAP, worst_day
    assert worst_window <= LONG_CAP, worst_window
    assert worst_day == SHORT_CAP and worst_window == LONG_CAP  # the caps were really reached


@override_settings(SMS_BACKEND="tests.crm.recording.RecordingSMSBackend",
                   CRM_WECHAT_CLIENT="tests.crm.recording.RecordingWeChatClient")
def test_eight_senders_never_exceed_the_caps_nor_send_in_quiet_hours():
    started = time.monotonic()
    ReachSettings.get_solo()
    ReachSettings.objects.update(short_cap=SHORT_CAP, short_days=1, long_cap=LONG_CAP, long_days=LONG_DAYS)
    ids = _members()
    packs = _packs(ids)
    pack_templates = [MessageTemplateFactory(channel=[Channel.INBOX, Channel.SMS, Channel.WECHAT][k % 3],
                                             wechat_template_id="TPL", quiet_policy=QuietPolicy.DEFER)
                      for k in range(5)]
    sop_templates = [MessageTemplateFactory(quiet_policy=QuietPolicy.DEFER),
                     MessageTemplateFactory(channel=Channel.SMS, quiet_policy=QuietPolicy.DEFER),
                     MessageTemplateFactory(quiet_policy=QuietPolicy.DROP)]
    contacts_ensure(user_ids=ids)
    openid = Concat(Value("o-"), Cast("user_id", CharField()))
    consenting = Contact.objects.filter(pk__in=ids[::2])
    consenting.update(sms_consent=True, wechat_consent=True, wechat_openid=openid)
    recording.calls.clear()

    # day 5: packs and SOP step 1 at 10:00; SOP step 2 fires at 22:00 (quiet hours)
    _enqueue_packs(pack_templates, packs, day=5, at=sh(5, 10))
    _enqueue_sops(sop_templates, ids, step=1, at=sh(5, 10))
    _drain(sh(5, 10))
    _enqueue_sops(sop_templates, ids, step=2, at=sh(5, 22))
    _drain(sh(5, 22))
    night = Message.objects.filter(source_kind=SourceKind.SOP, dedupe_key__contains=":step2:")
    deferred_ids = set(night.filter(state=MessageState.QUEUED).values_list("pk", flat=True))
    assert night.filter(state=MessageState.SENT).count() == 0
    assert len(deferred_ids) > 0 and night.filter(state=MessageState.DROPPED_QUIET).exists()
    _drain(sh(6, 8, 59))  # still quiet: nothing is due yet
    assert Message.objects.filter(pk__in=deferred_ids, state=MessageState.QUEUED).count() == len(deferred_ids)

    # day 6 09:00: the deferred messages go out, once; then packs again at noon; day 7 packs
    _drain(sh(6, 9))
    _drain(sh(6, 9, 30))
    _enqueue_packs(pack_templates, packs, day=6, at=sh(6, 12), only=(1, 2))
    _drain(sh(6, 12))
    _enqueue_packs(pack_templates, packs, day=7, at=sh(7, 11), only=(0, 3))
    _drain(sh(7, 11))

    # then: nothing left due, every window of every member within the caps
    assert not Message.objects.filter(state=MessageState.QUEUED).exists()
    _assert_caps_hold([5, 6, 7])
    sent = Message.objects.filter(state=MessageState.SENT)
    reach = ReachSettings.get_solo()
    assert not [m for m in sent.values_list("sent_at", flat=True)
                if in_quiet_hours(m, start=reach.quiet_start, end=reach.quiet_end)]
    deferred = Message.objects.filter(pk__in=deferred_ids)
    assert deferred.filter(state=MessageState.SENT).count() == len(deferred_ids)  # every one, after 09:00
    assert set(deferred.values_list("sent_at", flat=True)) == {sh(6, 9)}
    assert set(deferred.values_list("deferred_count", flat=True)) == {1}
    # each provider asked exactly once per external message sent
    sms_sent = set(sent.filter(channel=Channel.SMS).values_list("pk", flat=True))
    sms_calls = {k[1]: n for k, n in recording.calls.items() if k[0] == "sms"}
    assert {int(k) for k in sms_calls} == sms_sent and set(sms_calls.values()) == {1}
    wechat_calls = sum(n for k, n in recording.calls.items() if k[0] == "wechat")
    assert wechat_calls == sent.filter(channel=Channel.WECHAT).count() > 0
    print(f"{Message.objects.count()} messages, {sent.count()} sent, {time.monotonic() - started:.1f} s")
    connection.close()
