"""The sandbox cashier's URLs, mounted by ``config/urls.py`` (not by the orders app's)."""

from django.urls import path

from orders.payments.sandbox import views

app_name = "sandbox"

urlpatterns = [
    path("pay/sandbox/<str:token>/", views.cashier, name="cashier"),
    path("pay/sandbox/<str:token>/pay/", views.cashier_pay, name="cashier-pay"),
    path("pay/sandbox/<str:token>/fail/", views.cashier_fail, name="cashier-fail"),
]
