"""The orders app's own URLs: the payment notify endpoint and the sandbox cashier.
(The shopper pages are added beside these by the H5 pages.)"""

from django.urls import path

from orders.payments import views as payment_views

app_name = "orders"

urlpatterns = [
    path("pay/notify/<slug:provider>/", payment_views.payment_notify, name="payment-notify"),
    path("pay/sandbox/<str:token>/", payment_views.sandbox_cashier, name="sandbox-cashier"),
    path("pay/sandbox/<str:token>/pay/", payment_views.sandbox_cashier_pay, name="sandbox-cashier-pay"),
    path("pay/sandbox/<str:token>/fail/", payment_views.sandbox_cashier_fail, name="sandbox-cashier-fail"),
]
