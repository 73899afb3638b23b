"""Two beat runs at once (PostgreSQL): SOP entry and step queueing are settled by the
database (unique constraints, the outbox's dedupe key), not by the runs taking turns."""

from datetime import date, time

import pytest

from crm.models import Message, Sop, SopEnrollment, SopStep, SourceKind, Trigger
from crm.services.profiles import profiles_compute
from crm.services.sops import sops_run
from tests.concurrency import run_parallel
from tests.crm.factories import MessageTemplateFactory
from tests.crm.helpers import sh
from tests.mall.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_runs_at_once_enroll_and_queue_each_member_once():
    users = [UserFactory(date_joined=sh(1, 15)) for _ in range(30)]
    profiles_compute(today=date(2026, 12, 2))
    for name in ("A", "B"):
        sop = Sop.objects.create(name=name, conditions={"stages": ["new"]}, is_active=True)
        SopStep.objects.create(sop=sop, trigger=Trigger.JOINED, day=1, send_time=time(10),
                               template=MessageTemplateFactory())

    results = run_parallel(4, lambda _i: sops_run(now=sh(2, 10)))

    assert [r for r in results if isinstance(r, Exception)] == []
    first = Sop.objects.get(name="A")
    assert sorted(SopEnrollment.objects.filter(is_active=True).values_list("sop_id", "user_id")) == sorted(
        (first.pk, u.pk) for u in users)
    sent_to = list(Message.objects.filter(source_kind=SourceKind.SOP).values_list("user_id", flat=True))
    assert sorted(sent_to) == sorted(u.pk for u in users)
