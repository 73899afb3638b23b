from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    """Private-domain operations (私域运营): tags, lifecycle, audience packs, the outbox."""

    name = "crm"
    verbose_name = _("Private-domain operations")

    def ready(self) -> None:
        # Tasks register in every process (the embedded mode runs them eagerly by name).
        from crm import handlers, tasks  # noqa: F401
        from mall.menu import me_menu

        me_menu.register(handlers.inbox_menu_item)
        me_menu.register(handlers.adviser_menu_item)
        me_menu.register_dot(handlers.inbox_tab_dot)
