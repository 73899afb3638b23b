"""An unsubscribe and a dispatcher deciding for the same member take the same lock: the
unsubscribe waits for the decision in flight, and every later decision sees it (I10)."""

import threading

import pytest

from crm.models import Message, MessageState, SourceKind
from crm.services import dispatch
from crm.services.contacts import contact_unsubscribe
from crm.services.outbox import messages_enqueue
from tests.concurrency import in_thread
from tests.crm.factories import MessageTemplateFactory
from tests.crm.helpers import sh
from tests.mall.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_unsubscribe_waits_for_the_decision_in_flight_then_applies_to_the_next(monkeypatch):
    user = UserFactory()
    template = MessageTemplateFactory()
    messages_enqueue(template=template, user_ids=[user.pk], source_kind=SourceKind.PACK, source_id=1,
                     not_before=sh(5, 10))
    deciding, release = threading.Event(), threading.Event()
    original = dispatch._write

    def slow_write(*args, **kwargs):
        deciding.set()
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(dispatch, "_write", slow_write)
    sender = in_thread(lambda: dispatch.outbox_dispatch_batch(now=sh(5, 10)))
    assert deciding.wait(10)

    unsubscribe = in_thread(lambda: contact_unsubscribe(user_id=user.pk))
    waited = unsubscribe.wait_until_blocked()
    release.set()
    sender.result()
    unsubscribe.result()
    monkeypatch.setattr(dispatch, "_write", original)
    messages_enqueue(template=template, user_ids=[user.pk], source_kind=SourceKind.PACK, source_id=2,
                     not_before=sh(6, 10))
    dispatch.outbox_dispatch_batch(now=sh(6, 10))

    assert waited
    states = dict(Message.objects.values_list("source_id", "state"))
    assert states == {1: MessageState.SENT, 2: MessageState.SKIPPED_CONSENT}
