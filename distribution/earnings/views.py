"""The reseller's earnings pages (H5): overview, commission records, promoted orders,
withdrawals, payout accounts and the ledger.

Every page is the signed-in member's own: lists carry no member id, and an object id in a
URL is looked up among the member's own rows only, so another member's id is a 404 (I7).
Views only orchestrate: selectors read, services write, domain errors become form errors.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.errors import DomainError
from distribution import labels
from distribution.commission.errors import MonthInvalid
from distribution.earnings import selectors
from distribution.earnings.forms import PayoutAccountForm, WithdrawForm
from distribution.models import Member
from distribution.wallet.services.payout_accounts import payout_account_create
from distribution.wallet.services.withdrawals import withdrawal_request
from mall.views import domain_404

PAGE_SIZE = 20
EarningsView = Callable[..., HttpResponse]


def earnings_page(view: EarningsView) -> EarningsView:
    """Signed in, and a reseller (or a former one with earnings): else the explanation page.
    The view gets the member; a selector's ``NotFound`` becomes the styled 404."""

    @login_required
    @domain_404
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = selectors.earnings_member(user=request.user)
        if not selectors.has_earnings(member=member):
            return render(request, "distribution/earnings/not_reseller.html", {"tab": "me"})
        return view(request, member, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest, queryset: QuerySet) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
@earnings_page
def overview(request: HttpRequest, member: Member) -> HttpResponse:
    return render(request, "distribution/earnings/overview.html", {
        "member": member, "overview": selectors.earnings_overview(member=member), "tab": "me"})


@require_GET
@earnings_page
def commissions(request: HttpRequest, member: Member) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in selectors.RECORD_FILTERS else ""
    try:
        month = selectors.parse_month(request.GET.get("month"))
    except MonthInvalid as exc:
        messages.error(request, str(exc.message))
        month = None
    records = selectors.commission_records(member=member, state=state or None, month=month)
    return render(request, "distribution/earnings/commissions.html", {
        "page": _page(request, records), "state": state, "month": month,
        "filters": list(labels.RECORD_FILTER_LABELS.items())})


@require_GET
@earnings_page
def commission(request: HttpRequest, member: Member, record_id: int) -> HttpResponse:
    record = selectors.commission_record_get(member=member, record_id=record_id)
    return render(request, "distribution/earnings/commission.html", {"record": record})


@require_GET
@earnings_page
def orders(request: HttpRequest, member: Member) -> HttpResponse:
    return render(request, "distribution/earnings/orders.html", {
        "page": _page(request, selectors.promoted_orders(member=member))})


@require_GET
@earnings_page
def ledger(request: HttpRequest, member: Member) -> HttpResponse:
    return render(request, "distribution/earnings/ledger.html", {
        "page": _page(request, selectors.ledger_entries(member=member))})


@require_GET
@earnings_page
def withdrawals(request: HttpRequest, member: Member) -> HttpResponse:
    return render(request, "distribution/earnings/withdrawals.html", {
        "page": _page(request, selectors.withdrawals(member=member))})


@require_GET
@earnings_page
def withdrawal(request: HttpRequest, member: Member, withdrawal_id: int) -> HttpResponse:
    item = selectors.withdrawal_get(member=member, withdrawal_id=withdrawal_id)
    return render(request, "distribution/earnings/withdrawal.html", {"withdrawal": item})


@require_http_methods(["GET", "POST"])
@earnings_page
def withdraw(request: HttpRequest, member: Member) -> HttpResponse:
    options = selectors.withdraw_options(member=member)
    accounts = selectors.payout_accounts(member=member).filter(channel__in=options.channels)
    form = WithdrawForm(request.POST or None, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, _new = withdrawal_request(member=member, amount=data["amount"],
                                               payout_account_id=data["payout_account"].pk,
                                               idempotency_key=data["idempotency_key"])
        except DomainError as exc:
            form.add_domain_error(exc)
            options = selectors.withdraw_options(member=member)
        else:
            messages.success(request, _("Withdrawal requested. The amount is held while we review it."))
            return redirect("earnings:withdrawal", created.pk)
    if form.is_bound:  # shown again for another try: under a new key (the last may be used up)
        form = form.with_new_key()
    return render(request, "distribution/earnings/withdraw.html", {
        "form": form, "options": options, "has_accounts": accounts.exists()})


@require_GET
@earnings_page
def accounts(request: HttpRequest, member: Member) -> HttpResponse:
    return render(request, "distribution/earnings/accounts.html", {
        "accounts": list(selectors.payout_accounts(member=member)),
        "channels": selectors.allowed_channels()})


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return reverse("earnings:accounts")


@require_http_methods(["GET", "POST"])
@earnings_page
def account_add(request: HttpRequest, member: Member) -> HttpResponse:
    form = PayoutAccountForm(request.POST or None, channels=selectors.allowed_channels())
    if request.method == "POST" and form.is_valid():
        try:
            payout_account_create(member=member, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Payout account added."))
            return redirect(_next_url(request))
    return render(request, "distribution/earnings/account_form.html", {
        "form": form, "next": _next_url(request)})
