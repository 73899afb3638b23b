"""The dashboard on the admin home: today and yesterday, to-dos that link to filtered lists,
the 30-day chart data — against the hand-built world."""

from decimal import Decimal

from django.contrib.auth.models import Permission

from console.selectors.dashboard import dashboard
from tests.mall.factories import UserFactory

D = Decimal


def staff(*codenames: str):
    """A staff member with these permissions: ``codename`` (console's) or ``app.codename``."""
    user = UserFactory(is_staff=True)
    labels = [c if "." in c else f"console.{c}" for c in codenames]
    user.user_permissions.set([Permission.objects.get(content_type__app_label=label.split(".")[0],
                                                      codename=label.split(".")[1]) for label in labels])
    return user


def test_today_and_yesterday_cards(world):
    today, yesterday = dashboard(today=world.day(1))["cards"]

    # "Today" = B+1: o4 30 + o6 20 = 50.00, 2 orders, 客单价 25.00; no refund; c4 joined (none).
    assert (today.day, today.sales.gmv, today.sales.paid_orders, today.sales.aov) == (
        world.day(1), D("50.00"), 2, D("25.00"))
    assert (today.sales.refunds, today.new_members_total, today.new_members[""], today.new_resellers) == (
        0, 1, 1, 0)
    # "Yesterday" = B: o1 100 + o3 80 = 180.00, 2 orders, 客单价 90.00; c1 link, c2 QR, c3 code;
    # mA became a reseller.
    assert (yesterday.sales.gmv, yesterday.sales.paid_orders, yesterday.sales.aov) == (
        D("180.00"), 2, D("90.00"))
    assert {k: v for k, v in yesterday.new_members.items() if v} == {"link": 1, "qr": 1, "code": 1}
    assert yesterday.new_resellers == 1


def test_todo_counts_and_their_links(world):
    todos = {t.key: t for t in dashboard(today=world.day(1))["todos"]}

    # To ship: o4, o2, o5 (paid); after-sale on o6; r3 退款异常; w1 requested, w2 approved;
    # c1's application.
    assert {k: t.count for k, t in todos.items()} == {
        "to_ship": 3, "aftersales": 1, "refund_anomalies": 1, "withdrawals_review": 1,
        "withdrawals_pay": 1, "applications": 1}
    assert todos["to_ship"].url == "/admin/orders/order/?state__exact=paid"
    assert todos["withdrawals_pay"].url == "/admin/distribution/withdrawal/?queue=approved"


def test_todo_links_open_lists_with_exactly_those_rows(world, client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    for todo in dashboard(today=world.day(1))["todos"]:
        response = client.get(todo.url)
        assert response.status_code == 200, todo.url
        assert response.context["cl"].result_count == todo.count, todo.key


def test_chart_data_for_the_last_30_days(world):
    charts = dashboard(today=world.day(3))["charts"]

    assert len(charts["days"]) == 30 and charts["days"][-1] == world.day(3).isoformat()
    # The last four days B … B+3: GMV 180, 50, 0, 50; orders 2, 2, 0, 1; joined 3, 1, 0, 0.
    assert charts["gmv"][-4:] == ["180.00", "50.00", "0.00", "50.00"]
    assert charts["orders"][-4:] == [2, 2, 0, 1]
    assert charts["new_members"][-4:] == [3, 1, 0, 0]
    # Liability = pending + available + held at each day's end: 18, 18, 10, 10; B−1: 0; the
    # days before were never rolled up (no point).
    assert charts["liability"][-5:] == ["0.00", "18.00", "18.00", "10.00", "10.00"]
    assert charts["liability"][0] is None


def test_admin_home_shows_the_dashboard_to_staff_with_the_permission(world, client):
    client.force_login(staff("view_dashboard", "orders.view_order"))

    page = client.get("/admin/").content.decode()

    assert 'data-testid="dashboard"' in page
    assert "数据看板" in page and "待发货" in page
    # A to-do shows only when the desk may open its list: no withdrawal queue here.
    assert "待审核提现" not in page and "/admin/distribution/withdrawal/" not in page
    assert "console/vendor/chart-4.6.1.umd.min.js" in page
    assert 'data-testid="reports-link"' not in page  # no view_reports


def test_admin_home_without_the_permission_is_the_plain_app_list(world, client):
    client.force_login(staff())

    response = client.get("/admin/")

    assert response.status_code == 200
    assert 'data-testid="dashboard"' not in response.content.decode()


def test_dashboard_query_count_does_not_grow_with_the_data(world, client, django_assert_max_num_queries):
    client.force_login(staff("view_dashboard", "view_reports"))

    # Session, user, permissions, 6 to-dos, cards, 30-day series, rollup run, app list…
    with django_assert_max_num_queries(25):
        client.get("/admin/")


def test_the_console_speaks_english_too(world, client):
    client.force_login(staff("view_dashboard", "view_reports", "orders.view_order",
                             "distribution.view_withdrawal"))

    home = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    reports = client.get("/admin/console/reports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Dashboard" in home and "To ship" in home and "Withdrawals to pay out" in home
    assert "Retention and LTV by sign-up cohort" in reports and "Top products" in reports
