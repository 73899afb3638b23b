"""Staff console: members are read-only; uplines change through the Move / Hand over pages."""

import pytest
from django.urls import reverse

from distribution.models import BindingHistory, Member, ReferralSettings
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import assert_forest_exact, snapshot
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.admin = admin
    return client


def test_member_change_page_shows_team_and_tools(staff_client):
    root = MemberFactory()
    MemberFactory(parent=root)

    response = staff_client.get(reverse("admin:distribution_member_change", args=[root.pk]))

    assert response.status_code == 200
    assert reverse("admin:distribution_member_move", args=[root.pk]) in response.content.decode()
    assert staff_client.get(reverse("admin:distribution_member_changelist")).status_code == 200


def test_staff_move_a_member_with_a_reason(staff_client):
    root, other = MemberFactory(), MemberFactory()
    member = MemberFactory(parent=root)

    response = staff_client.post(reverse("admin:distribution_member_move", args=[member.pk]),
                                 {"new_upline_code": other.invite_code.lower(), "reason": "客户申诉"})

    assert response.status_code == 302
    assert Member.objects.get(pk=member.pk).parent_id == other.pk
    history = BindingHistory.objects.get(member=member, source="staff")
    assert (history.operator_id, history.reason) == (staff_client.admin.pk, "客户申诉")
    assert_forest_exact()


def test_a_refused_move_shows_the_error_and_changes_nothing(staff_client):
    root = MemberFactory()
    member = MemberFactory(parent=root)
    downline = MemberFactory(parent=member)
    before = snapshot()

    response = staff_client.post(reverse("admin:distribution_member_move", args=[member.pk]),
                                 {"new_upline_code": downline.invite_code, "reason": "x"},
                                 HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "in their own team" in response.content.decode()
    assert snapshot() == before


def test_staff_hand_over_direct_downlines(staff_client):
    root = MemberFactory()
    departing, successor = MemberFactory(parent=root), MemberFactory(parent=root)
    downlines = [MemberFactory(parent=departing) for _ in range(2)]

    response = staff_client.post(reverse("admin:distribution_member_handover", args=[departing.pk]),
                                 {"to_code": successor.invite_code, "scope": "direct", "reason": "离职"})

    assert response.status_code == 302
    assert [Member.objects.get(pk=d.pk).parent_id for d in downlines] == [successor.pk] * 2
    assert_forest_exact()


def test_members_cannot_be_added_or_deleted_in_the_admin(staff_client):
    member = MemberFactory()

    assert staff_client.get(reverse("admin:distribution_member_add")).status_code == 403
    assert staff_client.get(reverse("admin:distribution_member_delete", args=[member.pk])).status_code == 403


def test_settings_open_as_a_single_row(staff_client):
    response = staff_client.get(reverse("admin:distribution_referralsettings_changelist"))

    assert response.status_code == 302
    assert response.url == reverse("admin:distribution_referralsettings_change", args=[1])
    assert ReferralSettings.objects.count() == 1


def test_non_staff_cannot_open_the_tools(client):
    member = MemberFactory()
    client.force_login(member.user)

    response = client.get(reverse("admin:distribution_member_move", args=[member.pk]))

    assert response.status_code == 302 and "/admin/login/" in response.url
