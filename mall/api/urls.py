from django.urls import path

from mall.api import views

# Mounted under /api/v1/ in the `api` namespace (config/urls.py).
urlpatterns = [
    path("auth/sms-codes/", views.SMSCodeView.as_view(), name="sms-codes"),
    path("auth/signup/", views.SignupView.as_view(), name="signup"),
    path("auth/signin/", views.SigninView.as_view(), name="signin"),
    path("auth/signin/code/", views.SigninCodeView.as_view(), name="signin-code"),
    path("auth/signout/", views.SignoutView.as_view(), name="signout"),
    path("auth/password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("auth/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("me/", views.MeView.as_view(), name="me"),
    path("categories/", views.CategoryTreeView.as_view(), name="category-tree"),
    path("categories/<int:category_id>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("products/<int:product_id>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("shops/platform/", views.PlatformShopView.as_view(), name="shop-platform"),
    path("shops/<int:shop_id>/", views.ShopDetailView.as_view(), name="shop-detail"),
    path("shops/<int:shop_id>/products/", views.ShopProductsView.as_view(), name="shop-products"),
    path("my-shop/", views.MyShopView.as_view(), name="my-shop"),
    path("my-shop/products/", views.MyShopProductsView.as_view(), name="my-shop-products"),
    path("my-shop/products/order/", views.MyShopProductOrderView.as_view(), name="my-shop-product-order"),
    path("my-shop/products/<int:product_id>/", views.MyShopProductView.as_view(),
         name="my-shop-product"),
]
