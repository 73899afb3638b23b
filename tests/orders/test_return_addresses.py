"""Return addresses (退货地址): an approved return (退货退款) tells the shopper where to send
the goods: the supplier's address, else the platform default, copied onto the after-sale."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.errors import ReturnAddressDefaultRequired, ReturnAddressInvalid, ReturnAddressMissing
from orders.models import AfterSale, OrderEvent, ReturnAddress
from orders.services.aftersale import aftersale_approve, aftersale_request
from orders.services.fulfilment import order_confirm_receipt, order_ship
from orders.services.returns import (
    return_address_delete,
    return_address_for_item,
    return_address_make_default,
    return_address_save,
)
from tests.concurrency import run_parallel
from tests.mall.factories import SKUFactory, SupplierFactory, UserFactory
from tests.orders.factories import ReturnAddressFactory, pay, place_order

pytestmark = pytest.mark.django_db

SNAPSHOT_FIELDS = (
    "return_receiver",
    "return_phone",
    "return_province",
    "return_city",
    "return_district",
    "return_address_detail",
    "return_note",
)


def received_order(user=None, *, supplier=None):
    extra = {"product__supplier": supplier} if supplier else {}
    sku = SKUFactory(price=Decimal("10.00"), stock=10, **extra)
    order = pay(place_order(user=user or UserFactory(), lines=[(sku, 2)]))
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
    return order_confirm_receipt(order=order, actor=order.user)


def request_return(order, kind="return_and_refund") -> AfterSale:
    return aftersale_request(
        user=order.user, order_item_id=order.items.get().pk, kind=kind, quantity=1, reason="质量问题"
    )


def snapshot(aftersale: AfterSale) -> tuple[str, ...]:
    aftersale = AfterSale.objects.get(pk=aftersale.pk)
    return tuple(getattr(aftersale, name) for name in SNAPSHOT_FIELDS)


# --- which address ---------------------------------------------------------------------------


def test_an_item_goes_back_to_its_suppliers_address_before_the_platform_default():
    supplier = SupplierFactory()
    ReturnAddressFactory()
    own = ReturnAddressFactory(supplier=supplier, receiver="供应商售后部")
    order = received_order(supplier=supplier)

    assert return_address_for_item(order_item=order.items.get()) == own


def test_an_item_whose_supplier_has_no_address_goes_to_the_platform_default():
    default = ReturnAddressFactory()
    ReturnAddressFactory(supplier=SupplierFactory())  # another supplier's
    order = received_order(supplier=SupplierFactory())

    assert return_address_for_item(order_item=order.items.get()) == default


def test_no_address_at_all_resolves_to_none():
    order = received_order()

    assert return_address_for_item(order_item=order.items.get()) is None


# --- the copy taken at approval ---------------------------------------------------------------


def test_approving_a_return_copies_the_suppliers_address_onto_the_aftersale():
    supplier = SupplierFactory()
    ReturnAddressFactory()
    ReturnAddressFactory(
        supplier=supplier,
        receiver="李售后",
        phone="13700001111",
        province="广东省",
        city="深圳市",
        district="南山区",
        detail="科技园 8 号",
        note="请勿寄到付件",
    )
    aftersale = request_return(received_order(supplier=supplier))
    assert snapshot(aftersale) == ("",) * 7

    aftersale_approve(aftersale=aftersale, actor=None)

    assert snapshot(aftersale) == (
        "李售后", "13700001111", "广东省", "深圳市", "南山区", "科技园 8 号", "请勿寄到付件",
    )  # fmt: skip
    approved = AfterSale.objects.get(pk=aftersale.pk)
    assert approved.state == "approved"
    assert approved.return_address_copy_text == "李售后 13700001111 广东省深圳市南山区科技园 8 号"


def test_a_later_edit_of_the_address_does_not_change_what_the_shopper_was_told():
    address = ReturnAddressFactory()
    aftersale = request_return(received_order())
    aftersale_approve(aftersale=aftersale, actor=None)
    told = snapshot(aftersale)

    address.receiver, address.detail = "新仓库", "良渚街道 99 号"
    return_address_save(address=address)
    ReturnAddressFactory(supplier=aftersale.order_item.product.supplier, receiver="供应商")

    assert snapshot(aftersale) == told == (
        "圈子退货仓", "0571-88886666", "浙江省", "杭州市", "余杭区", "仓前街道 1 号 3 号库", "",
    )  # fmt: skip


def test_a_return_cannot_be_approved_while_the_goods_have_nowhere_to_go():
    aftersale = request_return(received_order())
    events_before = OrderEvent.objects.count()

    with pytest.raises(ReturnAddressMissing):
        aftersale_approve(aftersale=aftersale, actor=None)

    assert AfterSale.objects.get(pk=aftersale.pk).state == "requested"
    assert snapshot(aftersale) == ("",) * 7
    assert OrderEvent.objects.count() == events_before


def test_a_refund_only_is_approved_without_an_address_and_gets_none():
    aftersale = request_return(received_order(), kind="refund_only")

    aftersale_approve(aftersale=aftersale, actor=None)

    assert AfterSale.objects.get(pk=aftersale.pk).state == "approved"
    assert snapshot(aftersale) == ("",) * 7


# --- exactly one platform default ---------------------------------------------------------------


def test_the_database_refuses_a_second_platform_default():
    ReturnAddressFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnAddress.objects.create(
            is_platform_default=True, receiver="乙", phone="13800000000",
            province="浙江省", city="杭州市", district="西湖区", detail="1 号",
        )  # fmt: skip

    assert ReturnAddress.objects.filter(is_platform_default=True).count() == 1


def test_the_database_refuses_a_suppliers_address_as_the_platform_default():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnAddressFactory(supplier=SupplierFactory(), is_platform_default=True)

    assert not ReturnAddress.objects.exists()


def test_the_database_refuses_a_second_address_for_one_supplier():
    supplier = SupplierFactory()
    ReturnAddressFactory(supplier=supplier)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnAddressFactory(supplier=supplier)

    assert ReturnAddress.objects.count() == 1


def _unsaved(**fields) -> ReturnAddress:
    return ReturnAddressFactory.build(is_platform_default=False, **fields)


def test_the_first_platform_address_becomes_the_default_and_the_next_does_not():
    first = return_address_save(address=_unsaved(receiver="甲"))
    return_address_save(address=_unsaved(receiver="乙"))
    return_address_save(address=_unsaved(supplier=SupplierFactory(), receiver="丙"))

    assert first.is_platform_default is True
    assert list(ReturnAddress.objects.order_by("pk").values_list("receiver", "is_platform_default")) == [
        ("甲", True), ("乙", False), ("丙", False),
    ]  # fmt: skip


def test_making_another_address_the_default_moves_the_mark():
    first = ReturnAddressFactory(receiver="甲")
    second = ReturnAddressFactory(receiver="乙", is_platform_default=False)

    return_address_make_default(address_id=second.pk)
    return_address_make_default(address_id=second.pk)  # again: no change

    defaults = ReturnAddress.objects.filter(is_platform_default=True)
    assert list(defaults.values_list("pk", flat=True)) == [second.pk]
    first.refresh_from_db()
    assert first.is_platform_default is False


def test_a_suppliers_address_cannot_become_the_default_and_the_default_cannot_be_deleted():
    default = ReturnAddressFactory()
    theirs = ReturnAddressFactory(supplier=SupplierFactory())

    with pytest.raises(ReturnAddressInvalid):
        return_address_make_default(address_id=theirs.pk)
    with pytest.raises(ReturnAddressDefaultRequired):
        return_address_delete(address_id=default.pk)
    default.supplier = SupplierFactory()
    with pytest.raises(ReturnAddressInvalid):
        return_address_save(address=default)

    rows = ReturnAddress.objects.order_by("pk").values_list("pk", "is_platform_default", "supplier_id")
    assert list(rows) == [(default.pk, True, None), (theirs.pk, False, theirs.supplier_id)]
    return_address_delete(address_id=theirs.pk)
    assert list(ReturnAddress.objects.values_list("pk", flat=True)) == [default.pk]


# --- the shopper's page and the API ---------------------------------------------------------------


def test_the_approved_return_page_shows_the_address_with_a_copy_button(client, platform_return_address):
    user = UserFactory()
    client.force_login(user)
    aftersale = request_return(received_order(user))
    before = client.get(f"/aftersales/{aftersale.pk}/").content.decode()
    aftersale_approve(aftersale=aftersale, actor=None)

    page = client.get(f"/aftersales/{aftersale.pk}/").content.decode()

    assert 'data-testid="return-address"' not in before
    assert 'data-testid="return-receiver">圈子退货仓<span>0571-88886666</span>' in page
    assert 'data-testid="return-address-line">浙江省杭州市余杭区仓前街道 1 号 3 号库<' in page
    assert (
        '<button type="button" class="btn btn-sm btn-outline-red" '
        'data-copy="圈子退货仓 0571-88886666 浙江省杭州市余杭区仓前街道 1 号 3 号库" '
        'data-copy-target="#return-address-text" data-copied="退货地址已复制" '
        'data-copy-failed="请长按地址复制" data-testid="copy-return-address">复制</button>'
    ) in page
    assert 'data-testid="ship-back-form"' in page


def test_a_refund_only_page_has_no_return_address(client):
    user = UserFactory()
    client.force_login(user)
    aftersale = request_return(received_order(user), kind="refund_only")
    aftersale_approve(aftersale=aftersale, actor=None)

    page = client.get(f"/aftersales/{aftersale.pk}/").content.decode()

    assert 'data-testid="return-address"' not in page and "data-copy=" not in page


def test_the_api_gives_the_return_address_once_the_return_is_approved(platform_return_address):
    user = UserFactory()
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    aftersale = request_return(received_order(user))
    before = api.get(f"/api/v1/aftersales/{aftersale.pk}/").json()
    aftersale_approve(aftersale=aftersale, actor=None)

    after = api.get(f"/api/v1/aftersales/{aftersale.pk}/").json()

    assert before["return_address"] is None
    assert after["return_address"] == {
        "receiver": "圈子退货仓", "phone": "0571-88886666", "province": "浙江省", "city": "杭州市",
        "district": "余杭区", "detail": "仓前街道 1 号 3 号库", "note": "",
        "copy_text": "圈子退货仓 0571-88886666 浙江省杭州市余杭区仓前街道 1 号 3 号库",
    }  # fmt: skip
    assert after["state"] == "approved"


# --- staff ---------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_add_the_first_platform_address_in_the_admin_and_it_becomes_the_default(staff_client):
    form = staff_client.get("/admin/orders/returnaddress/add/").content.decode()

    response = staff_client.post(
        "/admin/orders/returnaddress/add/",
        {"supplier": "", "receiver": "圈子退货仓", "phone": "0571-88886666", "province": "浙江省",
         "city": "杭州市", "district": "余杭区", "detail": "仓前街道 1 号", "note": "请勿寄到付件"},
    )  # fmt: skip

    assert "增加 退货地址" in form and "给顾客的备注" in form
    assert response.status_code == 302
    assert list(ReturnAddress.objects.values_list("receiver", "is_platform_default", "note")) == [
        ("圈子退货仓", True, "请勿寄到付件")
    ]
    listing = staff_client.get("/admin/orders/returnaddress/").content.decode()
    assert "平台" in listing and "设为平台默认退货地址" in listing


def test_staff_cannot_give_a_second_address_to_a_supplier_in_the_admin(staff_client):
    supplier = SupplierFactory()
    ReturnAddressFactory(supplier=supplier)

    response = staff_client.post(
        "/admin/orders/returnaddress/add/",
        {"supplier": supplier.pk, "receiver": "乙", "phone": "13800000000", "province": "浙江省",
         "city": "杭州市", "district": "西湖区", "detail": "1 号"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "该供应商已有退货地址。" in response.content.decode()
    assert ReturnAddress.objects.count() == 1


def test_staff_approving_a_return_without_any_address_see_why_and_nothing_changes(staff_client):
    aftersale = request_return(received_order())

    response = staff_client.post(f"/admin/orders/aftersale/{aftersale.pk}/act/approve/", {}, follow=True)

    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert messages == [
        ("error", "该商品的供应商没有退货地址，也没有平台默认退货地址：请先在“退货地址”中添加。")
    ]
    assert AfterSale.objects.get(pk=aftersale.pk).state == "requested"


# --- concurrency (PostgreSQL) ----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_default_moves_and_first_addresses_leave_exactly_one_default():
    # Eight staff create the very first platform addresses at once: one becomes the default.
    created = run_parallel(8, lambda i: return_address_save(address=_unsaved(receiver=f"仓{i}")))
    assert [type(result) for result in created] == [ReturnAddress] * 8
    assert ReturnAddress.objects.filter(is_platform_default=True).count() == 1

    # Then eight move the mark at once, each to a different address.
    ids = list(ReturnAddress.objects.order_by("pk").values_list("pk", flat=True))
    moved = run_parallel(8, lambda i: return_address_make_default(address_id=ids[i]))

    assert [type(result) for result in moved] == [ReturnAddress] * 8
    assert ReturnAddress.objects.filter(is_platform_default=True).count() == 1
