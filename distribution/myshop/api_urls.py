from django.urls import path

from distribution.myshop import api

# Mounted under /api/v1/ in the `api` namespace (config/urls.py).
urlpatterns = [
    path("distribution/my-shop/picks/", api.PicksView.as_view(), name="myshop-picks"),
    path("distribution/my-shop/profile/", api.ProfileView.as_view(), name="myshop-profile"),
    path("distribution/my-shop/products/<int:product_id>/toggle/", api.ToggleView.as_view(),
         name="myshop-toggle"),
    path("distribution/my-shop/products/<int:product_id>/pin/", api.PinView.as_view(), name="myshop-pin"),
    path("distribution/my-shop/products/<int:product_id>/move/", api.MoveView.as_view(), name="myshop-move"),
    path("distribution/my-shop/products/<int:product_id>/share/", api.ShareView.as_view(),
         name="myshop-share"),
]
