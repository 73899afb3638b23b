from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from crm.errors import SopStepsTooClose
from crm.models import Message, MessageState, Sop, SopEnrollment, SopStep, SourceKind, Trigger
from crm.reports import message_status, sop_step_figures
from crm.services.dispatch import outbox_dispatch_batch
from crm.services.outbox import messages_enqueue
from crm.services.profiles import profiles_compute
from crm.services.sops import sop_create, sops_run, steps_check
from tests.crm.audience_world import paid_order
from tests.crm.factories import MessageTemplateFactory
from tests.crm.helpers import sh
from tests.distribution.factories import MemberFactory
from tests.mall.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


def _welcome(*, owner=None, name="新客欢迎", steps=((0, time(10)), (3, time(10)))):
    sop = Sop.objects.create(name=name, owner=owner, conditions={"stages": ["new"]}, is_active=True)
    for position, (day, at) in enumerate(steps):
        SopStep.objects.create(sop=sop, position=position, trigger=Trigger.JOINED, day=day, send_time=at,
                               template=MessageTemplateFactory())
    return sop


def _sop_messages():
    return list(Message.objects.filter(source_kind=SourceKind.SOP).order_by("source_id", "user_id")
                .values_list("source_id", "user_id", "not_before"))


def test_a_member_is_in_one_active_sop_per_owner():
    reseller = MemberFactory(is_reseller=True, user__date_joined=sh(1, 8, month=8))  # 流失: enters none
    customer = MemberFactory(parent=reseller, user__date_joined=sh(1, 15))
    loner = UserFactory(date_joined=sh(1, 15))
    profiles_compute(today=date(2026, 12, 2))
    first, second = _welcome(name="A"), _welcome(name="B")
    mine = _welcome(owner=reseller.user, name="C")

    sops_run(now=sh(2, 3))
    sops_run(now=sh(2, 4))

    enrolled = set(SopEnrollment.objects.filter(is_active=True).values_list("sop_id", "user_id"))
    assert enrolled == {(first.pk, customer.user_id), (first.pk, loner.pk), (mine.pk, customer.user_id)}
    assert second.pk not in {sop for sop, _ in enrolled}
    with pytest.raises(IntegrityError), transaction.atomic():
        SopEnrollment.objects.create(sop=second, user=loner, owner_key=0, enrolled_at=sh(2, 5))


def test_switching_an_sop_off_lets_its_members_enter_the_next_one():
    user = UserFactory(date_joined=sh(1, 15))
    profiles_compute(today=date(2026, 12, 2))
    first, second = _welcome(name="A"), _welcome(name="B")
    sops_run(now=sh(2, 3))
    Sop.objects.filter(pk=first.pk).update(is_active=False)

    sops_run(now=sh(2, 4))

    assert list(SopEnrollment.objects.filter(is_active=True).values_list("sop_id", "user_id")) == [
        (second.pk, user.pk)]


def test_steps_of_one_kind_must_be_30_minutes_apart():
    template = MessageTemplateFactory()

    def step(trigger=Trigger.JOINED, **kw):
        return SopStep(trigger=trigger, template=template, **kw)

    steps_check(steps=[step(day=0, send_time=time(10)), step(day=0, send_time=time(10, 30)),
                 step(trigger=Trigger.FIRST_ORDER, day=0, send_time=time(10, 5))])
    with pytest.raises(SopStepsTooClose) as exc:
        steps_check(steps=[step(day=1, send_time=time(10)), step(day=1, send_time=time(10, 29))])
    with pytest.raises(SopStepsTooClose):  # Sunday 23:50 and Monday 00:10: 20 minutes around the week
        steps_check(steps=[step(Trigger.WEEKLY, weekday=7, send_time=time(23, 50)),
                     step(Trigger.WEEKLY, weekday=1, send_time=time(0, 10))])
    with translation.override("zh-hans"):
        assert str(exc.value.message) == "同一个 SOP 的步骤之间至少间隔 30 分钟。"


