"""The dashboard (the admin home): today and yesterday, the to-dos, the 30-day charts.

Figures come from the daily tables (today's is rewritten every 10 minutes by the beat task;
the page says when); the to-do counts are live. Every query here is an indexed lookup or a
scan of at most 31 days of the daily tables, so the page stays fast at a million orders.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from console.dates import local_today
from console.models import DailyNewMembers, RollupRun
from console.selectors.figures import (
    SOURCES,
    SalesFigures,
    liability_by_day,
    new_members_by_day,
    sales_by_day,
)
from console.selectors.filters import ReportFilter
from distribution.models import ApplicationState, ResellerApplication, Withdrawal
from orders.models import AfterSale, AfterSaleState, Order, OrderState, Refund, RefundState

CHART_DAYS = 30


@dataclass(frozen=True)
class DayCard:
    day: datetime.date
    sales: SalesFigures
    new_members: dict[str, int]
    new_resellers: int

    @property
    def new_members_total(self) -> int:
        return sum(self.new_members.values())


@dataclass(frozen=True)
class Todo:
    key: str
    label: str
    count: int
    url: str


def day_cards(today: datetime.date) -> list[DayCard]:
    """Today and yesterday."""
    f = ReportFilter(first=today - datetime.timedelta(days=1), last=today)
    members: dict[datetime.date, dict[str, int]] = {d: dict.fromkeys(SOURCES, 0) for d in (f.first, f.last)}
    resellers = dict.fromkeys((f.first, f.last), 0)
    for row in (DailyNewMembers.objects.filter(f.day_q()).values("day", "source")
                .annotate(n=Sum("new_members"), r=Sum("new_resellers")).order_by()):
        members[row["day"]][row["source"]] = members[row["day"]].get(row["source"], 0) + row["n"]
        resellers[row["day"]] += row["r"]
    sales = dict(sales_by_day(f))
    return [DayCard(day=d, sales=sales[d], new_members=members[d], new_resellers=resellers[d])
            for d in (f.last, f.first)]


def _changelist(name: str, query: str) -> str:
    return f"{reverse(f'admin:{name}_changelist')}?{query}"


# Each to-do: (key, label, the list's admin name, its view permission, the rows, the filter).
TODOS = (
    ("to_ship", _("To ship"), "orders_order", "orders.view_order",
     lambda: Order.objects.filter(state=OrderState.PAID),
     f"state__exact={OrderState.PAID}"),
    ("aftersales", _("After-sales to review"), "orders_aftersale", "orders.view_aftersale",
     lambda: AfterSale.objects.filter(state=AfterSaleState.REQUESTED),
     f"state__exact={AfterSaleState.REQUESTED}"),
    ("refund_anomalies", _("Refund anomalies"), "orders_refund", "orders.view_refund",
     lambda: Refund.objects.filter(state=RefundState.APPLY_FAILED),
     f"state__exact={RefundState.APPLY_FAILED}"),
    ("withdrawals_review", _("Withdrawals to review"), "distribution_withdrawal",
     "distribution.view_withdrawal",
     lambda: Withdrawal.objects.filter(state=Withdrawal.State.REQUESTED),
     f"queue={Withdrawal.State.REQUESTED}"),
    ("withdrawals_pay", _("Withdrawals to pay out"), "distribution_withdrawal",
     "distribution.view_withdrawal",
     lambda: Withdrawal.objects.filter(state=Withdrawal.State.APPROVED),
     f"queue={Withdrawal.State.APPROVED}"),
    ("applications", _("Reseller applications"), "distribution_resellerapplication",
     "distribution.view_resellerapplication",
     lambda: ResellerApplication.objects.filter(state=ApplicationState.REQUESTED),
     f"state__exact={ApplicationState.REQUESTED}"),
)


def todos(*, user: object = None) -> list[Todo]:
    """What staff should act on now, each linking to its filtered list: only the lists
    ``user`` may open (a 客服 desk sees no withdrawal queue); every list when ``user`` is None."""
    return [Todo(key=key, label=str(label), count=rows().count(), url=_changelist(admin_name, query))
            for key, label, admin_name, permission, rows, query in TODOS
            if user is None or user.has_perm(permission)]


def chart_series(f: ReportFilter) -> dict:
    """Every day of the range, oldest first: what the charts draw (the dashboard's 7-day
    view is the last 7 of its 30)."""
    liability = {row.day: row for row in liability_by_day(f)}
    sales = sales_by_day(f)
    members = new_members_by_day(f)
    return {
        "labels": {"gmv": str(_("GMV")), "orders": str(_("Paid orders")), "members": str(_("Members joined")),
                   "resellers": str(_("New resellers")), "liability": str(_("Total liability"))},
        "days": [d.isoformat() for d, _s in sales],
        "gmv": [str(s.gmv) for _d, s in sales],
        "orders": [s.paid_orders for _d, s in sales],
        "new_members": [n for _d, n, _r in members],
        "new_resellers": [r for _d, _n, r in members],
        "liability": [str(liability[d].pending + liability[d].available + liability[d].held)
                      if d in liability else None for d, _s in sales],
    }


def dashboard(*, today: datetime.date | None = None, user: object = None) -> dict:
    today = today or local_today()
    run = RollupRun.objects.filter(day=today).first()
    last_30 = ReportFilter(first=today - datetime.timedelta(days=CHART_DAYS - 1), last=today)
    return {"cards": day_cards(today), "todos": todos(user=user), "charts": chart_series(last_30),
            "rolled_up_at": run.finished_at if run else None}
