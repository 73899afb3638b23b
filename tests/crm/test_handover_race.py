"""Handover under real concurrency (PostgreSQL, one connection per thread): two staff
handing over the same customers at once make one transfer per customer; two completion
sweeps at once complete each transfer once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm import errors
from crm.models import CustomerOwner, CustomerTransfer, TransferState
from crm.services.handover import customer_transfers_complete, customers_transfer
from tests.concurrency import run_parallel
from tests.crm.handover_world import world
from tests.distribution.factories import MemberFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_staff_handing_over_the_same_customers_at_once_make_one_transfer_each():
    w = world(6)
    rival = MemberFactory(is_reseller=True)
    now = timezone.now()
    targets = (w.new.user_id, rival.user_id)
    batches = (w.ids[:4], w.ids[2:])  # customers 2 and 3 are in both batches

    for _round in range(3):
        CustomerTransfer.objects.all().delete()
        CustomerOwner.objects.all().delete()
        results = run_parallel(2, lambda i: customers_transfer(
            customer_ids=batches[i], from_owner_id=w.old.user_id, to_owner_id=targets[i], staff_id=w.staff.pk,
            reason=f"staff {i}", now=now))

        made = [r for r in results if isinstance(r, list)]
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(made) == 1, results  # all or nothing: the later batch is refused whole
        assert len(refused) == 1 and isinstance(refused[0], errors.CustomerTransferPending), refused
        winner = results.index(made[0])
        moved = sorted(CustomerTransfer.objects.values_list("customer_id", flat=True))
        assert moved == sorted(batches[winner])
        assert set(CustomerTransfer.objects.values_list("to_owner_id", flat=True)) == {targets[winner]}


def test_two_completion_sweeps_at_once_complete_each_transfer_once():
    w = world(40)
    t0 = timezone.now()
    customers_transfer(customer_ids=w.ids, from_owner_id=w.old.user_id, to_owner_id=w.new.user_id,
                       staff_id=w.staff.pk, reason="离职", now=t0)
    due = t0 + timedelta(hours=24, minutes=1)

    results = run_parallel(3, lambda i: customer_transfers_complete(now=due, limit=7))

    assert sum(results) == 40, results
    assert set(CustomerTransfer.objects.values_list("state", flat=True)) == {TransferState.COMPLETED}
    owners = set(CustomerOwner.objects.filter(pk__in=w.ids).values_list("owner_id", flat=True))
    assert owners == {w.new.user_id}
    assert customer_transfers_complete(now=due) == 0
