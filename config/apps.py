from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project layer as an app, so that project-wide commands (``run_schedule``) live
    above the domain apps instead of inside one of them (the catalogue should not own the
    scheduler)."""

    name = "config"
    label = "project"
    verbose_name = "Quanzi"
