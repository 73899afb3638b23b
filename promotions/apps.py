from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = _("Promotions")

    def ready(self) -> None:
        # Explicit hook registrations (no signals): checkout asks for discounts, sign-up
        # grants the new-member gift; see promotions/handlers.py for why each runs where.
        from mall.hooks import hooks as mall_hooks
        from mall.slots import slots
        from orders.hooks import hooks as order_hooks
        from promotions import handlers, tasks  # noqa: F401

        slots.register("home.banners", "promotions/includes/signup_banner.html")  # 新人礼
        slots.register("product.offers", "promotions/includes/product_coupons.html")  # coupon chips
        mall_hooks.register("user_registered", handlers.on_user_registered)
        order_hooks.register("discount_options", handlers.discount_options)
        order_hooks.register("discount_reserve", handlers.discount_reserve)
        order_hooks.register("order_created", handlers.on_order_created)
        order_hooks.register("order_cancelled", handlers.on_order_cancelled)
        order_hooks.register("item_refunded", handlers.on_item_refunded)
