from django.urls import path

from mall import views

app_name = "mall"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/", views.categories, name="categories"),
    path("c/<int:category_id>/", views.category, name="category"),
    path("search/", views.search, name="search"),
    path("p/<int:product_id>/", views.product, name="product"),
    path("shop/<int:shop_id>/", views.shop, name="shop"),
    path("signup/", views.signup, name="signup"),
    path("signup/code/", views.signup_code, name="signup_code"),
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.signin_code, name="signin_code"),
    path("signin/code/send/", views.signin_code_send, name="signin_code_send"),
    path("signout/", views.signout, name="signout"),
    path("me/", views.me, name="me"),
    # A placeholder until the orders app serves /cart/ (its urls are included first).
    path("cart/", views.cart, name="cart"),
]
