"""Every report figure against the hand-built world (tests/console/world.py): the expected
numbers are worked out by hand in the comments."""

from decimal import Decimal

from console.selectors.cohorts import repurchase, sign_up_cohorts
from console.selectors.figures import (
    new_members_by_inviter,
    new_members_by_source,
    sales_by_day,
    sales_summary,
    top_products,
    top_resellers,
)
from console.selectors.filters import ReportFilter

D = Decimal


def rng(w, first=0, last=3, **kw) -> ReportFilter:
    return ReportFilter(first=w.day(first), last=w.day(last), **kw)


def test_gmv_orders_aov_and_refund_rate_over_the_range(world):
    s = sales_summary(rng(world))

    # Paid in B … B+3: o1 100 + o3 80 (B), o4 30 + o6 20 (B+1), o2 50 (B+3) = 280.00, 5 orders;
    # o5 (B+40) is outside, o7 was never paid.
    assert (s.gmv, s.paid_orders) == (D("280.00"), 5)
    # 客单价 = 280.00 / 5 = 56.00
    assert s.aov == D("56.00")
    # Refunds that succeeded in the range: r1 40.00 (B+2); r2 failed, r3 is an anomaly.
    assert (s.refunds, s.refund_amount) == (1, D("40.00"))
    # Refund rate = 40.00 / 280.00 = 0.142857… → 0.1429
    assert s.refund_rate == D("0.1429")


def test_sales_by_day_puts_orders_on_their_local_payment_day(world):
    days = dict(sales_by_day(rng(world, -1, 3)))

    # o3 paid B 23:30 and o4 B+1 00:30 Shanghai time (both 15:30 / 16:30 UTC on day B):
    # B = o1 100 + o3 80 = 180.00 (2 orders, 客单价 90.00); B+1 = o4 30 + o6 20 = 50.00 (25.00).
    assert [(d - world.B).days for d in days] == [-1, 0, 1, 2, 3]
    assert (days[world.day(-1)].gmv, days[world.day(-1)].paid_orders, days[world.day(-1)].aov) == (
        D("0.00"), 0, None)
    assert (days[world.day(0)].gmv, days[world.day(0)].paid_orders, days[world.day(0)].aov) == (
        D("180.00"), 2, D("90.00"))
    assert (days[world.day(1)].gmv, days[world.day(1)].paid_orders, days[world.day(1)].aov) == (
        D("50.00"), 2, D("25.00"))
    # B+2: no order, the 40.00 refund: refund rate over no GMV is undefined (None, shown —).
    assert (days[world.day(2)].gmv, days[world.day(2)].refund_amount, days[world.day(2)].refund_rate) == (
        D("0.00"), D("40.00"), None)
    assert (days[world.day(3)].gmv, days[world.day(3)].paid_orders) == (D("50.00"), 1)


def test_shop_filter_keeps_the_orders_of_that_shop(world):
    s = sales_summary(rng(world, shop_id=world.SA.pk))

    # SA: o1 100 + o6 20 + o2 50 = 170.00, 3 orders, 客单价 56.67 (170/3 = 56.666… half up);
    # r1 (on o1) 40.00 → refund rate 40/170 = 0.23529… → 0.2353.
    assert (s.gmv, s.paid_orders, s.aov) == (D("170.00"), 3, D("56.67"))
    assert (s.refund_amount, s.refund_rate) == (D("40.00"), D("0.2353"))


def test_level_filter_keeps_the_shops_whose_owner_has_that_level(world):
    s = sales_summary(rng(world, level_id=world.silver.pk))

    # 银牌 = mB, shop SB: o3 80 + o4 30 = 110.00, 2 orders, 客单价 55.00, no refund.
    assert (s.gmv, s.paid_orders, s.aov, s.refund_amount) == (D("110.00"), 2, D("55.00"), D("0.00"))
    # Both filters: SB with 金牌 matches nothing.
    assert sales_summary(rng(world, shop_id=world.SB.pk, level_id=world.gold.pk)).paid_orders == 0


def test_members_joined_by_source(world):
    # Joined in B … B+3: c1 link, c2 QR, c3 code (B); c4 without an inviter (B+1).
    # mA and mB joined B−10: outside.
    assert new_members_by_source(rng(world)) == {
        "link": 1, "qr": 1, "code": 1, "staff": 0, "handover": 0, "": 1}
    # Only day B+1: c4.
    assert sum(new_members_by_source(rng(world, 1, 1)).values()) == 1
    # Shop SA's owner is mA, who brought c1 (link) and c2 (QR).
    assert new_members_by_source(rng(world, shop_id=world.SA.pk)) == {
        "link": 1, "qr": 1, "code": 0, "staff": 0, "handover": 0, "": 0}


