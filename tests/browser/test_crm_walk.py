"""Issue 14, acceptance 6: the private-domain operations walked through the real pages.

A 运营 desk user, in the admin at 1366 px, builds an audience pack from condition fields,
previews its count, saves it, starts a small-group test with a message that carries a
coupon, and — after the dispatcher has run — releases it to the rest. A member of the rest,
on a 390 px phone, sees the unread badge on 我的, reads the message in the inbox, follows
its coupon to 我的优惠券, follows its link to the product and buys with the coupon applied.
The dispatcher (the Celery beat's task body) is called here in place of a worker: it is
orchestration, not a step under test. Screenshots: ``test-artifacts/crm-walk-*.png``.

The world (by hand): 8 members are 活跃 (two orders of ¥150: spend ¥300), 2 are 活跃 with
spend ¥100, 3 are 新客 with one order of ¥300, 2 have no order. The pack "活跃且消费满200"
(stage 活跃, spend ≥ ¥200) therefore holds exactly the first 8. At test 50 % and hold-out
25 %: 4 test, 2 hold-out, 2 rest.
"""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import Page, expect

from config.roles import OPS
from crm.models import AudiencePack, Message, MessageState, PackMember, PackSend, ReachSettings, SourceKind
from crm.services.profiles import profiles_compute
from crm.tasks import outbox_drain
from mall.models import User
from orders.models import Order
from promotions.models import Coupon
from tests.browser.test_order_journey import PASSWORD, product, sandbox_payments, sign_in  # noqa: F401
from tests.console.roles_helpers import desk_user
from tests.crm.audience_world import paid_order
from tests.crm.factories import MessageTemplateFactory
from tests.mall.factories import ShopFactory, UserFactory
from tests.promotions.factories import CouponTemplateFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
IN_PACK = 8  # the 活跃 members who spent ¥300 (module docstring)


def _world():
    """The members above with their daily profiles; no quiet hours, so the walk runs at any hour."""
    settings = ReachSettings.get_solo()
    settings.quiet_start = settings.quiet_end = time(0, 0)
    settings.save()
    shop, now = ShopFactory(), timezone.now()
    in_pack = []
    for amount, orders, n in (("150.00", 2, IN_PACK), ("50.00", 2, 2), ("300.00", 1, 3), ("0", 0, 2)):
        for _ in range(n):
            user = UserFactory()
            for k in range(orders):
                paid_order(user, shop, amount, now - timedelta(days=3 + k))
            if amount == "150.00":
                in_pack.append(user.pk)
    profiles_compute(today=timezone.localdate())
    sku = product("有机纯牛奶 12 盒", "120.00", (240, 240, 230))
    coupon = CouponTemplateFactory(name="会员日满99减20", threshold=Decimal("99.00"), amount=Decimal("20.00"),
                                   stock=100, in_claim_centre=False)
    template = MessageTemplateFactory(name="会员日", title="{nickname}，会员日专享券已到账",
                                      body="送您一张{coupon}，买牛奶正合适。", link=f"/p/{sku.product_id}/",
                                      coupon_template=str(coupon.pk))
    return in_pack, sku, coupon, template


