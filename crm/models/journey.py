"""SOPs (journey automation) and repurchase cycles: what staff set up, and who is in which
SOP. What was sent is not stored here: each step's messages are outbox rows
(``source_kind = sop``, ``source_id`` = the step), and their states are the step's tracking."""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import SingletonModel

PLATFORM = 0  # the owner key of a platform SOP (a reseller's SOP uses the reseller's user id)


class Sop(models.Model):
    """An ordered list of steps. Members enter by ``pack`` (an audience pack) or, without a
    pack, by ``conditions`` (the pack conditions: stages, tags_any, …; ``services/packs.py``).
    With an ``owner`` (a reseller), only members bound directly under that reseller enter."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("owner (reseller)"),
                              help_text=_("Empty: the platform."))
    pack = models.ForeignKey("crm.AudiencePack", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("audience pack"))
    conditions = models.JSONField(_("entry conditions"), default=dict, blank=True,
                                  help_text=_('Used without a pack, e.g. {"stages": ["new"]}.'))
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SOP")
        verbose_name_plural = _("SOPs")

    def __str__(self) -> str:
        return self.name

    @property
    def owner_key(self) -> int:
        return self.owner_id or PLATFORM


class Trigger(models.TextChoices):
    JOINED = "joined", _("day N after joining")
    FIRST_ORDER = "first_order", _("day N after the first paid order")
    WEEKLY = "weekly", _("weekly on a weekday")
    DATE = "date", _("on a date")


class SopStep(models.Model):
    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="steps", verbose_name=_("SOP"))
    position = models.PositiveSmallIntegerField(_("step order"), default=0)
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices, default=Trigger.JOINED)
    day = models.PositiveSmallIntegerField(_("day N"), default=0, validators=[MaxValueValidator(365)])
    weekday = models.PositiveSmallIntegerField(
        _("weekday (1 = Monday)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(7)])
    on_date = models.DateField(_("date"), null=True, blank=True)
    send_time = models.TimeField(_("time of day (Shanghai)"), default=time(10))
    template = models.ForeignKey("crm.MessageTemplate", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("message template"))

    class Meta:
        verbose_name = _("SOP step")
        verbose_name_plural = _("SOP steps")
        ordering = ["sop", "position", "id"]

    def __str__(self) -> str:
        return f"{self.sop_id}#{self.position}"


class SopEnrollment(models.Model):
    """A member in an SOP. At most one active SOP per member and owner (a database
    constraint), and each SOP at most once per member (it never re-enters after leaving)."""

    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    owner_key = models.BigIntegerField()
    is_active = models.BooleanField(default=True)
    enrolled_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sop", "user"], name="crm_sop_enrollment_once"),
            models.UniqueConstraint(fields=["user", "owner_key"], condition=Q(is_active=True),
                                    name="crm_sop_one_active_per_owner"),
        ]
        indexes = [models.Index(fields=["sop", "is_active"], name="crm_sop_enrollment_active")]

    def __str__(self) -> str:
        return f"{self.sop_id}: {self.user_id}"


class RepurchaseSettings(SingletonModel):
    min_pairs = models.PositiveIntegerField(
        _("minimum sample (purchase pairs)"), default=20, validators=[MinValueValidator(1)],
        help_text=_("A cycle is learned only from at least this many pairs of successive purchases."))
    template = models.ForeignKey("crm.MessageTemplate", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("reminder template"),
                                 help_text=_("Empty: no reminders are sent."))
    with_returning_coupon = models.BooleanField(
        _("attach the returning-customer coupon"), default=False,
        help_text=_("The coupon template of the returning-customer offer, if one is set."))

    class Meta:
        verbose_name = _("repurchase settings")
        verbose_name_plural = _("repurchase settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="crm_repurchasesettings_singleton")]

    def __str__(self) -> str:
        return str(_("Repurchase settings"))


class ProductCycle(models.Model):
    """A product's consumption cycle: staff's ``override_days``, else the learned one."""

    product = models.OneToOneField("mall.Product", on_delete=models.CASCADE, primary_key=True,
                                   related_name="+", verbose_name=_("product"))
    learned_days = models.PositiveSmallIntegerField(_("learned cycle (days)"), null=True, blank=True)
    sample_pairs = models.PositiveIntegerField(_("purchase pairs"), default=0)
    learned_on = models.DateField(_("learned on"), null=True, blank=True)
    override_days = models.PositiveSmallIntegerField(
        _("cycle set by staff (days)"), null=True, blank=True, validators=[MinValueValidator(3)])

    class Meta:
        verbose_name = _("repurchase cycle")
        verbose_name_plural = _("repurchase cycles")

    def __str__(self) -> str:
        return str(self.product_id)

    @property
    def cycle_days(self) -> int | None:
        return self.override_days or self.learned_days
