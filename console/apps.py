from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = _("Staff console")

    def ready(self) -> None:
        # Registered in every process: the embedded mode runs the beat tasks in-process.
        from console import tasks  # noqa: F401
