from django.urls import path

from distribution.myshop import views

app_name = "myshop"

# The signed-in reseller's own shop: no shop id in any URL.
urlpatterns = [
    path("distribution/shop/", views.shop_manage, name="shop"),
    path("distribution/shop/picks/", views.picks, name="picks"),
    path("distribution/shop/profile/", views.profile, name="profile"),
    path("distribution/shop/products/<int:product_id>/toggle/", views.toggle, name="toggle"),
    path("distribution/shop/products/<int:product_id>/pin/", views.pin, name="pin"),
    path("distribution/shop/products/<int:product_id>/move/", views.move, name="move"),
    path("distribution/shop/products/<int:product_id>/poster.png", views.product_poster, name="poster"),
    path("distribution/shop/products/<int:product_id>/materials/", views.materials, name="materials"),
]
