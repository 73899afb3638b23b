"""The read-replica router against a real streaming replica (.ci/replica.sh starts one on
127.0.0.1:5433; CI does): figures-only pages read the replica; a money decision reads the
primary even inside ``replica_reads()``, so a lagging replica never changes one."""

import os
import time
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from common.db_routing import replica_reads
from distribution.models import Member, Wallet
from distribution.wallet.services.payout_accounts import payout_account_create
from distribution.wallet.services.wallet import wallet_adjust, wallet_for_member
from distribution.wallet.services.withdrawals import withdrawal_request
from tests.distribution.factories import MemberFactory
from tests.mall.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases="__all__")]
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def replica_on(settings):
    if "replica" not in settings.DATABASES:
        if CI:
            pytest.fail("CI runs these against a streaming replica; .ci/replica.sh did not start one")
        pytest.skip("no streaming replica on 127.0.0.1:5433 (.ci/replica.sh starts one)")
    settings.QUANZI_READ_REPLICA = True


def caught_up(timeout: float = 20.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    with connections["replica"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s::pg_lsn) >= 0", [target])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


def test_the_replica_is_a_real_standby():
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is False


def test_reads_go_to_the_replica_only_inside_replica_reads_and_outside_transactions():
    assert Member.objects.all().db == "default"
    with replica_reads():
        assert Member.objects.all().db == "replica"
        with transaction.atomic():  # a decision: the primary, whatever the block says
            assert Member.objects.all().db == "default"
    assert Member.objects.all().db == "default"


def test_the_tree_browser_reads_the_replica(client):
    member = MemberFactory(user=UserFactory(nickname="副本小雨"))
    staff = UserFactory(is_staff=True, is_superuser=True)
    caught_up()
    client.force_login(staff)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(f"/admin/distribution/member/tree/{member.pk}/")
    assert response.status_code == 200
    assert "副本小雨" in response.content.decode()
    assert any("distribution_member" in q["sql"] for q in on_replica.captured_queries)


def test_a_lagging_replica_never_changes_a_money_decision():
    member = MemberFactory(is_reseller=True)
    wallet = wallet_for_member(member=member)
    account = payout_account_create(member=member, channel="bank", holder_name="王小明",
                                    account="6222021234567890128", bank_name="工商银行")
    caught_up()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        # The primary gets money the replica does not know about yet.
        wallet_adjust(wallet_id=wallet.pk, amount=Decimal("100.00"), operator=None, reason="测试入账")
        with replica_reads():
            stale = Wallet.objects.get(pk=wallet.pk).available  # a figure: from the lagging replica
            withdrawal, created = withdrawal_request(
                member=member, amount="100.00", payout_account_id=account.pk, idempotency_key="replica-lag-1")
        assert stale == Decimal("0.00")  # the replica really lags
        assert created and withdrawal.amount == Decimal("100.00")  # decided on the primary's 100.00
        assert Wallet.objects.values_list("available", "held").get(pk=wallet.pk) == (Decimal("0.00"),
                                                                                     Decimal("100.00"))
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    caught_up()
