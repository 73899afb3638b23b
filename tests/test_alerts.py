"""Alerts: a failed wallet reconciliation, a failed tree check and a refund that cannot be
applied each email the admins and put a red banner on every staff page until acknowledged."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core import mail

from config.models import Alert
from distribution.models import Member, Wallet
from distribution.tasks import check_referral_trees, reconcile_wallets
from distribution.wallet.services.wallet import wallet_adjust, wallet_for_member
from tests.distribution.factories import MemberFactory
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db
BANNER = "quanzi-alert-banner"


@pytest.fixture(autouse=True)
def _admins(settings):
    settings.ADMINS = [("值班", "ops@example.com")]


def staff(*perms: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return type(user).objects.get(pk=user.pk)


def tampered_wallet() -> Wallet:
    wallet = wallet_for_member(member=MemberFactory(is_reseller=True))
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal("100.00"), operator=None, reason="测试入账")
    Wallet.objects.filter(pk=wallet.pk).update(available=Decimal("150.00"))  # not through the ledger
    return wallet


def test_a_failed_reconciliation_emails_the_admins_and_shows_a_banner_until_acknowledged(
        client, django_capture_on_commit_callbacks):
    wallet = tampered_wallet()
    with django_capture_on_commit_callbacks(execute=True):
        assert reconcile_wallets() is False

    alert = Alert.objects.get()
    assert (alert.kind, alert.acknowledged_at) == ("reconcile_wallets", None)
    assert alert.subject == "wallet reconciliation found 1 problems"
    assert f"wallet {wallet.pk}" in alert.details
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ops@example.com"]
    assert "wallet reconciliation found 1 problems" in mail.outbox[0].subject

    user = staff("view_alert", "change_alert")
    client.force_login(user)
    page = client.get("/admin/")
    assert BANNER in page.content.decode()

    response = client.post("/admin/project/alert/",
                           {"action": "acknowledge", ACTION_CHECKBOX_NAME: [alert.pk]}, follow=True)
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.acknowledged_by == user and alert.acknowledged_at is not None
    assert BANNER not in client.get("/admin/").content.decode()


def test_staff_without_the_permission_cannot_acknowledge(client, django_capture_on_commit_callbacks):
    tampered_wallet()
    with django_capture_on_commit_callbacks(execute=True):
        reconcile_wallets()
    alert = Alert.objects.get()
    client.force_login(staff("view_alert"))
    assert BANNER in client.get("/admin/").content.decode()  # every staff member sees it
    client.post("/admin/project/alert/", {"action": "acknowledge", ACTION_CHECKBOX_NAME: [alert.pk]})
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    # The shopper-facing site never shows it.
    assert BANNER not in client.get("/").content.decode()


def test_a_failed_tree_check_raises_an_alert(django_capture_on_commit_callbacks):
    root = MemberFactory()
    a, b = MemberFactory(parent=root), MemberFactory(parent=root)
    a, b = Member.objects.get(pk=a.pk), Member.objects.get(pk=b.pk)
    Member.objects.filter(pk=a.pk).update(lft=b.lft, rght=b.rght)  # siblings swapped: drift
    Member.objects.filter(pk=b.pk).update(lft=a.lft, rght=a.rght)
    with django_capture_on_commit_callbacks(execute=True):
        assert check_referral_trees() is False
    alert = Alert.objects.get()
    assert alert.kind == "check_referral_tree" and alert.subject.startswith("referral tree check:")
    assert len(mail.outbox) == 1


def test_a_clean_run_raises_nothing(django_capture_on_commit_callbacks):
    wallet = wallet_for_member(member=MemberFactory(is_reseller=True))
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal("10.00"), operator=None, reason="测试入账")
    with django_capture_on_commit_callbacks(execute=True):
        assert reconcile_wallets() is True
        assert check_referral_trees() is True
    assert not Alert.objects.exists() and not mail.outbox
