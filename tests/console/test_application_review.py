"""A reseller application is approved or rejected from its own page (a reason to reject)."""

import pytest
from django.urls import reverse

from config.roles import OPS, SERVICE
from distribution.models import ApplicationState, JoinMode, Member, ResellerApplication
from distribution.reseller.services.resellers import reseller_apply
from tests.console.roles_helpers import desk_user
from tests.distribution.factories import MemberFactory
from tests.distribution.resellers_world import default_level, set_join_mode

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    set_join_mode(JoinMode.APPLY)
    default_level()
    return reseller_apply(member=MemberFactory(), real_name="王小明", contact_phone="13912345678")


def test_approve_from_the_application_page(client, application):
    client.force_login(desk_user(OPS))
    page = client.get(reverse("admin:distribution_resellerapplication_change", args=[application.pk]))
    review = reverse("admin:distribution_resellerapplication_review", args=[application.pk])
    assert review in page.content.decode()
    assert "13912345678" not in page.content.decode()  # masked

    response = client.post(review, {"decision": "approve"})

    assert response.status_code == 302
    assert ResellerApplication.objects.get(pk=application.pk).state == ApplicationState.APPROVED
    assert Member.objects.get(pk=application.member_id).is_reseller


def test_reject_needs_a_reason_and_changes_nothing_without_one(client, application):
    client.force_login(desk_user(OPS))
    review = reverse("admin:distribution_resellerapplication_review", args=[application.pk])

    refused = client.post(review, {"decision": "reject", "reason": " "})
    assert "请填写驳回原因。" in refused.content.decode()
    assert ResellerApplication.objects.get(pk=application.pk).state == ApplicationState.REQUESTED
    client.post(review, {"decision": "reject", "reason": "资料不全"})

    application.refresh_from_db()
    assert (application.state, application.reject_reason) == (ApplicationState.REJECTED, "资料不全")
    assert not Member.objects.get(pk=application.member_id).is_reseller


def test_customer_service_cannot_review(client, application):
    client.force_login(desk_user(SERVICE))

    response = client.post(reverse("admin:distribution_resellerapplication_review", args=[application.pk]),
                           {"decision": "approve"})

    assert response.status_code == 403
    assert ResellerApplication.objects.get(pk=application.pk).state == ApplicationState.REQUESTED
