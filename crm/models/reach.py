"""Who may be reached, how often, and when: the anti-disturbance (防打扰) settings and each
member's contact row (consent, unsubscribe). The contact row is also the lock every send
of that member takes (``crm/lock_objects.py``), which is what makes the cap atomic."""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import SingletonModel


class ReachSettings(SingletonModel):
    """At most ``short_cap`` messages in ``short_days`` calendar days and ``long_cap`` in
    ``long_days`` (Asia/Shanghai days), and nothing between ``quiet_start`` and ``quiet_end``."""

    short_cap = models.PositiveSmallIntegerField(
        _("messages per short window"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)])
    short_days = models.PositiveSmallIntegerField(
        _("short window (days)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)])
    long_cap = models.PositiveSmallIntegerField(
        _("messages per long window"), default=7, validators=[MinValueValidator(1), MaxValueValidator(200)])
    long_days = models.PositiveSmallIntegerField(
        _("long window (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)])
    quiet_start = models.TimeField(_("quiet hours start"), default=time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=time(9, 0))

    class Meta:
        verbose_name = _("anti-disturbance settings")
        verbose_name_plural = _("anti-disturbance settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="crm_reach_settings_singleton"),
            models.CheckConstraint(condition=Q(short_cap__gte=1, long_cap__gte=1, short_days__gte=1,
                                               long_days__gte=1), name="crm_reach_caps_positive"),
        ]

    def __str__(self) -> str:
        return str(_("anti-disturbance settings"))

    def caps(self) -> tuple[tuple[int, int], ...]:
        """(messages, days) pairs, every one enforced."""
        return ((self.short_cap, self.short_days), (self.long_cap, self.long_days))


class Contact(models.Model):
    """A member's reach preferences. Created with the first message queued for them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="crm_contact", verbose_name=_("member"))
    inbox_consent = models.BooleanField(_("in-site messages allowed"), default=True)
    sms_consent = models.BooleanField(_("marketing SMS allowed"), default=False)
    wechat_consent = models.BooleanField(_("WeChat subscribe messages allowed"), default=False)
    wechat_openid = models.CharField(_("WeChat openid"), max_length=64, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("member contact")
        verbose_name_plural = _("member contacts")

    def __str__(self) -> str:
        return str(self.user)
