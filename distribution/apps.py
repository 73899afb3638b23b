from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = _("Distribution")

    def ready(self) -> None:
        # The tasks register in every process, not only in workers: services schedule them by
        # name (a signature), which needs the task known to run eagerly in the embedded mode.
        from distribution import handlers, tasks  # noqa: F401
        from mall.hooks import hooks as mall_hooks
        from mall.slots import slots
        from orders.hooks import hooks as order_hooks

        slots.register("product.price", "distribution/slots/product_price.html")  # 分享赚
        slots.register("product.reseller", "distribution/slots/product_reseller.html")  # 我的小店, invite
        slots.register("shop.header", "distribution/slots/shop_header.html")  # 分享赚 of the shop
        slots.register("shop.banner", "distribution/slots/shop_banner.html")  # the invite banner
        mall_hooks.register("user_registered", handlers.on_user_registered)
        mall_hooks.register("user_signed_in", handlers.on_user_signed_in)
        mall_hooks.register("share_landed", handlers.on_share_landed)
        order_hooks.register("order_created", handlers.on_order_created)
        order_hooks.register("order_paid", handlers.on_order_paid)
        order_hooks.register("item_refunded", handlers.on_item_refunded)
