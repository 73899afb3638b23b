"""The staff console in headless Chromium: a finance user (财务) opens the dashboard at
1366 px, changes the reports' date range, checks a figure and a chart's data against the
hand-built world (tests/console/world.py), exports a CSV and reads it back. The same pages at
390 px have no sideways scroll. Screenshots: ``test-artifacts/console-*.png``.

The world's day B is yesterday here, so the dashboard's "today" is B+1 and "yesterday" is B.
"""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from config.roles import FINANCE as FINANCE_DESK
from config.roles import roles_sync
from console.dates import local_today
from tests.browser.conftest import LAUNCH_ARGS, PHONE, horizontal_overflow  # noqa: F401
from tests.console.conftest import roll_up_world
from tests.console.world import build_world
from tests.mall.factories import UserFactory

# PostgreSQL: the world posts ledger entries, and on SQLite the append-only ledger's trigger
# refuses the flush that ends a transaction=True test (as in test_earnings).
pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "Quanzi-test-123"  # tests.mall.factories.UserFactory
FINANCE = ("view_dashboard", "view_reports", "export_reports", "export_finance")


def finance_user():
    """Staff in the real 财务 desk (config/roles.py, synced here: a browser test's database is
    flushed between tests, so the migration's groups may be gone)."""
    roles_sync()
    group = Group.objects.get(name=FINANCE_DESK)
    assert {f"console.{c}" for c in FINANCE} <= {f"{p.content_type.app_label}.{p.codename}"
                                                 for p in group.permissions.select_related("content_type")}
    user = UserFactory(is_staff=True, nickname="财务小王")
    user.groups.add(group)
    return user


def sign_in(page: Page, phone: str) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("[name=username]", phone)
    page.fill("[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url("**/admin/")


def chart_data(page: Page, canvas: str, dataset: int = 0) -> list:
    return page.evaluate(f"Chart.getChart(document.getElementById('{canvas}')).data.datasets[{dataset}].data")


def test_finance_staff_use_the_dashboard_reports_and_a_csv_export(desktop, screenshot):
    w = build_world(B=local_today() - datetime.timedelta(days=1))
    roll_up_world(w)
    user = finance_user()
    page = desktop

    sign_in(page, user.phone)
    dashboard = page.get_by_test_id("dashboard")
    expect(dashboard).to_be_visible()
    # Today (B+1): o4 30 + o6 20 = 50.00 in 2 orders; yesterday (B): 180.00.
    expect(page.get_by_test_id("day-0").get_by_test_id("gmv")).to_have_text("¥50.00")
    expect(page.get_by_test_id("day-0").get_by_test_id("aov")).to_have_text("¥25.00")
    expect(page.get_by_test_id("day-1").get_by_test_id("gmv")).to_have_text("¥180.00")
    expect(page.get_by_test_id("todo-to_ship")).to_contain_text("3")
    # The 7-day chart: nothing before B, then 180 (B) and 50 (B+1).
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('chart-sales'))")
    assert chart_data(page, "chart-sales") == [0, 0, 0, 0, 0, 180, 50]
    page.click("[data-days='30']")
    assert len(chart_data(page, "chart-sales")) == 30
    assert horizontal_overflow(page) <= 0
    screenshot(page, "console-01-dashboard-1366", full_page=True)

    page.get_by_test_id("reports-link").click()
    page.fill("[name=first]", w.B.isoformat())
    page.fill("[name=last]", w.day(3).isoformat())
    page.get_by_test_id("apply-filters").click()
    # B … B+3: 280.00 in 5 orders; the chart shows 180, 50, 0, 50.
    expect(page.get_by_test_id("sum-gmv")).to_have_text("¥280.00")
    expect(page.get_by_test_id("sum-refund-rate")).to_have_text("14.29%")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('chart-sales'))")
    assert chart_data(page, "chart-sales") == [180, 50, 0, 50]
    assert chart_data(page, "chart-sales", 1) == [2, 2, 0, 1]
    assert horizontal_overflow(page) <= 0
    screenshot(page, "console-02-reports-1366", full_page=True)

    with page.expect_download() as download:
        page.get_by_test_id("export-sales-csv").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == [w.B.isoformat(), "180.00", "2", "90.00", "0", "0.00", "0.00"]
    assert [r[1] for r in rows[1:]] == ["180.00", "50.00", "0.00", "50.00"]

    with page.expect_download() as download:
        page.get_by_test_id("finance-orders-csv").click()
    orders = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    # Placed B … B+3: o1, o3, o4, o6, o2 and the unpaid o7 (placed now, today = B+1).
    assert sorted(r[11] for r in orders[1:]) == ["100.00", "20.00", "30.00", "50.00", "80.00", "999.00"]


def test_the_console_at_390_px_has_no_sideways_scroll(page, screenshot):
    w = build_world(B=local_today() - datetime.timedelta(days=1))
    roll_up_world(w)
    user = finance_user()

    sign_in(page, user.phone)
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('chart-sales'))")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert horizontal_overflow(page) <= 0
    screenshot(page, "console-03-dashboard-390", full_page=True)

    page.goto(f"/admin/console/reports/?first={w.B.isoformat()}&last={w.day(3).isoformat()}")
    expect(page.get_by_test_id("sum-gmv")).to_have_text("¥280.00")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('chart-sales'))")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert horizontal_overflow(page) <= 0
    screenshot(page, "console-04-reports-390", full_page=True)
