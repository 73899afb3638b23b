"""Audit of staff access to sensitive personal data (PIPL): who saw what, when and why.

A row is written in the same transaction that reveals the value (see
``distribution.wallet.services.payout_accounts.payout_account_reveal``); rows are never edited.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SensitiveAccessLog(models.Model):
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("staff member"))
    object_repr = models.CharField(_("object"), max_length=200)
    field = models.CharField(_("field"), max_length=60)
    reason = models.CharField(_("reason"), max_length=200)
    accessed_at = models.DateTimeField(_("accessed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sensitive data access")
        verbose_name_plural = _("sensitive data access log")
        ordering = ["-accessed_at", "-id"]
        permissions = [("reveal_phone", _("Can reveal a full mobile number, with a reason"))]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="sensitive_access_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.field} {self.object_repr}"
