"""Customer handover: 100 per batch, 24 h refusal, completion once, 2 per 90 days, history."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from crm import errors
from crm.models import CustomerOwner, CustomerTransfer, Message, TransferState
from crm.services.handover import (
    customer_transfer_refuse,
    customer_transfers_complete,
    customers_of,
    customers_transfer,
    handover_candidates,
    owner_of,
)
from crm.tasks import complete_customer_transfers
from tests.crm.handover_world import world
from tests.distribution.factories import MemberFactory
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0)


def move(w, ids, *, at=T0, to=None, frm=None, reason="店主离职"):
    return customers_transfer(customer_ids=ids, from_owner_id=frm if frm is not None else w.old.user_id,
                              to_owner_id=to if to is not None else w.new.user_id, staff_id=w.staff.pk,
                              reason=reason, now=at)


def test_owner_is_derived_from_attribution_until_materialised():
    w = world(2)
    plain_parent = MemberFactory()  # not a reseller
    orphan = MemberFactory(parent=plain_parent, place=False)

    assert owner_of(customer_id=w.ids[0]) == w.old.user_id
    assert owner_of(customer_id=orphan.user_id) is None  # the platform
    assert set(customers_of(owner_id=w.old.user_id).values_list("pk", flat=True)) == set(w.ids)
    assert orphan.user_id in set(customers_of(owner_id=None).values_list("pk", flat=True))
    assert CustomerOwner.objects.count() == 0


def test_a_transfer_is_pending_with_an_inbox_notice_and_completes_after_24_hours(
        django_capture_on_commit_callbacks):
    w = world(2)
    with django_capture_on_commit_callbacks(execute=True):
        made = move(w, w.ids)

    assert [t.state for t in made] == [TransferState.PENDING] * 2
    assert all(owner_of(customer_id=uid) == w.old.user_id for uid in w.ids)  # still the old owner
    notices = Message.objects.filter(user_id__in=w.ids)
    assert notices.count() == 2
    assert {m.link for m in notices} == {"/me/owner/"}
    assert all(m.title == "您的专属顾问即将变更" for m in notices)

    assert customer_transfers_complete(now=T0 + timedelta(hours=23, minutes=59)) == 0
    assert customer_transfers_complete(now=T0 + timedelta(hours=24)) == 2

    assert all(owner_of(customer_id=uid) == w.new.user_id for uid in w.ids)
    assert set(CustomerTransfer.objects.values_list("state", flat=True)) == {TransferState.COMPLETED}
    assert set(customers_of(owner_id=w.new.user_id).values_list("pk", flat=True)) == set(w.ids)
    assert not customers_of(owner_id=w.old.user_id).exists()


def test_completion_runs_twice_but_completes_once():
    w = world(1)
    move(w, w.ids)
    later = T0 + timedelta(hours=25)

    assert customer_transfers_complete(now=later) == 1
    owner_since = CustomerOwner.objects.get(pk=w.ids[0]).since
    assert customer_transfers_complete(now=later + timedelta(minutes=5)) == 0
    assert complete_customer_transfers.apply().get() == 0  # the beat task, run once more

    row = CustomerOwner.objects.get(pk=w.ids[0])
    assert (row.owner_id, row.since) == (w.new.user_id, owner_since)
    transfer = CustomerTransfer.objects.get()
    assert (transfer.state, transfer.decided_at) == (TransferState.COMPLETED, later)


def test_101_customers_are_refused_and_nothing_changes():
    w = world(101)
    with translation.override("zh-hans"), pytest.raises(errors.HandoverBatchTooLarge) as exc:
        move(w, w.ids)

    assert str(exc.value.message) == "一次最多交接 100 位客户。"
    assert CustomerTransfer.objects.count() == 0
    assert CustomerOwner.objects.count() == 0
    assert Message.objects.count() == 0

    assert len(move(w, w.ids[:100])) == 100  # exactly 100 is allowed
    assert handover_candidates(owner_id=w.old.user_id) == w.ids[100:]


def test_the_customer_refuses_within_24_hours_and_keeps_the_old_owner():
    w = world(1)
    [transfer] = move(w, w.ids)

    refused = customer_transfer_refuse(customer_id=w.ids[0], transfer_id=transfer.pk,
                                       now=T0 + timedelta(hours=23))
    assert customer_transfers_complete(now=T0 + timedelta(hours=30)) == 0

    assert refused.state == TransferState.REFUSED
    assert owner_of(customer_id=w.ids[0]) == w.old.user_id
    row = CustomerTransfer.objects.get()
    assert (row.from_owner_id, row.to_owner_id, row.staff_id, row.reason, row.state, row.created_at,
            row.due_at, row.decided_at) == (
        w.old.user_id, w.new.user_id, w.staff.pk, "店主离职", TransferState.REFUSED, T0,
        T0 + timedelta(hours=24), T0 + timedelta(hours=23))


def test_refusal_after_24_hours_or_by_someone_else_is_refused():
    w = world(2)
    first, second = move(w, w.ids)

    with pytest.raises(errors.CustomerTransferDecided):
        customer_transfer_refuse(customer_id=w.ids[0], transfer_id=first.pk, now=T0 + timedelta(hours=24))
    with pytest.raises(errors.CustomerTransferNotFound):  # not the customer's own transfer
        customer_transfer_refuse(customer_id=w.ids[0], transfer_id=second.pk, now=T0 + timedelta(hours=1))

    assert set(CustomerTransfer.objects.values_list("state", flat=True)) == {TransferState.PENDING}


def test_two_transfers_in_90_days_then_the_third_is_refused_in_zh_hans():
    w = world(1)
    third = MemberFactory(is_reseller=True)
    move(w, w.ids, at=T0)
    customer_transfers_complete(now=T0 + timedelta(days=1))
    [refused] = move(w, w.ids, at=T0 + timedelta(days=10), frm=w.new.user_id, to=third.user_id)
    customer_transfer_refuse(customer_id=w.ids[0], transfer_id=refused.pk,
                             now=T0 + timedelta(days=10, hours=1))

    with translation.override("zh-hans"), pytest.raises(errors.CustomerTransferBudgetSpent) as exc:
        move(w, w.ids, at=T0 + timedelta(days=89), frm=w.new.user_id, to=third.user_id)

    assert str(exc.value.message) == f"每位客户 90 天内最多交接 2 次。 客户编号：{w.ids[0]}。"
    assert CustomerTransfer.objects.count() == 2
    assert owner_of(customer_id=w.ids[0]) == w.new.user_id
    assert handover_candidates(owner_id=w.new.user_id, now=T0 + timedelta(days=89)) == []
    # 90 days after the first attempt, one slot is free again
    assert len(move(w, w.ids, at=T0 + timedelta(days=90), frm=w.new.user_id, to=third.user_id)) == 1


def test_a_pending_customer_or_one_of_another_owner_fails_the_whole_batch():
    w = world(3)
    move(w, w.ids[:1])
    other = MemberFactory(is_reseller=True)
    stranger = MemberFactory(parent=other, place=False)

    with pytest.raises(errors.CustomerTransferPending):
        move(w, w.ids)
    with pytest.raises(errors.CustomerNotOwned):
        move(w, [w.ids[1], stranger.user_id])

    assert CustomerTransfer.objects.count() == 1
    assert not CustomerOwner.objects.filter(pk__in=[w.ids[1], stranger.user_id]).exists()  # no trace


def test_the_new_owner_must_be_an_active_reseller_or_the_platform_and_a_reason_is_needed():
    w = world(1)
    not_reseller = MemberFactory()

    with pytest.raises(errors.HandoverOwnerNotReseller):
        move(w, w.ids, to=not_reseller.user_id)
    with pytest.raises(errors.HandoverSameOwner):
        move(w, w.ids, to=w.old.user_id)
    with pytest.raises(errors.HandoverReasonMissing):
        move(w, w.ids, reason="  ")
    with pytest.raises(errors.HandoverBatchEmpty):
        move(w, [])
    with pytest.raises(errors.HandoverOwnerIsCustomer):
        move(w, [*w.ids, w.new.user_id])
    assert CustomerTransfer.objects.count() == 0

    customers_transfer(customer_ids=w.ids, from_owner_id=w.old.user_id, to_owner_id=None,
                       staff_id=w.staff.pk, reason="转平台", now=T0)
    customer_transfers_complete(now=T0 + timedelta(days=1))
    assert owner_of(customer_id=w.ids[0]) is None


def test_the_referral_tree_is_not_moved():
    w = world(1)
    move(w, w.ids)
    customer_transfers_complete(now=T0 + timedelta(days=1))

    w.customers[0].refresh_from_db()
    assert w.customers[0].parent_id == w.old.pk
    assert owner_of(customer_id=w.ids[0]) == w.new.user_id


def test_staff_are_nobodys_customers():
    staff = UserFactory(is_staff=True)
    assert staff.pk not in set(customers_of(owner_id=None).values_list("pk", flat=True))
