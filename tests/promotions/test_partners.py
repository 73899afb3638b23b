"""异业联盟: partner-funded coupons (budget, credit back), vouchers verified once with a fee,
staff scoped to their partner, the append-only ledger, statements and reconciliation."""

import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from common.exports import XLSX_CONTENT_TYPE
from orders.models import Order, OrderItem
from orders.services.fulfilment import order_cancel
from promotions.errors import PartnerBudgetExhausted, VoucherAlreadyVerified, VoucherNotFound
from promotions.models import (
    Coupon,
    CouponState,
    Partner,
    PartnerEntryKind,
    PartnerLedgerEntry,
    PartnerVoucher,
    VoucherState,
)
from promotions.services.issue import coupon_claim_by_link
from promotions.services.partner_reports import partners_reconcile, statement_csv
from promotions.services.vouchers import partner_voucher_claim, partner_voucher_verify
from tests.distribution.commission_world import refund
from tests.mall.factories import SKUFactory, UserFactory
from tests.orders.factories import pay
from tests.promotions.factories import checkout, partner_world

pytestmark = pytest.mark.django_db
D = Decimal


def _funded_order(template, *, units: int = 1, price: str = "120.00"):
    user = UserFactory()
    coupon = coupon_claim_by_link(token=template.link_token, user=user)
    return checkout(user, [(SKUFactory(price=D(price), stock=10), units)], coupon=coupon), coupon


def test_a_partner_funded_discount_is_charged_to_its_budget_and_ledger():
    partner, _staff, template, _offer = partner_world(budget="15.00")

    order, _coupon = _funded_order(template)

    partner.refresh_from_db()
    assert (order.discount_amount, partner.budget_used) == (D("10.00"), D("10.00"))
    entry = PartnerLedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.ref, entry.order_number) == (
        "funded_discount",
        D("10.00"),
        f"order:{order.pk}",
        order.number,
    )


def test_a_partner_over_budget_refuses_the_checkout_with_a_clear_error_and_changes_nothing():
    partner, _staff, template, _offer = partner_world(budget="15.00")
    _funded_order(template)
    user = UserFactory()
    coupon = coupon_claim_by_link(token=template.link_token, user=user)
    sku = SKUFactory(price=D("120.00"), stock=10)

    with pytest.raises(PartnerBudgetExhausted) as refused:
        checkout(user, [(sku, 1)], coupon=coupon)

    with translation.override("zh-hans"):
        assert str(refused.value.message) == "出资的合作商户优惠预算已用完，这张券暂时不能使用。"
    partner.refresh_from_db()
    assert partner.budget_used == D("10.00")
    assert Order.objects.filter(user=user).count() == 0
    assert Coupon.objects.get(pk=coupon.pk).state == CouponState.UNUSED
    sku.refresh_from_db()
    assert sku.stock == 10


def test_cancelling_before_payment_credits_the_budget_back_once():
    partner, _staff, template, _offer = partner_world()
    order, _coupon = _funded_order(template)

    order_cancel(order=order, actor=order.user)

    partner.refresh_from_db()
    assert partner.budget_used == D("0.00")
    assert list(PartnerLedgerEntry.objects.order_by("pk").values_list("amount", flat=True)) == [
        D("10.00"),
        D("-10.00"),
    ]
    assert partners_reconcile().ok


def test_a_refund_inside_the_window_credits_the_refunded_units_share_and_after_it_nothing():
    partner, _staff, template, _offer = partner_world()
    order, _coupon = _funded_order(template, units=3, price="40.00")
    pay(order)

    refund(order, quantity=1)
    partner.refresh_from_db()
    assert partner.budget_used == D("6.67")  # 10.00 - 3.33
    OrderItem.objects.filter(order=order).update(window_closed_at=timezone.now())
    refund(order, quantity=2)

    partner.refresh_from_db()
    assert partner.budget_used == D("6.67")
    assert partners_reconcile().ok


def test_a_voucher_is_verified_once_with_the_fee_and_a_second_scan_changes_nothing():
    partner, staff, _template, offer = partner_world(fee="5.00")
    voucher = partner_voucher_claim(offer_id=offer.pk, user=UserFactory())

    done = partner_voucher_verify(code=voucher.code.lower(), partner=partner, actor=staff)
    with pytest.raises(VoucherAlreadyVerified):
        partner_voucher_verify(code=voucher.code, partner=partner, actor=staff)

    assert (done.state, done.verified_by_id) == (VoucherState.VERIFIED, staff.pk)
    assert list(PartnerLedgerEntry.objects.values_list("kind", "amount")) == [("voucher_fee", D("5.00"))]
    assert partners_reconcile().ok