def _admin_sign_in(page: Page, phone: str) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("[name=username]", phone)
    page.fill("[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url("**/admin/")


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH


def _pack_messages(send: PackSend):
    return Message.objects.filter(source_kind=SourceKind.PACK, source_id=send.pk)


def _staff_build_and_send(page: Page, screenshot, template) -> PackSend:
    # Build the pack from conditions, preview its count, save it.
    page.goto("/admin/crm/audiencepack/add/")
    page.fill("[name=name]", "活跃且消费满200")
    page.get_by_label("活跃", exact=True).check()
    page.fill("[name=min_spend]", "200")
    page.locator("input[name=_preview]").click()
    preview = page.locator(".messagelist .info")
    expect(preview).to_have_text(f"符合这些条件的会员现在有 {IN_PACK} 位（尚未保存）。")
    expect(page.locator("[name=min_spend]")).to_have_value("200")  # the form keeps what was typed
    assert not AudiencePack.objects.exists()
    screenshot(page, "crm-walk-01-pack-preview", full_page=True)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    pack = AudiencePack.objects.get()
    assert pack.conditions == {"stages": ["active"], "min_spend": "200.00"}
    expect(page.locator(".field-preview_count .readonly")).to_have_text(str(IN_PACK))

    # Start the small-group test from the pack's page.
    page.locator(".pack-send-link").click()
    page.select_option("[name=template]", label=template.name)
    page.fill("[name=test_percent]", "50")
    page.fill("[name=holdout_percent]", "25")
    screenshot(page, "crm-walk-02-send-form", full_page=True)
    page.locator("input[type=submit]").click()
    done = page.locator(".messagelist .success")
    expect(done).to_be_visible()
    send = PackSend.objects.get()
    sizes = dict(send.members.order_by().values_list("group").annotate(n=Count("id")))
    assert (send.frozen_count, sizes) == (IN_PACK, {"test": 4, "holdout": 2, "rest": 2})
    expect(done).to_have_text(f"已冻结 {IN_PACK} 位会员：测试组 {sizes['test']} 位（消息已排队），"
                              f"对照组 {sizes['holdout']} 位（不发送），"
                              f"其余 {sizes['rest']} 位（放量后发送）。")
    screenshot(page, "crm-walk-03-test-started", full_page=True)
    return send


def _staff_release(page: Page, screenshot, send: PackSend) -> None:
    page.goto("/admin/crm/packsend/")
    row = page.locator("#result_list tbody tr").first
    expect(row.locator(".field-groups")).to_have_text("测试组 4 · 对照组 2 · 其余会员 2")
    expect(row.locator(".field-sent")).to_have_text(str(_pack_messages(send).filter(
        state=MessageState.SENT).count()))
    screenshot(page, "crm-walk-04-sends-testing", full_page=True)
    row.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", "release")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist .success")).to_have_text("已放量：其余会员的 2 条消息已排队。")
    outbox_drain(budget_seconds=10)
    page.reload()
    expect(row.locator(".field-state")).to_have_text("已全量")
    expect(row.locator(".field-sent")).to_have_text("6")
    expect(row.locator(".field-conversion")).to_be_in_viewport()
    screenshot(page, "crm-walk-05-sends-released", full_page=True)


def _member_buys_with_the_coupon(page: Page, screenshot, member, coupon) -> Order:
    earlier = list(Order.objects.filter(user=member).values_list("pk", flat=True))  # the world's orders
    page.get_by_test_id("buy-now").click()
    page.get_by_test_id("add-address").click()
    page.fill("[name=receiver]", "王小明")
    page.fill("[name=phone]", "13800138000")
    page.select_option("[name=province]", "浙江省")
    page.select_option("[name=city]", "杭州市")
    expect(page.locator("[name=district] option", has_text="西湖区")).to_have_count(1)
    page.select_option("[name=district]", "西湖区")
    page.fill("[name=detail]", "文三路 100 号")
    page.get_by_test_id("address-save").click()
    expect(page.get_by_test_id("coupon-chosen")).to_contain_text(coupon.name)
    expect(page.get_by_test_id("checkout-discount")).to_have_text("-¥20.00")
    expect(page.get_by_test_id("checkout-total")).to_have_text("¥100.00")
    _no_sideways_scroll(page)
    screenshot(page, "crm-walk-10-checkout", full_page=True)
    page.get_by_test_id("place-order").click()
    page.wait_for_url("**/pay/sandbox/**")
    page.locator("button[name=pay]").click()
    order = Order.objects.exclude(pk__in=earlier).get(user=member)
    page.wait_for_url(f"**/orders/{order.number}/**")
    return order