def test_members_joined_by_reseller(world):
    rows = new_members_by_inviter(rng(world))

    # mA brought c1, c2 (2); mB brought c3 (1); c4 has no inviter and is not listed.
    assert [(r["member"].pk, r["new_members"]) for r in rows] == [(world.mA.pk, 2), (world.mB.pk, 1)]
    assert [r["member"].pk for r in new_members_by_inviter(rng(world, level_id=world.silver.pk))] == [
        world.mB.pk]


def test_retention_and_ltv_by_sign_up_cohort(world):
    cohorts = {c.day: c for c in sign_up_cohorts(rng(world))}

    b, b1 = cohorts[world.day(0)], cohorts[world.day(1)]
    # Cohort B = c1, c2, c3; cohort B+1 = c4.
    assert (b.size, b1.size) == (3, 1)
    # Retention counts paid orders on days join+1 … join+N:
    #   c1: o2 on B+3 (day 3) ✓   c2: o3 on B (day 0, not counted), o5 on B+40 (day 40) ✗
    #   c3: o4 on B+1 (day 1) ✓   → 7 days: 2/3 = 0.6667; 30 days: the same 2/3.
    assert (b.retention(7), b.retention(30)) == (D("0.6667"), D("0.6667"))
    #   c4: only o6 on its sign-up day → 0/1.
    assert (b1.retention(7), b1.retention(30)) == (D("0.0000"), D("0.0000"))
    # LTV = net paid on days join … join+N−1 / cohort size:
    #   30 days: c1 100 + 50 − 40 (r1) = 110, c2 80, c3 30 → 220 / 3 = 73.33
    #   90 and 180 days: + c2's o5 60 (day 40) → 280 / 3 = 93.33
    assert (b.ltv(30), b.ltv(90), b.ltv(180)) == (D("73.33"), D("93.33"), D("93.33"))
    #   c4: 20 / 1 = 20.00 at every horizon.
    assert (b1.ltv(30), b1.ltv(180)) == (D("20.00"), D("20.00"))
    # The shop filter keeps mA's invitees: cohort B = c1, c2: retention 1/2, LTV30 (110 + 80)/2 = 95.00.
    sa = sign_up_cohorts(rng(world, shop_id=world.SA.pk))
    assert [(c.size, c.retention(7), c.ltv(30)) for c in sa] == [(2, D("0.5000"), D("95.00"))]


def test_cohort_figures_wait_for_the_end_of_their_period(db):
    from console.dates import local_today
    from tests.console.conftest import roll_up_world
    from tests.console.world import build_world

    w = build_world(B=local_today() - __import__("datetime").timedelta(days=10))
    roll_up_world(w)

    cohort = sign_up_cohorts(ReportFilter(first=w.day(0), last=w.day(0)))[0]
    # Day B is 10 days ago: the 7-day windows are over (B+7 < today), 30 / 90 / 180 are not.
    assert cohort.retention(7) == D("0.6667")
    assert (cohort.retention(30), cohort.ltv(30), cohort.ltv(180)) == (None, None, None)


def test_repurchase_within_30_and_90_days(world):
    r = repurchase(rng(world))

    # First paid order in B … B+3: c1 (B), c2 (B), c3 (B+1), c4 (B+1) → 4 buyers.
    #   c1: second order o2 3 days after → within 30 and 90
    #   c2: second order o5 40 days after → within 90 only
    #   c3, c4: no second order
    assert r.buyers == 4
    assert (r.repeated[30], r.repeated[90]) == (1, 2)
    assert (r.rate(30), r.rate(90)) == (D("0.2500"), D("0.5000"))
    # A range whose buyers had their first order before it: B+3 holds only c1's second order.
    assert repurchase(rng(world, 3, 3)).buyers == 0


def test_top_resellers_and_products(world):
    resellers = top_resellers(rng(world))
    # SA 170.00 (3 orders) before SB 110.00 (2 orders).
    assert [(r["shop"].pk, r["figures"].gmv, r["figures"].paid_orders) for r in resellers] == [
        (world.SA.pk, D("170.00"), 3), (world.SB.pk, D("110.00"), 2)]

    products = top_products(rng(world))
    # X: o1 2 units 100 + o3 1 unit 80 = 3 units, 180.00, 2 shops
    # Y: o4 3 units 30 + o6 1 unit 20 + o2 1 unit 50 = 5 units, 100.00, 2 shops
    assert [(p["product"].pk, p["units"], p["amount"], p["shops"]) for p in products] == [
        (world.X.pk, 3, D("180.00"), 2), (world.Y.pk, 5, D("100.00"), 2)]
