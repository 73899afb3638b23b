"""The project's own tables (app label ``project``): alerts for the staff console."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Alert(models.Model):
    """One raised alert (``common.alerts.alert_raise``), shown as a red banner on every
    staff page until someone acknowledges it."""

    class Kind(models.TextChoices):
        WALLET_RECONCILIATION = "reconcile_wallets", _("wallet reconciliation failed")
        REFERRAL_TREE_CHECK = "check_referral_tree", _("referral tree check failed")
        REFUND_ANOMALY = "refund_anomaly", _("refund confirmed but not applied")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    details = models.TextField(_("details"), blank=True)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("acknowledged by"))

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["raised_at"], condition=models.Q(acknowledged_at__isnull=True),
                                name="alert_open_idx")]

    def __str__(self) -> str:
        return self.subject
