"""Reads of the share funnel and the customer list, always of one reseller (``member``):
an id that is not theirs is ``ShareLinkNotFound`` (404), never someone else's figures.

The funnel reads only the roll-up (``ShareDaily``), never the raw visits: two queries
whatever the number of visits (figures per link; the links with their products).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.fields import MoneyField, money_sum, money_value
from common.money import ZERO
from distribution.funnel.errors import (
    CustomerFilterInvalid,
    DormantDaysInvalid,
    FunnelGroupingInvalid,
    FunnelPeriodInvalid,
    ShareLinkNotFound,
)
from distribution.models import Member, OrderAttribution, ShareDaily, ShareLink
from orders.models import OrderState

PERIODS = (7, 30)
GROUPINGS = ("link", "product")
NEW_CUSTOMER_DAYS = 7
DEFAULT_DORMANT_DAYS = 30


@dataclass
class FunnelRow:
    visitors: int = 0
    signups: int = 0
    orders: int = 0
    amount: Decimal = ZERO
    commission: Decimal = ZERO
    key: int | None = None  # the link's id (by link) or the product's id (by product; None: the shop)
    channel: str = ""  # by link
    product_id: int | None = None
    link: ShareLink | None = None  # loaded for the rows of the page shown only
    product: object | None = None  # mall.Product, or None for the shop

    def add(self, other: "FunnelRow") -> None:
        self.visitors += other.visitors
        self.signups += other.signups
        self.orders += other.orders
        self.amount += other.amount
        self.commission += other.commission


@dataclass
class Funnel:
    days: int
    since: date
    by: str
    totals: FunnelRow = field(default_factory=FunnelRow)
    rows: list[FunnelRow] = field(default_factory=list)  # every link or product, busiest first


def funnel_period(raw: object) -> int:
    """``7`` or ``30`` (the default when nothing is given); anything else is refused."""
    if raw in (None, ""):
        return PERIODS[0]
    try:
        days = int(str(raw))
    except ValueError:
        raise FunnelPeriodInvalid() from None
    if days not in PERIODS:
        raise FunnelPeriodInvalid()
    return days


def funnel_grouping(raw: object) -> str:
    if raw in (None, ""):
        return GROUPINGS[0]
    if raw not in GROUPINGS:
        raise FunnelGroupingInvalid()
    return str(raw)


def _sums() -> dict:
    return {"visitors": Sum("visitors"), "signups": Sum("signups"), "orders": Sum("orders"),
            "amount": money_sum("amount"), "commission": money_sum("commission")}


def _sort_key(row: FunnelRow) -> tuple:
    return (-row.amount, -row.orders, -row.signups, -row.visitors, row.key or 0)


def reseller_funnel(*, member: Member, days: int, by: str = "link") -> Funnel:
    """Per link or per product (the shop is the product ``None``), over the last ``days``
    days including today, busiest first: one aggregate over the roll-up (index on link,
    day), whatever the number of visits. Rows carry ids only; ``funnel_page_load`` loads
    the links or products of the page shown."""
    since = timezone.localdate() - timedelta(days=days - 1)
    funnel = Funnel(days=days, since=since, by=by)
    per_link = (ShareDaily.objects.filter(link__reseller_id=member.pk, day__gte=since)
                .values("link_id", "link__channel", "link__product_id").annotate(**_sums()).order_by())
    grouped: dict[int | None, FunnelRow] = {}
    for values in per_link:
        row = FunnelRow(visitors=values["visitors"] or 0, signups=values["signups"] or 0,
                        orders=values["orders"] or 0, amount=values["amount"],
                        commission=values["commission"],
                        key=values["link_id"], channel=values["link__channel"],
                        product_id=values["link__product_id"])
        funnel.totals.add(row)
        if by == "link":
            grouped[row.key] = row
        else:
            empty = FunnelRow(key=row.product_id, product_id=row.product_id)
            grouped.setdefault(row.product_id, empty).add(row)
    funnel.rows = sorted(grouped.values(), key=_sort_key)
    return funnel


def funnel_page_load(rows: list[FunnelRow]) -> list[FunnelRow]:
    """Attach the links (with products) or the products of ``rows``: one query."""
    from mall.models import Product

    if rows and rows[0].channel:
        links = ShareLink.objects.select_related("product").in_bulk([row.key for row in rows])
        for row in rows:
            row.link = links.get(row.key)
            row.product = row.link.product if row.link else None
    else:
        products = Product.objects.in_bulk([row.product_id for row in rows if row.product_id])
        for row in rows:
            row.product = products.get(row.product_id)
    return rows


def share_link_get(*, member: Member, link_id: int) -> ShareLink:
    link = ShareLink.objects.filter(pk=link_id, reseller_id=member.pk).select_related("product").first()
    if link is None:
        raise ShareLinkNotFound()
    return link


def share_link_days(*, link: ShareLink, days: int = 30) -> list[ShareDaily]:
    since = timezone.localdate() - timedelta(days=days - 1)
    return list(ShareDaily.objects.filter(link=link, day__gte=since).order_by("-day"))


# --- my customers (我的客户) ------------------------------------------------------------------

CUSTOMER_FILTERS = ("all", "new", "dormant")
CUSTOMER_SORTS = ("recent", "spend", "joined")


@dataclass(frozen=True)
class CustomerQuery:
    filter: str = "all"
    sort: str = "recent"
    dormant_days: int = DEFAULT_DORMANT_DAYS


def customer_query(*, filter: object = None, sort: object = None,
                   dormant_days: object = None) -> CustomerQuery:
    """Check the list's options; a bad one is refused with a clear message."""
    chosen_filter = filter or "all"
    chosen_sort = sort or "recent"
    if chosen_filter not in CUSTOMER_FILTERS or chosen_sort not in CUSTOMER_SORTS:
        raise CustomerFilterInvalid()
    if dormant_days in (None, ""):
        return CustomerQuery(filter=chosen_filter, sort=chosen_sort)
    try:
        days = int(str(dormant_days))
    except ValueError:
        raise DormantDaysInvalid() from None
    if not 1 <= days <= 365:
        raise DormantDaysInvalid()
    return CustomerQuery(filter=chosen_filter, sort=chosen_sort, dormant_days=days)


