from django.urls import path

from distribution.earnings import views

app_name = "earnings"

# The signed-in member's own earnings: no member id in any URL; object ids are looked up
# among the member's own rows only.
urlpatterns = [
    path("earnings/", views.overview, name="overview"),
    path("earnings/commissions/", views.commissions, name="commissions"),
    path("earnings/commissions/<int:record_id>/", views.commission, name="commission"),
    path("earnings/orders/", views.orders, name="orders"),
    path("earnings/withdraw/", views.withdraw, name="withdraw"),
    path("earnings/withdrawals/", views.withdrawals, name="withdrawals"),
    path("earnings/withdrawals/<int:withdrawal_id>/", views.withdrawal, name="withdrawal"),
    path("earnings/accounts/", views.accounts, name="accounts"),
    path("earnings/accounts/add/", views.account_add, name="account_add"),
    path("earnings/ledger/", views.ledger, name="ledger"),
]
