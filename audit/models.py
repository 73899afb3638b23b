"""One row per staff write made in the console: who, what, which object, before and after,
from which address, when. Rows are written by ``audit.services.audit_record`` only and never
edited or deleted (the model has no add/change/delete permission at all)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffAction(models.Model):
    class Kind(models.TextChoices):
        ADD = "add", _("added")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        ACTION = "action", _("list action")
        STEP = "step", _("staff step")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              related_name="+", verbose_name=_("staff member"))
    actor_repr = models.CharField(_("staff member (as then)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    what = models.CharField(_("operation"), max_length=100, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("object type"))
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("staff audit entry")
        verbose_name_plural = _("staff audit log")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.actor_repr} {self.kind} {self.object_repr}"
