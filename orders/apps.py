from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from mall.hooks import hooks as mall_hooks
        from orders.services.cart import cart_merge_on_sign_in

        mall_hooks.register("user_signed_in", cart_merge_on_sign_in)
