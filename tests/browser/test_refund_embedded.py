"""Two partial refunds of one line, in a browser, on the embedded database ``make run`` uses.

Seen on a fresh clone before money became integer fen: on SQLite, buy 3 × ¥69.90, refund
one unit, then the other two — the second refund notice failed with a 500 on every
redelivery (69.90 + 139.80 > 209.70 in binary floating point). This test starts the real
development server (``runserver``, SQLite file, in-process Celery, sandbox payments) in a
subprocess, whatever database the rest of the suite uses, and walks the shopper and staff
through it in Chromium.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, horizontal_overflow

pytestmark = [pytest.mark.browser]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Quanzi-test-123"
SETUP = """
from decimal import Decimal
from orders.models import Address
from tests.mall.factories import ProductFactory, SKUFactory, UserFactory
sku = SKUFactory(product=ProductFactory(title="高山乌龙茶 250g"), price=Decimal("69.90"), stock=10, specs={})
shopper = UserFactory(phone="13912345678", nickname="小美")
Address.objects.create(user=shopper, receiver="王小明", phone="13800138000", province="浙江省", city="杭州市",
                       district="西湖区", detail="文三路 100 号", is_default=True)
UserFactory(phone="13800000000", nickname="客服小张", is_staff=True, is_superuser=True)
print(sku.product_id)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded_site(tmp_path: Path) -> Iterator[tuple[str, Path, int]]:
    """A development server on a fresh SQLite file: (base URL, database file, product id)."""
    port = _free_port()
    db = tmp_path / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=f"sqlite:///{db}",
               DJANGO_MEDIA_ROOT=str(tmp_path / "media"), PAYMENT_SANDBOX_KEY_DIR=str(tmp_path / "keys"),
               PAYMENT_SANDBOX_AUTOGENERATE_KEYS="true", PAYMENT_NOTIFY_BASE_URL=f"http://127.0.0.1:{port}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    product_id = int(subprocess.run([*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True,
                                    capture_output=True, text=True).stdout.split()[-1])
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url, db, product_id
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _staff(browser: Browser, url: str) -> Page:
    desk = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    admin = desk.new_page()
    admin.goto("/admin/login/")
    admin.fill("[name=username]", "13800000000")
    admin.fill("[name=password]", PASSWORD)
    admin.locator("input[type=submit]").click()
    admin.wait_for_url("**/admin/")
    return admin


def _refund_units(page: Page, admin: Page, units: int) -> None:
    """The shopper asks for ``units`` back; staff approve and refund in the admin."""
    page.get_by_test_id("order-row").get_by_test_id("item-aftersale-new").click()
    page.locator("input[name=kind][value=refund_only]").check(force=True)
    page.select_option("[name=quantity]", str(units))
    page.select_option("[name=reason]", index=1)
    page.get_by_test_id("aftersale-submit").click()
    expect(page.get_by_test_id("aftersale-state")).to_have_text("等待商家审核")
    admin.goto("/admin/orders/aftersale/")
    admin.locator("#result_list tbody tr a").first.click()
    for action in ("a.aftersale-approve", "a.aftersale-refund"):
        admin.locator(action).click()
        admin.locator("input[type=submit][value]").last.click()
        expect(admin.locator(".messagelist .success")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("aftersale-state")).to_have_text("已退款")


def test_refunding_a_line_in_two_steps_on_the_embedded_database(browser, embedded_site, screenshot):
    url, db, product_id = embedded_site
    page = browser.new_context(base_url=url, **PHONE).new_page()
    page.set_default_timeout(15_000)

    # The shopper buys 3 × ¥69.90 and pays in the sandbox cashier.
    page.goto(f"/signin/?next=/p/{product_id}/")
    page.fill("[name=phone]", "13912345678")
    page.fill("[name=password]", PASSWORD)
    page.get_by_test_id("signin-submit").click()
    page.wait_for_url(f"**/p/{product_id}/")
    page.get_by_test_id("sku-choice").click()  # the SKU sheet holds the quantity
    page.get_by_test_id("quantity").fill("3")
    page.get_by_test_id("sheet-add-to-cart").click()
    expect(page.get_by_test_id("message")).to_have_text("已加入购物车")
    page.goto("/cart/")
    expect(page.get_by_test_id("cart-subtotal")).to_have_text("¥209.70")
    page.get_by_test_id("cart-checkout").click()
    page.get_by_test_id("place-order").click()
    page.wait_for_url("**/pay/sandbox/**")
    page.locator("button[name=pay]").click()
    page.wait_for_url("**/orders/Q*/**")
    expect(page.get_by_test_id("order-state")).to_have_text("待发货")
    order_url = page.url

    # Staff ship it; the shopper confirms receipt.
    admin = _staff(browser, url)
    admin.goto("/admin/orders/order/")
    admin.locator("#result_list tbody tr a").first.click()
    admin.locator("a.ship-link").click()
    admin.select_option("[name=carrier]", "顺丰速运")  # a list of carriers
    admin.fill("[name=tracking_no]", "SF1234567890")
    admin.locator("input[type=submit]").click()
    page.reload()
    page.get_by_test_id("order-confirm-receipt").click()
    page.get_by_test_id("confirm-ok").click()  # the in-page confirmation sheet
    expect(page.get_by_test_id("order-state")).to_have_text("已完成")

    # One unit back, then the other two: both refunds go through.
    _refund_units(page, admin, 1)
    expect(page.get_by_test_id("aftersale-refunded")).to_have_text("¥69.90 已原路退回。")
    page.goto(order_url)
    _refund_units(page, admin, 2)
    expect(page.get_by_test_id("aftersale-refunded")).to_have_text("¥139.80 已原路退回。")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "embedded-refund-second")

    # The database holds exact fen: every unit refunded, exactly what was paid.
    with sqlite3.connect(db) as conn:
        paid, refunded, units = conn.execute(
            "SELECT paid_amount, refunded_amount, refunded_quantity FROM orders_orderitem").fetchone()
        refunds = conn.execute("SELECT state, amount FROM orders_refund ORDER BY id").fetchall()
    assert (paid, refunded, units) == (20970, 20970, 3)
    assert refunds == [("succeeded", 6990), ("succeeded", 13980)]
