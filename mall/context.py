"""The shop a visitor is browsing through (their "current shop"), kept in the session.

A visitor who arrives through a reseller's shop page or share link keeps that shop as
the context of their visit: product pages show it, and checkout attributes the order
to it. Anyone who came through nobody is in the platform shop.
"""

from django.http import HttpRequest

from mall.models import Shop
from mall.services.shops import platform_shop_get

# Also read by the referral app's share link when it cannot import this module.
SESSION_KEY = "shop_id"
_CACHE_ATTR = "_quanzi_current_shop"


def remember_shop(request: HttpRequest, shop: Shop) -> None:
    """Make ``shop`` the visitor's current shop. Writes the session only when it changes."""
    if request.session.get(SESSION_KEY) != shop.pk:
        request.session[SESSION_KEY] = shop.pk
    setattr(request, _CACHE_ATTR, shop)


def current_shop(request: HttpRequest) -> Shop:
    """The remembered shop if it is still open, else the platform shop (cached per request)."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    shop = None
    shop_id = request.session.get(SESSION_KEY)
    if shop_id is not None:
        shop = Shop.objects.filter(pk=shop_id, is_active=True).first()
        if shop is None:  # closed since: forget it rather than look it up on every page
            del request.session[SESSION_KEY]
    if shop is None:
        shop = platform_shop_get()
    setattr(request, _CACHE_ATTR, shop)
    return shop