def test_another_partners_code_is_not_found_and_nothing_is_verified():
    _partner, staff, _template, offer = partner_world()
    other, _other_staff, _t, _o = partner_world()
    voucher = partner_voucher_claim(offer_id=offer.pk, user=UserFactory())

    with pytest.raises(VoucherNotFound):
        partner_voucher_verify(code=voucher.code, partner=other, actor=staff)

    assert PartnerVoucher.objects.get(pk=voucher.pk).state == VoucherState.ISSUED
    assert not PartnerLedgerEntry.objects.exists()


def test_partner_staff_see_only_their_partner_pages():
    partner, staff, _template, offer = partner_world()
    other, _other_staff, _t, _o = partner_world()
    voucher = partner_voucher_claim(offer_id=offer.pk, user=UserFactory())
    client = Client()
    client.force_login(staff)

    own = client.get(reverse("promotions:partner", args=[partner.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    foreign = client.get(reverse("promotions:partner", args=[other.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    foreign_verify = client.post(
        reverse("promotions:partner_verify", args=[other.pk]),
        {"code": voucher.code},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    again = [
        client.post(
            reverse("promotions:partner_verify", args=[partner.pk]),
            {"code": voucher.code},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        for _ in range(2)
    ]

    assert own.status_code == 200
    assert foreign.status_code == foreign_verify.status_code == 403
    assert "只能打开你所在合作商户的页面。" in foreign.content.decode()
    assert [r.status_code for r in again] == [200, 409]
    assert "这张核销券已经核销过了。" in again[1].content.decode()
    assert PartnerLedgerEntry.objects.count() == 1


def test_the_partner_ledger_is_append_only():
    _partner, _staff, template, _offer = partner_world()
    _funded_order(template)
    entry = PartnerLedgerEntry.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerLedgerEntry.objects.filter(pk=entry.pk).update(amount=D("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerLedgerEntry.objects.filter(pk=entry.pk).delete()

    assert PartnerLedgerEntry.objects.get().amount == D("10.00")


def test_the_monthly_statement_exports_csv_and_excel_with_the_total():
    partner, staff, template, offer = partner_world(fee="5.00")
    _funded_order(template)
    voucher = partner_voucher_claim(offer_id=offer.pk, user=UserFactory())
    partner_voucher_verify(code=voucher.code, partner=partner, actor=staff)
    month = timezone.localdate()

    client = Client()
    client.force_login(staff)

    with translation.override("zh-hans"):
        text = statement_csv(partner=partner, month=month)
    download = client.get(
        reverse("promotions:partner_statement", args=[partner.pk, month.year, month.month, "xlsx"]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    lines = text.lstrip("\ufeff").strip().splitlines()
    assert lines[0] == "时间,类型,关联单据,订单,金额（元）"
    assert lines[-1] == "合计,,,,15.00"
    assert download["Content-Type"] == XLSX_CONTENT_TYPE
    book = load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == [f"{month:%Y-%m}"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == f"{partner.name} · {month:%Y-%m}"
    assert rows[1] == ("时间", "类型", "关联单据", "订单", "金额（元）")
    assert rows[-1] == ("合计", None, None, None, 15)
    assert len(rows) == 5  # title, header, the funded order, the voucher fee, the total


def test_reconciliation_finds_a_budget_that_disagrees_with_the_ledger():
    partner, _staff, template, _offer = partner_world()
    _funded_order(template)
    Partner.objects.filter(pk=partner.pk).update(budget_used=D("3.00"))

    report = partners_reconcile()

    assert report.problems == [f"partner {partner.pk}: budget_used 3.00 != ledger 10.00"]


def test_the_statement_csv_defuses_text_that_starts_like_a_formula():
    partner, *_rest = partner_world()
    PartnerLedgerEntry.objects.create(partner=partner, kind=PartnerEntryKind.VOUCHER_FEE, amount=D("5.00"),
                                      ref='=HYPERLINK("http://x")', order_number="+1")

    text = statement_csv(partner=partner, month=timezone.localdate())

    row = text.lstrip("\ufeff").splitlines()[1]
    assert "'=HYPERLINK" in row and ",'+1," in row
