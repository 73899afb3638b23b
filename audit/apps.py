from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Staff audit")
    default_auto_field = "django.db.models.BigAutoField"


class AuditedAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the audited site as ``admin.site`` (Django's documented way to
    replace the default site), so every ``@admin.register`` of every app is audited."""

    default_site = "audit.site.AuditedAdminSite"
