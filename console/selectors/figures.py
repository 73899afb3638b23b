"""Report figures read from the daily tables (definitions: the README, "Reports")."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from common.fields import money_sum
from common.money import ZERO, round_half_up
from console.dates import days_between
from console.models import DailyLiability, DailyNewMembers, DailyProductSales, DailySales
from console.selectors.filters import ReportFilter
from distribution.models import BindSource, Member
from mall.models import Product, Shop

# 加粉 sources: every bind source, and "none" (joined without an inviter, or not bound yet).
# A poster carries the share link's QR code, so members from a poster count under "QR code".
SOURCE_NONE = ""
SOURCES = [*BindSource.values, SOURCE_NONE]


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part / whole`` as a fraction with 4 places (shown as a percentage), None over nothing."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def average(amount: Decimal, count: int) -> Decimal | None:
    """Money per unit, rounded half up to the fen; None over nothing."""
    return round_half_up(amount / count) if count else None


@dataclass(frozen=True)
class SalesFigures:
    gmv: Decimal
    paid_orders: int
    refunds: int
    refund_amount: Decimal

    @property
    def aov(self) -> Decimal | None:
        """客单价: GMV / paid orders."""
        return average(self.gmv, self.paid_orders)

    @property
    def refund_rate(self) -> Decimal | None:
        """Refund amount / GMV of the same days."""
        return ratio(self.refund_amount, self.gmv)


_SALES = {"gmv": money_sum("gmv"), "paid_orders": Coalesce(Sum("paid_orders"), 0),
          "refunds": Coalesce(Sum("refunds"), 0), "refund_amount": money_sum("refund_amount")}


def sales_summary(f: ReportFilter) -> SalesFigures:
    return SalesFigures(**DailySales.objects.filter(f.day_q(), f.shop_q()).aggregate(**_SALES))


def sales_by_day(f: ReportFilter) -> list[tuple[datetime.date, SalesFigures]]:
    """Every day of the range, days without sales included (as zeros)."""
    rows = {r.pop("day"): SalesFigures(**r) for r in
            DailySales.objects.filter(f.day_q(), f.shop_q()).values("day").annotate(**_SALES).order_by()}
    empty = SalesFigures(gmv=ZERO, paid_orders=0, refunds=0, refund_amount=ZERO)
    return [(day, rows.get(day, empty)) for day in days_between(f.first, f.last)]


def new_members_by_source(f: ReportFilter) -> dict[str, int]:
    """加粉: members who joined in the range, per bind source (every source, zeros included)."""
    counts = dict.fromkeys(SOURCES, 0)
    for row in (DailyNewMembers.objects.filter(f.day_q(), f.inviter_q()).values("source")
                .annotate(n=Sum("new_members")).order_by()):
        counts[row["source"]] = counts.get(row["source"], 0) + row["n"]
    return counts


def new_members_by_day(f: ReportFilter) -> list[tuple[datetime.date, int, int]]:
    """(day, new members, new resellers) for every day of the range."""
    rows = {r["day"]: (r["n"], r["r"]) for r in
            DailyNewMembers.objects.filter(f.day_q(), f.inviter_q()).values("day")
            .annotate(n=Sum("new_members"), r=Sum("new_resellers")).order_by()}
    return [(day, *rows.get(day, (0, 0))) for day in days_between(f.first, f.last)]


def new_members_by_inviter(f: ReportFilter, *, limit: int = 20) -> list[dict]:
    """加粉 by reseller: the uplines who brought the most new members in the range."""
    rows = list(DailyNewMembers.objects.filter(f.day_q(), f.inviter_q(), inviter__isnull=False)
                .values("inviter_id").annotate(n=Sum("new_members"), r=Sum("new_resellers"))
                .filter(n__gt=0).order_by("-n", "inviter_id")[:limit])
    members = Member.objects.select_related("user", "level").in_bulk([r["inviter_id"] for r in rows])
    return [{"member": members[r["inviter_id"]], "new_members": r["n"], "new_resellers": r["r"]}
            for r in rows]


def liability_by_day(f: ReportFilter) -> list[DailyLiability]:
    """The end-of-day liability of each rolled-up day of the range."""
    return list(DailyLiability.objects.filter(f.day_q()).order_by("day"))


def top_resellers(f: ReportFilter, *, limit: int = 20) -> list[dict]:
    """Resellers' shops by GMV in the range (the platform's own shop left out)."""
    rows = list(DailySales.objects.filter(f.day_q(), f.shop_q(), shop__is_platform=False)
                .values("shop_id").annotate(**_SALES).filter(paid_orders__gt=0)
                .order_by("-gmv", "shop_id")[:limit])
    shops = Shop.objects.select_related("owner").in_bulk([r["shop_id"] for r in rows])
    return [{"shop": shops[r.pop("shop_id")], "figures": SalesFigures(**r)} for r in rows]


def top_products(f: ReportFilter, *, limit: int = 20) -> list[dict]:
    """Products by paid amount of their items in orders paid in the range."""
    rows = list(DailyProductSales.objects.filter(f.day_q(), f.shop_q()).values("product_id")
                .annotate(units=Sum("quantity"), amount=money_sum("amount"), shops=Count("shop_id",
                                                                                          distinct=True))
                .order_by("-amount", "product_id")[:limit])
    products = Product.objects.in_bulk([r["product_id"] for r in rows])
    return [{"product": products[r["product_id"]], "units": r["units"], "amount": r["amount"],
             "shops": r["shops"]} for r in rows]
