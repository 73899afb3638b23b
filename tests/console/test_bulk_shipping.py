"""Bulk shipping: a CSV of order numbers and tracking numbers; every row gets its own result
(shipped, unknown order, wrong state, duplicate row), through ``order_ship``; bad rows change
nothing and never stop the good ones."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import StaffAction
from config.roles import SERVICE
from orders.models import Order
from tests.console.roles_helpers import desk_user
from tests.orders.factories import pay, place_order

pytestmark = pytest.mark.django_db


def _upload(client, text: str, *, encoding: str = "utf-8", carrier: str = "中通快递"):
    upload = SimpleUploadedFile("ship.csv", text.encode(encoding), content_type="text/csv")
    return client.post(reverse("admin:orders_order_bulk_ship"), {"file": upload, "carrier": carrier})


def test_each_row_gets_its_result(client):
    good, other_good = pay(place_order()), pay(place_order())
    unpaid = place_order()
    client.force_login(desk_user(SERVICE))
    text = (f"订单号,运单号,快递公司\n{good.number},ZT001\nQ20990101000000,ZT002\n{unpaid.number},ZT003\n"
            f"{good.number},ZT004\n{other_good.number},SF005,顺丰速运\n")

    response = _upload(client, text)

    rows = response.context["results"]
    assert [(r.line, r.number, r.ok) for r in rows] == [
        (2, good.number, True), (3, "Q20990101000000", False), (4, unpaid.number, False),
        (5, good.number, False), (6, other_good.number, True)]
    assert [r.message for r in rows] == [
        "已发货。", "没有这个订单号。", "订单当前为“待付款”，不能变为“待收货”。",
        "重复的行：这个订单已在文件中出现过。", "已发货。"]
    shipped = Order.objects.get(pk=good.pk)
    assert (shipped.state, shipped.carrier, shipped.tracking_no) == ("shipped", "中通快递", "ZT001")
    assert Order.objects.get(pk=other_good.pk).carrier == "顺丰速运"
    assert Order.objects.get(pk=unpaid.pk).state == "pending_payment"
    assert "2 / 5" in response.content.decode() or "5 行中 2 行已发货" in response.content.decode()
    audit = StaffAction.objects.filter(what="bulk_ship").order_by("id")
    assert [(a.object_id, a.before["state"], a.after["state"]) for a in audit] == [
        (str(good.pk), "paid", "shipped"), (str(other_good.pk), "paid", "shipped")]


def test_sending_the_same_file_twice_ships_nothing_twice(client):
    order = pay(place_order())
    client.force_login(desk_user(SERVICE))
    _upload(client, f"{order.number},ZT1\n")

    again = _upload(client, f"{order.number},ZT2\n")

    assert [r.ok for r in again.context["results"]] == [False]
    assert Order.objects.get(pk=order.pk).tracking_no == "ZT1"
    assert Order.objects.get(pk=order.pk).events.filter(kind="shipped").count() == 1


def test_a_gbk_file_from_excel_is_read(client):
    order = pay(place_order())
    client.force_login(desk_user(SERVICE))

    response = _upload(client, f"订单号,运单号\n{order.number},YT9\n", encoding="gbk")

    assert [r.ok for r in response.context["results"]] == [True]


def test_an_unreadable_or_empty_file_is_refused_and_changes_nothing(client):
    order = pay(place_order())
    client.force_login(desk_user(SERVICE))

    empty = _upload(client, "订单号,运单号\n")
    binary = client.post(reverse("admin:orders_order_bulk_ship"), {
        "file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00\x81\x00", content_type="text/csv"),
        "carrier": "中通快递"})

    assert "文件中没有数据行。" in empty.content.decode()
    assert empty.context["results"] is None and binary.context["results"] is None
    assert Order.objects.get(pk=order.pk).state == "paid"
