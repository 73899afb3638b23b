"""What orders shows on mall's pages, registered in ``OrdersConfig.ready`` into
``mall.menu.badges`` (mall never imports orders)."""

from django.http import HttpRequest

from orders.selectors import cart_count, order_tab_counts


def cart_badge(request: HttpRequest) -> int:
    """Units in the visitor's or member's cart (one query, asked once per request)."""
    return cart_count(user=getattr(request, "user", None), session=getattr(request, "session", {}))


def order_tabs_badge(request: HttpRequest) -> dict[str, int]:
    """The order-tab counts of the signed-in member (one query); ``{}`` for a visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return order_tab_counts(user=user)
