from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import SingletonModel

SETTINGS_CACHE_KEY = "distribution:referral-settings:v1"
SETTINGS_CACHE_SECONDS = 300


class BindMode(models.TextChoices):
    PERMANENT = "permanent", _("permanent: bind once, at sign-up or shortly after")
    PROTECTED = "protected", _("protected: a binding holds for some days, then may change")
    OVERRIDE = "override", _("override: every valid invite re-binds")


class ReferralSettings(SingletonModel):
    """The referral rules staff can change. A single row; read it with
    ``distribution.referral.services.settings.referral_settings_get()``."""

    cache_key = SETTINGS_CACHE_KEY
    cache_seconds = SETTINGS_CACHE_SECONDS

    bind_mode = models.CharField(_("bind mode"), max_length=10, choices=BindMode.choices,
                                 default=BindMode.PERMANENT)
    permanent_window_minutes = models.PositiveIntegerField(
        _("binding window after sign-up (minutes)"), default=30,
        help_text=_("Permanent mode: an unbound member may still bind this long after signing up."))
    protected_days = models.PositiveIntegerField(
        _("protection period (days)"), default=30,
        help_text=_("Protected mode: a binding holds this long before a new invite may re-bind."))
    placement_interval_seconds = models.PositiveIntegerField(
        _("tree placement interval (seconds)"), default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("How long sign-ups are collected before the tree numbers are updated."))
    pending_alert_seconds = models.PositiveIntegerField(
        _("placement freshness bound (seconds)"), default=60,
        validators=[MinValueValidator(10), MaxValueValidator(3600)],
        help_text=_("Sign-ups waiting longer than this for placement are reported by the tree check."))
    invite_lookups_per_minute_ip = models.PositiveIntegerField(
        _("invite-code lookups per minute per IP"), default=30,
        help_text=_("Wrong invite codes one client address may try per minute, on every path: sign-up, "
                    "binding, share links and QR codes. Codes that exist do not count; once the "
                    "allowance is used up, every lookup from that address is refused until the minute "
                    "is over."))
    invite_lookups_per_minute_account = models.PositiveIntegerField(
        _("invite-code lookups per minute per account"), default=10,
        help_text=_("Wrong invite codes one signed-in member may try per minute when binding an inviter."))

    class Meta:
        verbose_name = _("referral settings")
        verbose_name_plural = _("referral settings")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="referral_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Referral settings"))


