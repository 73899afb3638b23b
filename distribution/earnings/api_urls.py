from django.urls import path

from distribution.earnings import api

# Mounted under /api/v1/ in the `api` namespace (config/urls.py). Every route is about the
# signed-in member: no member id in any URL; object ids are looked up among their own rows.
urlpatterns = [
    path("earnings/overview/", api.EarningsOverviewView.as_view(), name="earnings-overview"),
    path("earnings/withdraw-options/", api.WithdrawOptionsView.as_view(), name="earnings-withdraw-options"),
    path("earnings/commissions/", api.CommissionRecordListView.as_view(), name="earnings-commissions"),
    path("earnings/commissions/<int:record_id>/", api.CommissionRecordDetailView.as_view(),
         name="earnings-commission"),
    path("earnings/orders/", api.PromotedOrderListView.as_view(), name="earnings-orders"),
    path("earnings/withdrawals/", api.WithdrawalListCreateView.as_view(), name="earnings-withdrawals"),
    path("earnings/withdrawals/<int:withdrawal_id>/", api.WithdrawalDetailView.as_view(),
         name="earnings-withdrawal"),
    path("earnings/payout-accounts/", api.PayoutAccountListCreateView.as_view(),
         name="earnings-payout-accounts"),
    path("earnings/payout-accounts/<int:account_id>/", api.PayoutAccountDetailView.as_view(),
         name="earnings-payout-account"),
    path("earnings/ledger/", api.LedgerListView.as_view(), name="earnings-ledger"),
    path("earnings/share-preview/<int:product_id>/", api.SharePreviewView.as_view(),
         name="earnings-share-preview"),
]