def _paid_orders(member: Member) -> QuerySet[OrderAttribution]:
    return OrderAttribution.objects.filter(reseller_id=member.pk, order__paid_at__isnull=False).exclude(
        order__state=OrderState.CANCELLED)


def _per_buyer(member: Member, aggregate: object, output_field: object = None) -> Subquery:
    rows = (_paid_orders(member).filter(buyer_id=OuterRef("pk")).order_by().values("buyer_id")
            .annotate(value=aggregate).values("value"))
    return Subquery(rows, output_field=output_field) if output_field else Subquery(rows)


def member_customers(*, member: Member, query: CustomerQuery) -> QuerySet[Member]:
    """The buyers attributed to me and my direct downlines (who may not have bought yet),
    each with ``first_order_at``, ``last_order_at``, ``order_count`` and ``spent`` over
    their paid, not cancelled orders credited to me. Phones are never in the rows' output
    unmasked: the pages and the API show ``user.masked_phone``."""
    buyers = _paid_orders(member).values("buyer_id")
    customers = (Member.objects.filter(Q(parent_id=member.pk) | Q(pk__in=buyers)).exclude(pk=member.pk)
                 .select_related("user", "level")
                 .annotate(first_order_at=_per_buyer(member, Min("order__paid_at")),
                           last_order_at=_per_buyer(member, Max("order__paid_at")),
                           order_count=Coalesce(_per_buyer(member, Count("order_id")), 0),
                           spent=Coalesce(_per_buyer(member, money_sum("order__total_amount"), MoneyField()),
                                          money_value(ZERO), output_field=MoneyField())))
    now = timezone.now()
    if query.filter == "new":
        customers = customers.filter(joined_at__gte=now - timedelta(days=NEW_CUSTOMER_DAYS))
    elif query.filter == "dormant":
        customers = customers.filter(last_order_at__lt=now - timedelta(days=query.dormant_days))
    order = {"recent": [F("last_order_at").desc(nulls_last=True), "-id"],
             "spend": [F("spent").desc(nulls_last=True), "-id"], "joined": ["-joined_at", "-id"]}[query.sort]
    return customers.order_by(*order)