@pytest.mark.usefixtures("sandbox_payments", "media_served")
def test_staff_send_a_pack_in_a_small_group_test_and_a_member_buys_with_its_coupon(desktop, page, screenshot):
    in_pack, sku, coupon, template = _world()
    staff = desk_user(OPS)

    # 1–2. Staff build the pack, preview it, save it and start the small-group test.
    _admin_sign_in(desktop, staff.phone)
    send = _staff_build_and_send(desktop, screenshot, template)
    groups = {g: set(send.members.filter(group=g).values_list("user_id", flat=True))
              for g in PackMember.Group.values}
    assert set().union(*groups.values()) == set(in_pack)

    # The dispatcher runs: the test group gets its message, nobody else does yet.
    outbox_drain(budget_seconds=10)
    sent = _pack_messages(send).filter(state=MessageState.SENT)
    assert set(sent.values_list("user_id", flat=True)) == groups["test"]

    # Staff release the send to the rest; the dispatcher runs again.
    _staff_release(desktop, screenshot, send)
    per_member = dict(_pack_messages(send).order_by().values_list("user_id").annotate(n=Count("id")))
    assert per_member == dict.fromkeys(groups["test"] | groups["rest"], 1)  # never the hold-out, never twice
    assert set(sent.values_list("user_id", flat=True)) == groups["test"] | groups["rest"]
    assert Coupon.objects.filter(template=coupon).count() == 6

    # 3. A member of the rest signs in on the phone: 我的 shows one unread message.
    member = User.objects.get(pk=sorted(groups["rest"])[0])
    message = Message.objects.get(user=member)
    sign_in(page, member.phone, "/me/")
    expect(page.get_by_test_id("menu-inbox-badge")).to_have_text("1")
    _no_sideways_scroll(page)
    screenshot(page, "crm-walk-06-me-badge")

    page.get_by_test_id("menu-inbox").click()
    page.wait_for_url("**/me/messages/")
    expect(page.get_by_test_id("inbox-message")).to_have_count(1)
    expect(page.get_by_test_id("unread-dot")).to_have_count(1)
    _no_sideways_scroll(page)
    screenshot(page, "crm-walk-07-inbox")

    # Reading it marks it read; the coupon it brought is on the page.
    page.get_by_test_id("inbox-message").click()
    expect(page.get_by_test_id("message-title")).to_have_text(f"{member.nickname}，会员日专享券已到账")
    expect(page.get_by_test_id("message-text")).to_have_text("送您一张会员日满99减20，买牛奶正合适。")
    expect(page.get_by_test_id("message-coupon").get_by_test_id("coupon-name")).to_have_text(coupon.name)
    _no_sideways_scroll(page)
    screenshot(page, "crm-walk-08-message", full_page=True)
    message.refresh_from_db()
    assert message.read_at is not None

    # Its coupon: in 我的优惠券, unused.
    page.get_by_test_id("message-coupon").click()
    page.wait_for_url("**/me/coupons/")
    expect(page.get_by_test_id("coupon-name")).to_have_text(coupon.name)
    expect(page.get_by_test_id("tab-unused")).to_contain_text("(1)")
    _no_sideways_scroll(page)
    screenshot(page, "crm-walk-09-my-coupons")

    # The badge is gone.
    page.goto("/me/")
    expect(page.get_by_test_id("menu-inbox")).to_be_visible()
    expect(page.get_by_test_id("menu-inbox-badge")).to_have_count(0)

    # Follow the message to its product and buy with the coupon: ¥120.00 − ¥20.00, free shipping (≥ ¥99).
    page.goto(f"/me/messages/{message.pk}/")
    page.get_by_test_id("message-go").click()
    page.wait_for_url(f"**/p/{sku.product_id}/")
    _no_sideways_scroll(page)
    order = _member_buys_with_the_coupon(page, screenshot, member, coupon)
    expect(page.get_by_test_id("order-discount")).to_have_text("-¥20.00")
    _no_sideways_scroll(page)
    screenshot(page, "crm-walk-11-order", full_page=True)

    order.refresh_from_db()
    assert (order.subtotal, order.discount_amount, order.shipping_fee, order.total_amount) == (
        Decimal("120.00"), Decimal("20.00"), Decimal("0.00"), Decimal("100.00"))
    assert order.paid_at is not None
    used = Coupon.objects.get(user=member)
    assert (used.grant_key, used.order_id, used.discount_amount) == (
        f"crm-message-{message.pk}", order.pk, Decimal("20.00"))
    message.refresh_from_db()
    assert message.clicked_at is not None

    # Back in the console, the send's conversion counts the member's order in the rest group.
    desktop.goto("/admin/crm/packsend/")
    expect(desktop.locator("#result_list tbody tr .field-conversion")).to_have_text(
        "测试组: 0/4; 对照组: 0/2; 其余会员: 1/2")
    screenshot(desktop, "crm-walk-12-sends-conversion")