def test_admin_refuses_steps_closer_than_30_minutes(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    template = MessageTemplateFactory()
    data = {"name": "欢迎", "conditions": '{"stages": ["new"]}', "is_active": "on",
            "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000"}
    for i, at in enumerate(("10:00", "10:10")):
        data |= {f"steps-{i}-position": i, f"steps-{i}-trigger": "joined", f"steps-{i}-day": "0",
                 f"steps-{i}-send_time": at, f"steps-{i}-template": template.pk}

    with translation.override("zh-hans"):
        response = client.post("/admin/crm/sop/add/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert "同一个 SOP 的步骤之间至少间隔 30 分钟。" in response.content.decode()
    assert Sop.objects.count() == 0


def test_due_steps_are_queued_once_however_often_the_task_runs():
    user = UserFactory(date_joined=sh(1, 15))
    profiles_compute(today=date(2026, 12, 2))
    sop = _welcome()
    day0, day3 = sop.steps.all()

    sops_run(now=sh(2, 3))
    sops_run(now=sh(2, 3, 5))
    assert _sop_messages() == [(day0.pk, user.pk, sh(1, 10))]

    for moment in (sh(4, 9, 55), sh(4, 10), sh(4, 10, 5), sh(4, 12)):
        sops_run(now=moment)
    sops_run(now=sh(7, 10))

    assert _sop_messages() == [(day0.pk, user.pk, sh(1, 10)), (day3.pk, user.pk, sh(4, 10))]
    assert not SopEnrollment.objects.filter(is_active=True).exists()  # day 3 + 2 is behind them


def test_first_order_steps_count_from_the_first_paid_order():
    user = UserFactory(date_joined=sh(1, 8))
    shop = ShopFactory()
    paid_order(user, shop, "50.00", sh(1, 20))
    profiles_compute(today=date(2026, 12, 2))
    sop = Sop.objects.create(name="首单关怀", conditions={"stages": ["new"]}, is_active=True)
    step = SopStep.objects.create(sop=sop, trigger=Trigger.FIRST_ORDER, day=1, send_time=time(11),
                                  template=MessageTemplateFactory())

    sops_run(now=sh(2, 10, 59))
    assert _sop_messages() == []
    sops_run(now=sh(2, 11))
    assert _sop_messages() == [(step.pk, user.pk, sh(2, 11))]


def test_step_figures_come_from_the_outbox_rows():
    shop = ShopFactory()
    reader, plain, capped = (UserFactory(date_joined=sh(1, 15)) for _ in range(3))
    profiles_compute(today=date(2026, 12, 2))
    messages_enqueue(template=MessageTemplateFactory(), user_ids=[capped.pk], source_kind=SourceKind.STAFF,
                     source_id=None, occasion="x", not_before=sh(2, 9, 30))
    outbox_dispatch_batch(now=sh(2, 9, 30))
    sop = _welcome(steps=((1, time(10)),))
    [step] = sop.steps.all()

    sops_run(now=sh(2, 10))
    outbox_dispatch_batch(now=sh(2, 10))
    Message.objects.filter(source_kind=SourceKind.SOP, user=reader).update(read_at=sh(2, 11),
                                                                           clicked_at=sh(2, 11))
    paid_order(reader, shop, "80.00", sh(5, 12))
    paid_order(plain, shop, "80.00", sh(10, 12))  # after 7 days: not a conversion

    figures = sop_step_figures(step_ids=[step.pk])[step.pk]
    assert figures == {"members": 3, "queued": 0, "deferred": 0, "sent": 2, "delivered": 2, "read": 1,
                       "clicked": 1, "converted": 1, "skipped_cap": 1, "not_sent_other": 0}
    statuses = {m.user_id: message_status(m, converted=m.user_id == reader.pk)
                for m in Message.objects.filter(source_kind=SourceKind.SOP)}
    assert statuses == {reader.pk: "converted", plain.pk: "delivered", capped.pk: MessageState.SKIPPED_CAP}


def test_a_step_in_quiet_hours_is_counted_as_deferred():
    UserFactory(date_joined=sh(1, 15))
    profiles_compute(today=date(2026, 12, 2))
    sop = _welcome(steps=((1, time(22)),))
    [step] = sop.steps.all()

    sops_run(now=sh(2, 22))
    outbox_dispatch_batch(now=sh(2, 22))

    figures = sop_step_figures(step_ids=[step.pk])[step.pk]
    assert (figures["members"], figures["deferred"], figures["queued"], figures["sent"]) == (1, 1, 1, 0)
    assert Message.objects.get().not_before == sh(2, 22) + timedelta(hours=11)


def test_sop_create_checks_the_spacing_and_saves_nothing_when_refused():
    template = MessageTemplateFactory()
    with pytest.raises(SopStepsTooClose):
        sop_create(name="太密", conditions={"stages": ["new"]}, steps=[
            SopStep(trigger=Trigger.DATE, on_date=sh(8, 0).date(), send_time=time(9), template=template),
            SopStep(trigger=Trigger.DATE, on_date=sh(8, 0).date(), send_time=time(9, 20), template=template)])
    assert (Sop.objects.count(), SopStep.objects.count()) == (0, 0)


def test_the_sop_page_shows_each_steps_figures_and_links_to_its_messages(client):
    UserFactory(date_joined=sh(1, 15))
    profiles_compute(today=date(2026, 12, 2))
    sop = _welcome(steps=((1, time(10)),))
    [step] = sop.steps.all()
    sops_run(now=sh(2, 10))
    outbox_dispatch_batch(now=sh(2, 10))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    with translation.override("zh-hans"):
        page = client.get(f"/admin/crm/sop/{sop.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        messages = client.get(f"/admin/crm/message/?source_kind=sop&source_id={step.pk}")

    assert f'/admin/crm/message/?source_kind=sop&amp;source_id={step.pk}"' in page
    assert "<th>触达</th><th>已发送</th><th>已送达</th>" in page
    assert "<td>1</td><td>1</td><td>1</td><td>0</td>" in page  # reached, sent, delivered, read
    assert messages.status_code == 200
    assert list(messages.context["cl"].result_list) == list(Message.objects.filter(source_id=step.pk))
