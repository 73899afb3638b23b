"""Reports and exports: staff only, one named permission each; filters; CSV and Excel
answers streamed and read back."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.http import FileResponse, StreamingHttpResponse

from tests.console.test_dashboard import staff
from tests.mall.factories import UserFactory

D = Decimal


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def read_csv(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Chinese text as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_cells(response) -> list[str]:
    """The texts and numbers of the first sheet, in order (inline strings in constant-memory mode)."""
    with zipfile.ZipFile(io.BytesIO(body(response))) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    return re.findall(r"<t[^>]*>([^<]*)</t>|<v>([^<]*)</v>", xml)


URLS = [
    ("/admin/console/reports/", "view_reports"),
    ("/admin/console/reports/export/sales.csv", "export_reports"),
    ("/admin/console/reports/export/cohorts.xlsx", "export_reports"),
    ("/admin/console/finance/export/orders.csv", "export_finance"),
    ("/admin/console/finance/export/withdrawals.xlsx", "export_finance"),
]


@pytest.mark.parametrize(("url", "codename"), URLS)
def test_each_page_needs_staff_and_its_permission(db, client, url, codename):
    assert client.get(url).status_code == 302  # anonymous → the admin sign-in
    client.force_login(UserFactory(is_staff=False))
    assert client.get(url).status_code == 302  # a shopper → the admin sign-in
    client.force_login(staff(*{"view_reports", "export_reports", "export_finance"} - {codename}))
    assert client.get(url).status_code == 403  # staff with every other console permission
    client.force_login(staff(codename))
    assert client.get(url).status_code == 200


def test_reports_page_with_a_date_range_shows_the_figures(world, client):
    client.force_login(staff("view_reports"))

    page = client.get("/admin/console/reports/", {"first": world.B.isoformat(),
                                                 "last": world.day(3).isoformat()}).content.decode()

    # GMV 280.00, 5 orders, 客单价 56.00, refund rate 40/280 = 14.29 %.
    assert 'data-testid="sum-gmv">¥280.00<' in page
    assert 'data-testid="sum-orders">5<' in page
    assert 'data-testid="sum-aov">¥56.00<' in page
    assert 'data-testid="sum-refund-rate">14.29%<' in page
    assert 'data-testid="repurchase-30">25.00%<' in page and 'data-testid="repurchase-90">50.00%<' in page
    assert 'data-testid="finance-exports"' not in page  # no export_finance
    assert 'data-testid="export-sales-csv"' not in page  # no export_reports


def test_reports_filters_by_shop_and_level(world, client):
    client.force_login(staff("view_reports"))
    query = {"first": world.B.isoformat(), "last": world.day(3).isoformat()}

    by_shop = client.get("/admin/console/reports/", {**query, "shop": world.SA.pk}).content.decode()
    by_level = client.get("/admin/console/reports/", {**query, "level": world.silver.pk}).content.decode()

    assert 'data-testid="sum-gmv">¥170.00<' in by_shop
    assert 'data-testid="sum-gmv">¥110.00<' in by_level


def test_a_wrong_range_is_refused_with_a_message_and_the_default_range(world, client):
    client.force_login(staff("view_reports"))

    response = client.get("/admin/console/reports/", {"first": world.day(3).isoformat(),
                                                     "last": world.B.isoformat()})

    assert "开始日期不能晚于结束日期。" in response.content.decode()
    assert response.context["filter"].days == 30


def test_sales_csv_export_reads_back(world, client):
    client.force_login(staff("export_reports"))

    response = client.get("/admin/console/reports/export/sales.csv",
                          {"first": world.B.isoformat(), "last": world.day(3).isoformat()})

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="sales-')
    rows = read_csv(response)
    assert rows[0] == ["日期", "GMV（成交额）", "支付订单数", "客单价", "退款笔数", "退款金额", "退款率（%）"]
    assert rows[1:] == [
        [world.B.isoformat(), "180.00", "2", "90.00", "0", "0.00", "0.00"],
        [world.day(1).isoformat(), "50.00", "2", "25.00", "0", "0.00", "0.00"],
        [world.day(2).isoformat(), "0.00", "0", "", "1", "40.00", ""],
        [world.day(3).isoformat(), "50.00", "1", "50.00", "0", "0.00", "0.00"],
    ]


def test_cohort_excel_export_reads_back(world, client):
    client.force_login(staff("export_reports"))

    response = client.get("/admin/console/reports/export/cohorts.xlsx",
                          {"first": world.B.isoformat(), "last": world.day(3).isoformat()})

    assert isinstance(response, FileResponse)
    cells = [text or number for text, number in xlsx_cells(response)]
    # Header, then B: 3 members, retention 66.67 / 66.67 %, LTV 73.33 / 93.33 / 93.33.
    assert cells[:7] == ["注册日期", "人数", "7 日留存（%）", "30 日留存（%）", "30 日 LTV", "90 日 LTV",
                         "180 日 LTV"]
    assert cells[7:14] == [world.B.isoformat(), "3", "66.67", "66.67", "73.33", "93.33", "93.33"]


def test_every_report_table_exports_in_both_formats(world, client):
    client.force_login(staff("export_reports"))
    tables = ["sales", "members-by-source", "members-by-day", "members-by-reseller", "cohorts", "repurchase",
              "liability", "top-resellers", "top-products"]

    for table in tables:
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/admin/console/reports/export/{table}.{fmt}")
            assert response.status_code == 200, (table, fmt)
            assert len(body(response)) > 20
    assert client.get("/admin/console/reports/export/nothing.csv").status_code == 404
    assert client.get("/admin/console/reports/export/sales.pdf").status_code == 404


def test_finance_export_of_orders_for_a_date_range(world, client):
    client.force_login(staff("export_finance"))

    rows = read_csv(client.get("/admin/console/finance/export/orders.csv",
                               {"first": world.B.isoformat(), "last": world.day(1).isoformat()}))

    # Placed B … B+1 (created 2 minutes before payment): o1, o3, o4, o6 in time order.
    assert [(r[0][:9], r[2][:10], r[3], r[11]) for r in rows[1:]] == [
        ("Q20260101", world.B.isoformat(), "已完成", "100.00"),
        ("Q20260101", world.B.isoformat(), "待收货", "80.00"),
        ("Q20260101", world.day(1).isoformat(), "待发货", "30.00"),
        ("Q20260101", world.day(1).isoformat(), "已收货", "20.00"),
    ]
    assert {r[7] for r in rows[1:]} <= {f"{u.phone[:3]}****{u.phone[-4:]}" for u in world.c.values()}


def test_finance_exports_of_items_commission_ledger_withdrawals(world, client):
    from console.dates import local_today

    client.force_login(staff("export_finance"))
    day0, today = world.B.isoformat(), local_today().isoformat()

    items = read_csv(client.get("/admin/console/finance/export/order-items.csv",
                                {"first": day0, "last": day0}))
    assert [(r[5], r[9], r[12]) for r in items[1:]] == [("商品X", "2", "100.00"), ("商品X", "1", "80.00")]
    commission = read_csv(client.get("/admin/console/finance/export/commission.csv",
                                     {"first": day0, "last": world.day(1).isoformat()}))
    assert [(r[12], r[14]) for r in commission[1:]] == [
        ("10.00", "待结算"), ("8.00", "已结算"), ("3.00", "已取消")]
    ledger = read_csv(client.get("/admin/console/finance/export/ledger.csv", {"first": today, "last": today}))
    # +25.00 (mA), −5.00 (mB), two holds of mA: −7.00, −3.00 available.
    assert [r[5] for r in ledger[1:]] == ["25.00", "-5.00", "-7.00", "-3.00"]
    withdrawals = read_csv(client.get("/admin/console/finance/export/withdrawals.csv",
                                      {"first": today, "last": today}))
    assert [(r[3], r[7]) for r in withdrawals[1:]] == [("7.00", "待审核"), ("3.00", "已通过")]
    # A bad range is a 400 with the reason, not an empty file.
    refused = client.get("/admin/console/finance/export/ledger.csv", {"first": today, "last": day0})
    assert refused.status_code == 400


def test_reports_take_at_most_a_year_but_finance_exports_any_range(world, client):
    client.force_login(staff("view_reports", "export_finance"))

    report = client.get("/admin/console/reports/", {"first": "2020-01-01", "last": "2021-01-01"})
    export = client.get("/admin/console/finance/export/orders.csv",
                        {"first": "2000-01-01", "last": "2100-12-31"})

    assert "最多选择 366 天。" in report.content.decode()
    # All 7 orders of the world (o7 unpaid included) and the header.
    assert len(read_csv(export)) == 8
