"""The reseller's share funnel (分享效果) and customers (我的客户) H5 pages.

Always the signed-in reseller's own: a link id in a URL is looked up among their own links
only (another reseller's id is a 404). Bad filter values show a zh-hans message and the
default list; nothing is ever written here.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from common.db_routing import replica_view
from common.errors import DomainError
from distribution.earnings.views import earnings_page
from distribution.funnel import selectors
from distribution.models import Member

PAGE_SIZE = 20


def _option(request: HttpRequest, parse: object, raw: object, default: object) -> object:
    try:
        return parse(raw)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return default


@require_GET
@earnings_page
@replica_view  # figures only: may read the replica (common/db_routing.py)
def funnel(request: HttpRequest, member: Member) -> HttpResponse:
    days = _option(request, selectors.funnel_period, request.GET.get("days"), selectors.PERIODS[0])
    by = _option(request, selectors.funnel_grouping, request.GET.get("by"), selectors.GROUPINGS[0])
    result = selectors.reseller_funnel(member=member, days=days, by=by)
    page = Paginator(result.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.funnel_page_load(page.object_list)
    return render(request, "distribution/funnel.html", {
        "member": member, "funnel": result, "page": page, "periods": selectors.PERIODS, "tab": "me"})


@require_GET
@earnings_page
@replica_view  # figures only: may read the replica (common/db_routing.py)
def funnel_link(request: HttpRequest, member: Member, link_id: int) -> HttpResponse:
    link = selectors.share_link_get(member=member, link_id=link_id)
    days = selectors.share_link_days(link=link)
    return render(request, "distribution/funnel_link.html", {
        "member": member, "link": link, "days": days, "tab": "me"})


@require_GET
@earnings_page
@replica_view  # figures only: may read the replica (common/db_routing.py)
def customers(request: HttpRequest, member: Member) -> HttpResponse:
    try:
        query = selectors.customer_query(filter=request.GET.get("filter"), sort=request.GET.get("sort"),
                                         dormant_days=request.GET.get("days"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        query = selectors.CustomerQuery()
    page = Paginator(selectors.member_customers(member=member, query=query), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "distribution/customers.html", {
        "member": member, "page": page, "query": query, "tab": "me",
        "new_days": selectors.NEW_CUSTOMER_DAYS})
