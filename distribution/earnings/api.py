"""``/api/v1/earnings/…``: the signed-in reseller's earnings for the mini-program.

Every read is the member's own (selectors filter by member), so another member's id is a
404 with the error shape (I7). Writes go through the services: a withdrawal is requested
with an idempotency key (``Idempotency-Key`` header, or ``idempotency_key`` in the body):
the same key again returns the first withdrawal with 200, the same key with another
amount or account is a 409 ``idempotency_key_reused``.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import PAGE_NOT_FOUND, UNAUTHENTICATED, error_response, validation_error_response
from distribution.commission.preview import share_earning_preview
from distribution.earnings import selectors
from distribution.earnings.serializers import (
    CommissionListQuerySerializer,
    CommissionRecordSerializer,
    EarningsOverviewSerializer,
    LedgerEntrySerializer,
    PayoutAccountCreateSerializer,
    PayoutAccountSerializer,
    PromotedOrderSerializer,
    SharePreviewSerializer,
    WithdrawalCreateSerializer,
    WithdrawalSerializer,
    WithdrawOptionsSerializer,
)
from distribution.models import (
    CommissionRecord,
    LedgerEntry,
    Member,
    Withdrawal,
)
from distribution.reseller.errors import NotAReseller
from distribution.wallet.errors import IdempotencyKeyRequired
from distribution.wallet.services.payout_accounts import payout_account_create
from distribution.wallet.services.withdrawals import KEY_RE, withdrawal_request
from mall import selectors as mall_selectors
from orders.models import Order

TAG = "earnings"
EARNINGS_FOR_RESELLERS = _("Earnings are for resellers. Become a reseller in the reseller centre first.")
NOT_A_RESELLER = error_response("Not a reseller, and no earnings from an earlier time (`not_a_reseller`).")


# --- views -------------------------------------------------------------------------------------


class EarningsPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 50


class _MemberMixin:
    """The signed-in member, if they may see earnings (a reseller, or a former one with some)."""

    permission_classes = [IsAuthenticated]
    request: Request

    @property
    def member(self) -> Member:
        cached = getattr(self, "_member", None)
        if cached is None:
            cached = selectors.earnings_member(user=self.request.user)
            if not selectors.has_earnings(member=cached):
                raise NotAReseller(EARNINGS_FOR_RESELLERS)
            self._member = cached
        return cached


class _MemberView(_MemberMixin, APIView):
    pass


class _MemberListView(_MemberMixin, ListAPIView):
    pagination_class = EarningsPagination
    filter_backends: list = []


class EarningsOverviewView(_MemberView):
    @extend_schema(tags=[TAG], summary="My earnings: today, this month, total, pending and balances",
                   responses={200: EarningsOverviewSerializer, 401: UNAUTHENTICATED, 403: NOT_A_RESELLER})
    def get(self, request: Request) -> Response:
        return Response(EarningsOverviewSerializer(selectors.earnings_overview(member=self.member)).data)


class WithdrawOptionsView(_MemberView):
    @extend_schema(tags=[TAG], summary="What a withdrawal may be now: balance, minimum, fee, count left",
                   responses={200: WithdrawOptionsSerializer, 401: UNAUTHENTICATED, 403: NOT_A_RESELLER})
    def get(self, request: Request) -> Response:
        return Response(WithdrawOptionsSerializer(selectors.withdraw_options(member=self.member)).data)


class CommissionRecordListView(_MemberListView):
    queryset = CommissionRecord.objects.none()  # for the schema generator
    serializer_class = CommissionRecordSerializer

    @extend_schema(tags=[TAG], summary="My commission records, newest first",
                   parameters=[CommissionListQuerySerializer],
                   responses={200: CommissionRecordSerializer,
                              400: validation_error_response("Unknown state or a month not `YYYY-MM` "
                                                             "(`invalid`)."),
                              401: UNAUTHENTICATED, 403: NOT_A_RESELLER, 404: PAGE_NOT_FOUND})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[CommissionRecord]:
        query = CommissionListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.commission_records(member=self.member, state=query.validated_data.get("state"),
                                            month=selectors.parse_month(query.validated_data.get("month")))


class CommissionRecordDetailView(_MemberView):
    @extend_schema(tags=[TAG], summary="One of my commission records",
                   responses={200: CommissionRecordSerializer, 401: UNAUTHENTICATED, 403: NOT_A_RESELLER,
                              404: error_response("Unknown, or another member's record "
                                                  "(`commission_record_not_found`).")})
    def get(self, request: Request, record_id: int) -> Response:
        record = selectors.commission_record_get(member=self.member, record_id=record_id)
        return Response(CommissionRecordSerializer(record).data)


class PromotedOrderListView(_MemberListView):
    queryset = Order.objects.none()
    serializer_class = PromotedOrderSerializer

    @extend_schema(tags=[TAG], summary="Paid orders credited to me, with my commission on each",
                   responses={200: PromotedOrderSerializer, 401: UNAUTHENTICATED, 403: NOT_A_RESELLER,
                              404: PAGE_NOT_FOUND})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Order]:
        return selectors.promoted_orders(member=self.member)


class LedgerListView(_MemberListView):
    queryset = LedgerEntry.objects.none()
    serializer_class = LedgerEntrySerializer

    @extend_schema(tags=[TAG], summary="My balance ledger, newest first",
                   responses={200: LedgerEntrySerializer, 401: UNAUTHENTICATED, 403: NOT_A_RESELLER,
                              404: PAGE_NOT_FOUND})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        return selectors.ledger_entries(member=self.member)


WITHDRAWAL_REFUSED = ("`withdrawal_amount_invalid`, `withdrawal_below_minimum`, "
                      "`withdrawal_channel_not_allowed`, `payout_account_invalid`, "
                      "`idempotency_key_required` (missing or malformed key), or `invalid`.")
WITHDRAWAL_CONFLICT = error_response(
    "The key was used for another amount or account (`idempotency_key_reused`), not enough available "
    "(`insufficient_balance`), or a balance in debt (`wallet_in_debt`).")


class WithdrawalListCreateView(_MemberListView):
    queryset = Withdrawal.objects.none()
    serializer_class = WithdrawalSerializer

    @extend_schema(tags=[TAG], summary="My withdrawals, newest first",
                   responses={200: WithdrawalSerializer, 401: UNAUTHENTICATED, 403: NOT_A_RESELLER,
                              404: PAGE_NOT_FOUND})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Withdrawal]:
        return selectors.withdrawals(member=self.member)

    @extend_schema(
        tags=[TAG], summary="Request a withdrawal; the amount is held at once",
        description="Send a new `Idempotency-Key` per withdrawal. Repeating a request with the same key "
                    "returns the first withdrawal (200) and holds nothing more.",
        parameters=[OpenApiParameter("Idempotency-Key", location=OpenApiParameter.HEADER, required=False,
                                     description="8–64 letters, digits, `-_:.`. Wins over the body field.")],
        request=WithdrawalCreateSerializer,
        responses={201: WithdrawalSerializer, 200: WithdrawalSerializer,
                   400: validation_error_response(WITHDRAWAL_REFUSED),
                   401: UNAUTHENTICATED, 403: NOT_A_RESELLER,
                   404: error_response("Unknown, or another member's payout account "
                                       "(`payout_account_not_found`)."),
                   409: WITHDRAWAL_CONFLICT,
                   429: error_response("Today's withdrawals are used up (`withdrawal_daily_limit`).")},
    )
    def post(self, request: Request) -> Response:
        data = WithdrawalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key") or data.validated_data.get("idempotency_key") or ""
        if not KEY_RE.match(key):
            raise IdempotencyKeyRequired()
        account = selectors.payout_account_get(member=self.member,
                                               account_id=data.validated_data["payout_account_id"])
        withdrawal, created = withdrawal_request(
            member=self.member, amount=data.validated_data["amount"], payout_account_id=account.pk,
            idempotency_key=key)
        fresh = selectors.withdrawal_get(member=self.member, withdrawal_id=withdrawal.pk)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(WithdrawalSerializer(fresh).data, status=code)


class WithdrawalDetailView(_MemberView):
    @extend_schema(tags=[TAG], summary="One of my withdrawals",
                   responses={200: WithdrawalSerializer, 401: UNAUTHENTICATED, 403: NOT_A_RESELLER,
                              404: error_response("Unknown, or another member's withdrawal "
                                                  "(`withdrawal_not_found`).")})
    def get(self, request: Request, withdrawal_id: int) -> Response:
        withdrawal = selectors.withdrawal_get(member=self.member, withdrawal_id=withdrawal_id)
        return Response(WithdrawalSerializer(withdrawal).data)


class PayoutAccountListCreateView(_MemberView):
    @extend_schema(tags=[TAG], summary="My payout accounts (numbers masked)",
                   responses={200: PayoutAccountSerializer(many=True), 401: UNAUTHENTICATED,
                              403: NOT_A_RESELLER})
    def get(self, request: Request) -> Response:
        accounts = selectors.payout_accounts(member=self.member)
        return Response(PayoutAccountSerializer(accounts, many=True).data)

    @extend_schema(
        tags=[TAG], summary="Add a payout account (stored encrypted, shown masked)",
        request=PayoutAccountCreateSerializer,
        responses={201: PayoutAccountSerializer,
                   400: validation_error_response("A bad number for the channel, no bank for a card "
                                                  "(`payout_account_invalid`), a channel not offered now "
                                                  "(`withdrawal_channel_not_allowed`), or `invalid`."),
                   401: UNAUTHENTICATED, 403: NOT_A_RESELLER,
                   409: error_response("Too many accounts (`payout_account_limit`).")},
    )
    def post(self, request: Request) -> Response:
        data = PayoutAccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = payout_account_create(member=self.member, **data.validated_data)
        return Response(PayoutAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class PayoutAccountDetailView(_MemberView):
    @extend_schema(tags=[TAG], summary="One of my payout accounts (number masked)",
                   responses={200: PayoutAccountSerializer, 401: UNAUTHENTICATED, 403: NOT_A_RESELLER,
                              404: error_response("Unknown, or another member's account "
                                                  "(`payout_account_not_found`).")})
    def get(self, request: Request, account_id: int) -> Response:
        account = selectors.payout_account_get(member=self.member, account_id=account_id)
        return Response(PayoutAccountSerializer(account).data)


class SharePreviewView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], summary="分享赚: what I would earn by sharing a product",
                   responses={200: SharePreviewSerializer, 401: UNAUTHENTICATED,
                              404: error_response("Unknown or off-shelf product (`product_not_found`).")})
    def get(self, request: Request, product_id: int) -> Response:
        product = mall_selectors.product_get(product_id=product_id)
        member = selectors.earnings_member(user=request.user)
        amount = share_earning_preview(member=member, product=product) if member is not None else None
        return Response(SharePreviewSerializer({"product_id": product.pk, "amount": amount}).data)
