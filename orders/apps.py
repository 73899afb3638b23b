from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from mall.hooks import hooks as mall_hooks
        from mall.menu import badges
        from mall.slots import slots
        from orders.handlers import cart_badge, order_tabs_badge
        from orders.services.cart import cart_merge_on_sign_in

        mall_hooks.register("user_signed_in", cart_merge_on_sign_in)
        badges.register("cart", cart_badge)  # the tab bar's and the product page's cart icon
        badges.register("orders", order_tabs_badge)  # the order tabs on 我的
        slots.register("product.reviews", "orders/slots/product_reviews.html")  # 口碑
