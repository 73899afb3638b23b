from django.urls import path

from orders.api import views

# Mounted under /api/v1/ in the `api` namespace (config/urls.py).
urlpatterns = [
    path("cart/items/", views.CartItemsView.as_view(), name="cart-items"),
    path("cart/items/<int:sku_id>/", views.CartItemView.as_view(), name="cart-item"),
    path("addresses/", views.AddressListView.as_view(), name="addresses"),
    path("addresses/<int:address_id>/", views.AddressDetailView.as_view(), name="address"),
    path("addresses/<int:address_id>/default/", views.AddressDefaultView.as_view(), name="address-default"),
    path("checkout/preview/", views.CheckoutPreviewView.as_view(), name="checkout-preview"),
    path("orders/", views.OrderListCreateView.as_view(), name="orders"),
    path("orders/counts/", views.OrderCountsView.as_view(), name="order-counts"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="order"),
    path("orders/<str:number>/pay/", views.OrderPayView.as_view(), name="order-pay"),
    path("orders/<str:number>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path(
        "orders/<str:number>/confirm-receipt/",
        views.OrderConfirmReceiptView.as_view(),
        name="order-confirm-receipt",
    ),
    path(
        "orders/<str:number>/items/<int:item_id>/aftersales/",
        views.AfterSaleCreateView.as_view(),
        name="order-item-aftersales",
    ),
    path("aftersales/", views.AfterSaleListView.as_view(), name="aftersales"),
    path("aftersales/<int:aftersale_id>/", views.AfterSaleDetailView.as_view(), name="aftersale"),
    path(
        "aftersales/<int:aftersale_id>/photos/<int:photo_id>/",
        views.AfterSalePhotoView.as_view(),
        name="aftersale-photo",
    ),
    path(
        "aftersales/<int:aftersale_id>/withdraw/",
        views.AfterSaleWithdrawView.as_view(),
        name="aftersale-withdraw",
    ),
    path(
        "aftersales/<int:aftersale_id>/ship-back/",
        views.AfterSaleShipBackView.as_view(),
        name="aftersale-ship-back",
    ),
]
