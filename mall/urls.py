from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import path

from mall import password_views, views

app_name = "mall"


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers and WeChat ask for /favicon.ico whatever the page links (resolved per request,
    so a hashed static name is found once collectstatic has run)."""
    return HttpResponseRedirect(static("mall/favicon.ico"))


urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
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
    path("signin/reset/", password_views.password_reset, name="password_reset"),
    path("signin/reset/code/", password_views.password_reset_code_send, name="password_reset_code"),
    path("signout/", views.signout, name="signout"),
    path("me/", views.me, name="me"),
    # A placeholder until the orders app serves /cart/ (its urls are included first).
    path("cart/", views.cart, name="cart"),
]
