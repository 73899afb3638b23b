"""The orders app's own URLs: the shopper pages and the payment notify endpoint. Included
before ``mall.urls``, so ``/cart/`` is served from here. (The sandbox cashier's URLs are
the sandbox's own: ``orders/payments/sandbox/urls.py``.)"""

from django.urls import path

from orders.views import addresses, aftersales, cart, checkout, orders, payments, reviews

app_name = "orders"

urlpatterns = [
    path("pay/notify/<slug:provider>/", payments.payment_notify, name="payment-notify"),
    # cart and checkout
    path("cart/", cart.cart, name="cart"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/update/", cart.cart_update, name="cart_update"),
    path("cart/remove/", cart.cart_remove, name="cart_remove"),
    path("cart/checkout/", cart.cart_checkout, name="cart_checkout"),
    path("checkout/", checkout.checkout, name="checkout"),
    # addresses
    path("addresses/", addresses.address_list, name="addresses"),
    path("addresses/new/", addresses.address_new, name="address_new"),
    path("addresses/<int:address_id>/edit/", addresses.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", addresses.address_delete, name="address_delete"),
    path("addresses/<int:address_id>/default/", addresses.address_set_default, name="address_default"),
    # orders and after-sales
    path("orders/", orders.order_list, name="list"),
    path("orders/<str:number>/", orders.order_detail, name="detail"),
    path("orders/<str:number>/pay/", orders.order_pay, name="pay"),
    path("orders/<str:number>/cancel/", orders.order_cancel_view, name="cancel"),
    path("orders/<str:number>/confirm-receipt/", orders.order_confirm_receipt_view, name="confirm_receipt"),
    path(
        "orders/<str:number>/items/<int:item_id>/aftersale/",
        aftersales.aftersale_new,
        name="aftersale_new",
    ),
    path("orders/<str:number>/items/<int:item_id>/review/", reviews.review_new, name="review_new"),
    # product reviews (口碑)
    path("p/<int:product_id>/reviews/", reviews.product_review_list, name="product_reviews"),
    path("reviews/photos/<int:photo_id>/", reviews.review_photo, name="review_photo"),
    path("aftersales/<int:aftersale_id>/", aftersales.aftersale_detail, name="aftersale"),
    path(
        "aftersales/<int:aftersale_id>/withdraw/",
        aftersales.aftersale_withdraw_view,
        name="aftersale_withdraw",
    ),
    path(
        "aftersales/<int:aftersale_id>/photos/<int:photo_id>/",
        aftersales.aftersale_photo,
        name="aftersale_photo",
    ),
    path(
        "aftersales/<int:aftersale_id>/ship-back/",
        aftersales.aftersale_ship_back,
        name="aftersale_ship_back",
    ),
]
