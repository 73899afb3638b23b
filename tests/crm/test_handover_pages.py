"""The staff handover page (preview, confirm, errors in zh-hans with nothing changed), the
transfer list and history, and the customer's 拒绝 page."""

import pytest
from django.urls import reverse

from config.roles import OPS
from crm.models import CustomerTransfer, TransferState
from crm.services.handover import customers_transfer
from tests.console.roles_helpers import desk_user
from tests.crm.handover_world import world

pytestmark = pytest.mark.django_db
URL = "admin:crm_customertransfer_handover"


def form(w, **extra):
    return {"from_owner": w.old.user_id, "to_owner": w.new.user_id, "reason": "店主离职", **extra}


def test_preview_then_confirm_the_next_100(client):
    w = world(3)
    client.force_login(desk_user(OPS))

    preview = client.post(reverse(URL), form(w, next_batch="on"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert preview.status_code == 200
    assert preview.context["preview"]["ids"] == w.ids
    assert "确认交接" in preview.content.decode()
    assert w.customers[0].user.phone not in preview.content.decode()  # masked
    assert CustomerTransfer.objects.count() == 0

    done = client.post(reverse(URL), form(w, next_batch="on", confirm="1"))
    assert done.status_code == 302
    assert sorted(CustomerTransfer.objects.values_list("customer_id", flat=True)) == w.ids


def test_101_listed_customers_show_the_zh_hans_error_and_change_nothing(client):
    w = world(101)
    client.force_login(desk_user(OPS))
    ids = " ".join(str(uid) for uid in w.ids)

    response = client.post(reverse(URL), form(w, customers=ids, confirm="1"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert "一次最多交接 100 位客户。" in response.content.decode()
    assert CustomerTransfer.objects.count() == 0


def test_the_transfer_list_and_the_customer_history(client):
    w = world(1)
    customers_transfer(customer_ids=w.ids, from_owner_id=w.old.user_id, to_owner_id=w.new.user_id,
                       staff_id=w.staff.pk, reason="店主离职")
    client.force_login(desk_user(OPS))

    listing = client.get(reverse("admin:crm_customertransfer_changelist"), {"state": "pending"})
    history = client.get(reverse("admin:crm_customerowner_change", args=[w.ids[0]]))

    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert history.status_code == 200
    assert "店主离职" in history.content.decode()


def test_the_customer_refuses_from_the_page(client):
    w = world(2)
    mine, other = customers_transfer(customer_ids=w.ids, from_owner_id=w.old.user_id,
                                     to_owner_id=w.new.user_id, staff_id=w.staff.pk, reason="离职")
    client.force_login(w.customers[0].user)

    assert 'data-testid="menu-adviser"' in client.get(reverse("mall:me")).content.decode()
    page = client.get(reverse("crm:my_owner"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f'data-testid="transfer-{mine.pk}"' in page.content.decode()
    assert f'data-testid="transfer-{other.pk}"' not in page.content.decode()
    assert client.post(reverse("crm:transfer_refuse", args=[other.pk])).status_code == 404
    assert client.post(reverse("crm:transfer_refuse", args=[mine.pk])).status_code == 302

    assert dict(CustomerTransfer.objects.values_list("pk", "state")) == {
        mine.pk: TransferState.REFUSED, other.pk: TransferState.PENDING}
    assert 'data-testid="menu-adviser"' not in client.get(reverse("mall:me")).content.decode()
