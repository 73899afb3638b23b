"""Who a member is to the merchant: tags, the daily profile (lifecycle stage, RFM, KOC) and
audience packs (人群包) with their frozen sends. Definitions: crm/README.md."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.fields import MoneyField
from common.models import SingletonModel

MAX_TAGS = 3000  # WeCom's limit per enterprise, so tags can sync there later


class TagGroup(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)
    # Set on the groups of rule tags (``services/rule_tags.py``): its family, e.g. "spend".
    rule_family = models.CharField(_("rule"), max_length=12, blank=True, editable=False)

    class Meta:
        verbose_name = _("tag group")
        verbose_name_plural = _("tag groups")
        constraints = [models.UniqueConstraint(fields=["rule_family"], condition=~Q(rule_family=""),
                                               name="crm_tag_group_rule_once")]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    group = models.ForeignKey(TagGroup, on_delete=models.PROTECT, related_name="tags",
                              verbose_name=_("group"))
    name = models.CharField(_("name"), max_length=30)
    # Set on rule tags: what the tag means, e.g. "spend:2", "category:15" (its name may change).
    rule_key = models.CharField(_("rule"), max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["group", "name"], name="crm_tag_unique_in_group"),
                       models.UniqueConstraint(fields=["rule_key"], condition=~Q(rule_key=""),
                                               name="crm_tag_rule_key_once")]

    def __str__(self) -> str:
        return f"{self.group.name}/{self.name}"


class TagSource(models.TextChoices):
    STAFF = "staff", _("staff")
    RESELLER = "reseller", _("reseller")
    RULE = "rule", _("daily rule")


class MemberTag(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crm_tags",
                             verbose_name=_("member"))
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="members", verbose_name=_("tag"))
    source = models.CharField(_("source"), max_length=10, choices=TagSource.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("added by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member tag")
        verbose_name_plural = _("member tags")
        constraints = [models.UniqueConstraint(fields=["tag", "user"], name="crm_member_tag_once")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.tag_id}"


class LifecycleSettings(SingletonModel):
    """Thresholds staff set for the daily profile (definitions in crm/README.md)."""

    sleep_days = models.PositiveSmallIntegerField(_("asleep after (days without an order)"), default=30,
                                                  validators=[MinValueValidator(1)])
    lost_days = models.PositiveSmallIntegerField(_("lost after (days without an order)"), default=90,
                                                 validators=[MinValueValidator(2)])
    r_days_high = models.PositiveSmallIntegerField(_("R 3 within (days)"), default=30)
    r_days_mid = models.PositiveSmallIntegerField(_("R 2 within (days)"), default=90)
    f_orders_mid = models.PositiveSmallIntegerField(_("F 2 from (orders)"), default=2)
    f_orders_high = models.PositiveSmallIntegerField(_("F 3 from (orders)"), default=5)
    m_amount_mid = MoneyField(_("M 2 from (spend)"), default=Decimal("100.00"))
    m_amount_high = MoneyField(_("M 3 from (spend)"), default=Decimal("500.00"))
    koc_min_invites = models.PositiveSmallIntegerField(
        _("KOC: at least (direct sign-ups)"), default=3, validators=[MaxValueValidator(10000)],
        help_text=_("Sign-ups and their orders come from the share funnel when the member's share links "
                    "recorded any; else from the members bound directly under them."))
    koc_min_orders = models.PositiveSmallIntegerField(_("KOC: at least (paid orders of those sign-ups)"),
                                                      default=2)
    # Rule tags (crm/README.md "Rule tags"): the spend bands and the days-since-last-order buckets.
    spend_band_1 = MoneyField(_("spend band 2 from"), default=Decimal("100.00"))
    spend_band_2 = MoneyField(_("spend band 3 from"), default=Decimal("500.00"))
    spend_band_3 = MoneyField(_("spend band 4 from"), default=Decimal("2000.00"))
    days_bucket_1 = models.PositiveSmallIntegerField(_("last order: first bucket up to (days)"), default=7)
    days_bucket_2 = models.PositiveSmallIntegerField(_("last order: second bucket up to (days)"), default=30)
    days_bucket_3 = models.PositiveSmallIntegerField(_("last order: third bucket up to (days)"), default=90)

    class Meta:
        verbose_name = _("lifecycle settings")
        verbose_name_plural = _("lifecycle settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="crm_lifecycle_settings_singleton"),
            models.CheckConstraint(condition=Q(lost_days__gt=models.F("sleep_days")),
                                   name="crm_lost_after_asleep"),
            models.CheckConstraint(condition=Q(spend_band_1__gt=0, spend_band_2__gt=models.F("spend_band_1"),
                                               spend_band_3__gt=models.F("spend_band_2")),
                                   name="crm_spend_bands_ascending",
                                   violation_error_message=_("Each spend band must start above the one "
                                                             "before.")),
            models.CheckConstraint(condition=Q(days_bucket_2__gt=models.F("days_bucket_1"),
                                               days_bucket_3__gt=models.F("days_bucket_2")),
                                   name="crm_day_buckets_ascending",
                                   violation_error_message=_("Each last-order bucket must end after the "
                                                             "one before.")),
        ]

    def __str__(self) -> str:
        return str(_("lifecycle settings"))


class Stage(models.TextChoices):
    NEW = "new", pgettext_lazy("lifecycle stage", "new (no second order yet)")
    ACTIVE = "active", pgettext_lazy("lifecycle stage", "active")
    ASLEEP = "asleep", pgettext_lazy("lifecycle stage", "asleep")
    LOST = "lost", pgettext_lazy("lifecycle stage", "lost")


class MemberProfile(models.Model):
    """Recomputed daily by ``profiles_compute`` for every member."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="crm_profile", verbose_name=_("member"))
    paid_orders = models.PositiveIntegerField(_("paid orders"), default=0)
    spend = MoneyField(_("spend"), default=0)
    first_paid_at = models.DateTimeField(_("first order"), null=True, blank=True)
    last_paid_at = models.DateTimeField(_("last order"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.NEW)
    previous_stage = models.CharField(_("stage the day before"), max_length=10, choices=Stage.choices,
                                      blank=True)
    r_score = models.PositiveSmallIntegerField("R", default=0)
    f_score = models.PositiveSmallIntegerField("F", default=0)
    m_score = models.PositiveSmallIntegerField("M", default=0)
    # KOC's inputs: from the share funnel when the member's links recorded any conversion
    # (``koc_from_funnel``), else direct sign-ups and their paid orders.
    invites = models.PositiveIntegerField(_("sign-ups"), default=0)
    invitee_orders = models.PositiveIntegerField(_("paid orders of those sign-ups"), default=0)
    koc_from_funnel = models.BooleanField(_("KOC from the share funnel"), default=False)
    is_koc = models.BooleanField("KOC", default=False)
    computed_on = models.DateField(_("computed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")
        indexes = [models.Index(fields=["stage"], name="crm_profile_stage")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.stage}"


class AudiencePack(models.Model):
    """A saved set of conditions (``crm/services/packs.py`` reads ``conditions``)."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    conditions = models.JSONField(_("conditions"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("audience pack")
        verbose_name_plural = _("audience packs")

    def __str__(self) -> str:
        return self.name


class PackSend(models.Model):
    """One send of a pack: its member list frozen at send time, split for a small-group test."""

    class State(models.TextChoices):
        TESTING = "testing", _("small-group test")
        RELEASED = "released", _("released to everyone")

    pack = models.ForeignKey(AudiencePack, on_delete=models.PROTECT, related_name="sends",
                             verbose_name=_("pack"))
    template = models.ForeignKey("crm.MessageTemplate", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("template"))
    test_percent = models.PositiveSmallIntegerField(_("test group (%)"), default=100,
                                                    validators=[MinValueValidator(1), MaxValueValidator(100)])
    holdout_percent = models.PositiveSmallIntegerField(_("hold-out (%)"), default=0,
                                                       validators=[MaxValueValidator(50)])
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.TESTING)
    frozen_count = models.PositiveIntegerField(_("members at send time"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("sent by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pack send")
        verbose_name_plural = _("pack sends")

    def __str__(self) -> str:
        return f"{self.pack.name} #{self.pk}"


class PackMember(models.Model):
    class Group(models.TextChoices):
        TEST = "test", _("test group")
        HOLDOUT = "holdout", _("hold-out")
        REST = "rest", _("the rest")

    send = models.ForeignKey(PackSend, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=8, choices=Group.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["send", "user"], name="crm_pack_member_once")]
        indexes = [models.Index(fields=["send", "group"], name="crm_pack_member_group")]

    def __str__(self) -> str:
        return f"{self.send_id}: {self.user_id} ({self.group})"
