"""The churn digest against a hand-built fixture: who became 沉睡 / 流失 on a day, by owner.

Defaults: asleep from 30 days without an order, lost from 90. Profiles are computed on
Dec 4 and Dec 5; the digest of Dec 5 lists the changes found that day:

- a (under R1), last order Nov 5: Dec 4 29 days 新客, Dec 5 30 days → 沉睡
- b (under R1), last order Sep 6: Dec 4 89 days 沉睡, Dec 5 90 days → 流失
- c (under R2), last order Nov 5 → 沉睡
- d (no upline: the platform), last order Sep 6 → 流失
- e (under R1 in the tree, owned by R2 after a handover), last order Nov 5 → 沉睡
- f (under R1), last order Oct 1: 沉睡 both days → not listed
- g (under R1, 活跃 → 活跃): not listed
So: platform 0 asleep 1 lost (d); R1 1 asleep 1 lost (a, b); R2 2 asleep 0 lost (c, e).
"""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from config.roles import OPS
from crm.models import ChurnDigest, CustomerOwner, Stage, StageChange
from crm.services.digest import churn_digest, churn_digest_send
from crm.services.profiles import profiles_compute
from crm.tasks import send_churn_digest
from tests.console.roles_helpers import desk_user
from tests.crm.audience_world import paid_order
from tests.crm.helpers import sh
from tests.distribution.factories import MemberFactory
from tests.mall.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db
DEC4, DEC5 = date(2026, 12, 4), date(2026, 12, 5)


@pytest.fixture
def churned():
    shop = ShopFactory()
    r1, r2 = MemberFactory(is_reseller=True), MemberFactory(is_reseller=True)
    a, b, e, f, g = (MemberFactory(parent=r1, place=False).user for _ in range(5))
    c = MemberFactory(parent=r2, place=False).user
    d = MemberFactory().user
    for user in (a, c, e):
        paid_order(user, shop, "10.00", sh(5, 12, month=11))
    for user in (b, d):
        paid_order(user, shop, "10.00", sh(6, 12, month=9))
    paid_order(f, shop, "10.00", sh(1, 12, month=10))
    paid_order(g, shop, "10.00", sh(1, 12))
    paid_order(g, shop, "10.00", sh(2, 12))
    CustomerOwner.objects.create(customer=e, owner=r2.user, since=sh(1, 12))
    profiles_compute(today=DEC4)
    profiles_compute(today=DEC5)
    return {"r1": r1.user, "r2": r2.user, "a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def test_the_daily_computation_logs_each_change_once(churned):
    profiles_compute(today=DEC5)  # a second run the same day adds nothing and loses nothing

    changes = {(row.user_id, row.from_stage, row.to_stage) for row in StageChange.objects.filter(day=DEC5)}
    w = churned
    assert changes == {(w["a"].pk, Stage.NEW, Stage.ASLEEP), (w["b"].pk, Stage.ASLEEP, Stage.LOST),
                       (w["c"].pk, Stage.NEW, Stage.ASLEEP), (w["d"].pk, Stage.ASLEEP, Stage.LOST),
                       (w["e"].pk, Stage.NEW, Stage.ASLEEP)}
    assert not StageChange.objects.filter(day=DEC4).exists()  # no history before the first run


def test_the_digest_groups_by_owner_with_hand_computed_figures(churned):
    w = churned
    groups = churn_digest(day=DEC5)

    assert [(g.owner_id, g.asleep, g.lost, [m.user_id for m in g.members]) for g in groups] == [
        (None, 0, 1, [w["d"].pk]),
        (w["r1"].pk, 1, 1, [w["a"].pk, w["b"].pk]),
        (w["r2"].pk, 2, 0, sorted([w["c"].pk, w["e"].pk])),
    ]
    assert all("****" in m.phone for g in groups for m in g.members)
    assert churn_digest(day=DEC4) == []


def test_the_morning_mail_goes_out_once(churned, settings):
    settings.CRM_DIGEST_RECIPIENTS = ["ops@example.com", "Boss <boss@example.com>"]

    assert churn_digest_send(day=DEC5) is True
    assert churn_digest_send(day=DEC5) is False

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ops@example.com", "Boss <boss@example.com>"]
    assert message.subject == "2026-12-05 流失日报：5 位会员转为沉睡或流失"
    assert "平台: 沉睡 0 人，流失 1 人" in message.body
    assert f"#{churned['r1'].pk}): 沉睡 1 人，流失 1 人" in message.body
    digest = ChurnDigest.objects.get()
    assert (digest.day, digest.recipients, digest.members, digest.sent_at is not None) == (DEC5, 2, 5, True)


def test_the_beat_task_reads_yesterday(settings):
    settings.CRM_DIGEST_RECIPIENTS = ["ops@example.com"]
    assert send_churn_digest.apply().get() is True
    assert send_churn_digest.apply().get() is False
    assert len(mail.outbox) == 1
    assert "没有会员转为沉睡或流失。" in mail.outbox[0].body


def test_the_digest_page_for_staff(churned, client):
    client.force_login(desk_user(OPS))
    response = client.get(reverse("admin:crm_stagechange_digest"), {"day": "2026-12-05"})

    assert response.status_code == 200
    assert [(g.asleep, g.lost) for g in response.context["groups"]] == [(0, 1), (1, 1), (2, 0)]
    assert churned["d"].phone not in response.content.decode()


def test_the_digest_page_is_refused_to_a_member(client):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:crm_stagechange_digest")).status_code == 302
