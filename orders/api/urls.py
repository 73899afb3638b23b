from django.urls import path

from orders.api.views import addresses, aftersales, cart, orders, reviews

# Mounted under /api/v1/ in the `api` namespace (config/urls.py).
urlpatterns = [
    path("cart/items/", cart.CartItemsView.as_view(), name="cart-items"),
    path("cart/items/<int:sku_id>/", cart.CartItemView.as_view(), name="cart-item"),
    path("addresses/", addresses.AddressListView.as_view(), name="addresses"),
    path("addresses/<int:address_id>/", addresses.AddressDetailView.as_view(), name="address"),
    path(
        "addresses/<int:address_id>/default/", addresses.AddressDefaultView.as_view(), name="address-default"
    ),
    path("checkout/preview/", orders.CheckoutPreviewView.as_view(), name="checkout-preview"),
    path("orders/", orders.OrderListCreateView.as_view(), name="orders"),
    path("orders/counts/", orders.OrderCountsView.as_view(), name="order-counts"),
    path("orders/<str:number>/", orders.OrderDetailView.as_view(), name="order"),
    path("orders/<str:number>/pay/", orders.OrderPayView.as_view(), name="order-pay"),
    path("orders/<str:number>/cancel/", orders.OrderCancelView.as_view(), name="order-cancel"),
    path(
        "orders/<str:number>/confirm-receipt/",
        orders.OrderConfirmReceiptView.as_view(),
        name="order-confirm-receipt",
    ),
    path(
        "orders/<str:number>/items/<int:item_id>/aftersales/",
        aftersales.AfterSaleCreateView.as_view(),
        name="order-item-aftersales",
    ),
    path(
        "orders/<str:number>/items/<int:item_id>/review/",
        reviews.ReviewCreateView.as_view(),
        name="order-item-review",
    ),
    path(
        "products/<int:product_id>/reviews/", reviews.ProductReviewListView.as_view(), name="product-reviews"
    ),
    path("aftersales/", aftersales.AfterSaleListView.as_view(), name="aftersales"),
    path("aftersales/<int:aftersale_id>/", aftersales.AfterSaleDetailView.as_view(), name="aftersale"),
    path(
        "aftersales/<int:aftersale_id>/photos/<int:photo_id>/",
        aftersales.AfterSalePhotoView.as_view(),
        name="aftersale-photo",
    ),
    path(
        "aftersales/<int:aftersale_id>/withdraw/",
        aftersales.AfterSaleWithdrawView.as_view(),
        name="aftersale-withdraw",
    ),
    path(
        "aftersales/<int:aftersale_id>/ship-back/",
        aftersales.AfterSaleShipBackView.as_view(),
        name="aftersale-ship-back",
    ),
]
