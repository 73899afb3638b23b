from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectConfig(AppConfig):
    """The project layer as an app, so that project-wide commands (``run_schedule``) live
    above the domain apps instead of inside one of them (the catalogue should not own the
    scheduler)."""

    name = "config"
    label = "project"
    verbose_name = _("Quanzi")
