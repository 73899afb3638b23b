"""Commission rules, the per-order attribution snapshot, and commission records."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.fields import MoneyField
from common.forms import rate_as_percent
from common.models import SingletonModel
from distribution.compliance import MAX_TIERS
from distribution.models.member import Member, ResellerLevel

RATE = {"max_digits": 5, "decimal_places": 4}


def _rate_validators() -> list:
    return [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class AttributionPolicy(models.TextChoices):
    BINDING = "binding", _("binding: the shopper's upline earns")
    LAST_CLICK = "last_click", _("last click: the shop the order came through earns")


class WithdrawalChannel(models.TextChoices):
    WECHAT = "wechat", _("WeChat change")
    ALIPAY = "alipay", _("Alipay")
    BANK = "bank", _("bank card")


def _default_channels() -> list[str]:
    return [c.value for c in WithdrawalChannel]


RULES_CACHE_KEY = "distribution:commission-rules:v1"


class CommissionRules(SingletonModel):
    """The rules staff edit. One row (pk=1); every change is audited in ``RuleChange``."""

    cache_key = RULES_CACHE_KEY  # every checkout reads the rules


    tiers = models.PositiveSmallIntegerField(
        _("paid tiers"), default=2, validators=[MinValueValidator(1), MaxValueValidator(MAX_TIERS)],
        help_text=_("How many upline tiers earn commission. Never more than 3."))
    global_cap_rate = models.DecimalField(
        _("global cap (share of the paid amount)"), default=Decimal("0.5000"),
        validators=_rate_validators(), **RATE)
    self_purchase = models.BooleanField(
        _("self-purchase commission"), default=False,
        help_text=_("When on, a reseller buying for themselves is their own tier 1."))
    attribution_policy = models.CharField(_("attribution"), max_length=12,
                                          choices=AttributionPolicy.choices,
                                          default=AttributionPolicy.BINDING)
    withdrawal_min_amount = MoneyField(_("minimum withdrawal"), default=Decimal("10.00"),
                                       validators=[MinValueValidator(Decimal("0.01"))])
    withdrawal_fee_rate = models.DecimalField(_("withdrawal fee rate"), default=Decimal("0.0000"),
                                              validators=_rate_validators(), **RATE)
    withdrawal_daily_limit = models.PositiveSmallIntegerField(_("withdrawals per day"), default=3,
                                                              validators=[MinValueValidator(1)])
    withdrawal_channels = models.JSONField(_("withdrawal channels"), default=_default_channels)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("commission rules")
        verbose_name_plural = _("commission rules")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="commission_rules_singleton"),
            models.CheckConstraint(condition=Q(tiers__gte=1, tiers__lte=MAX_TIERS),
                                   name="commission_rules_at_most_3_tiers"),
            models.CheckConstraint(condition=Q(global_cap_rate__gte=0, global_cap_rate__lte=1),
                                   name="commission_rules_cap_rate_range"),
        ]

    def __str__(self) -> str:
        return str(_("Commission rules"))



class LevelRate(models.Model):
    """The rate a reseller of ``level`` earns at ``tier``."""

    level = models.ForeignKey(ResellerLevel, on_delete=models.CASCADE, related_name="rates",
                              verbose_name=_("level"))
    tier = models.PositiveSmallIntegerField(_("tier"), validators=[MinValueValidator(1),
                                                                   MaxValueValidator(MAX_TIERS)])
    rate = models.DecimalField(_("rate"), validators=_rate_validators(), **RATE)

    class Meta:
        verbose_name = _("level rate")
        verbose_name_plural = _("level rates")
        ordering = ["level__weight", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["level", "tier"], name="level_rate_unique"),
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=MAX_TIERS),
                                   name="level_rate_tier_range"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=1), name="level_rate_range"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {tier_label(self.tier)} {rate_as_percent(self.rate)}%"


class ProductCommission(models.Model):
    """A product's own terms, overriding the level rates: a rate or a fixed amount per unit."""

    class Mode(models.TextChoices):
        RATE = "rate", _("rate of the paid amount")
        FIXED = "fixed", _("fixed amount per unit")

    product = models.OneToOneField("mall.Product", on_delete=models.CASCADE,
                                   related_name="commission", verbose_name=_("product"))
    mode = models.CharField(_("mode"), max_length=5, choices=Mode.choices, default=Mode.RATE)
    tier1 = models.DecimalField(_("tier 1"), max_digits=12, decimal_places=4, default=0,
                                validators=[MinValueValidator(Decimal("0"))])
    tier2 = models.DecimalField(_("tier 2"), max_digits=12, decimal_places=4, default=0,
                                validators=[MinValueValidator(Decimal("0"))])
    tier3 = models.DecimalField(_("tier 3"), max_digits=12, decimal_places=4, default=0,
                                validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("product commission")
        verbose_name_plural = _("product commissions")
        constraints = [
            models.CheckConstraint(condition=Q(tier1__gte=0, tier2__gte=0, tier3__gte=0),
                                   name="product_commission_not_negative"),
            models.CheckConstraint(
                condition=Q(mode="fixed") | Q(tier1__lte=1, tier2__lte=1, tier3__lte=1),
                name="product_commission_rate_range"),
        ]

    def __str__(self) -> str:
        return str(self.product)

    def value_for(self, tier: int) -> Decimal:
        return getattr(self, f"tier{tier}")


class RuleChange(models.Model):
    """Audit of every rule change: who, when, what, old and new."""

    subject = models.CharField(_("rule"), max_length=80)
    field = models.CharField(_("field"), max_length=60)
    old_value = models.CharField(_("old value"), max_length=200, blank=True)
    new_value = models.CharField(_("new value"), max_length=200, blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject}.{self.field}"


class OrderAttribution(models.Model):
    """Who an order is credited to, frozen at checkout. Later rule, level or binding
    changes never alter it."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE,
                                 related_name="attribution", verbose_name=_("order"))
    buyer = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, related_name="+",
                              verbose_name=_("buyer"))
    reseller = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="attributed_orders", verbose_name=_("attributed reseller"))
    policy = models.CharField(_("attribution"), max_length=12, choices=AttributionPolicy.choices)
    tiers = models.PositiveSmallIntegerField(_("paid tiers"))
    cap_rate = models.DecimalField(_("global cap"), **RATE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order attribution")
        verbose_name_plural = _("order attributions")
        constraints = [
            models.CheckConstraint(condition=Q(tiers__gte=1, tiers__lte=MAX_TIERS),
                                   name="order_attribution_at_most_3_tiers"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}"


class CommissionPlan(models.Model):
    """The terms in force for one item and one tier at checkout (the snapshot)."""

    order_item = models.ForeignKey("orders.OrderItem", on_delete=models.CASCADE,
                                   related_name="commission_plans", verbose_name=_("order item"))
    tier = models.PositiveSmallIntegerField(_("tier"))
    beneficiary = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("beneficiary"))
    level_name = models.CharField(_("level"), max_length=40, blank=True)
    rate = models.DecimalField(_("rate"), null=True, blank=True, **RATE)
    fixed_per_unit = MoneyField(_("fixed per unit"), null=True, blank=True)

    class Meta:
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")
        constraints = [
            models.UniqueConstraint(fields=["order_item", "tier"], name="commission_plan_unique"),
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=MAX_TIERS),
                                   name="commission_plan_tier_range"),
            models.CheckConstraint(
                condition=Q(rate__isnull=False, fixed_per_unit__isnull=True)
                | Q(rate__isnull=True, fixed_per_unit__isnull=False),
                name="commission_plan_rate_xor_fixed"),
        ]

    def __str__(self) -> str:
        return f"{self.order_item_id} {tier_label(self.tier)}"


class CommissionState(models.TextChoices):
    # Contexts: the orders catalogue translates the same words for orders.
    PENDING = "pending", pgettext_lazy("commission", "pending")
    SETTLED = "settled", pgettext_lazy("commission", "settled")
    CANCELLED = "cancelled", pgettext_lazy("commission", "cancelled")


class CommissionRecord(models.Model):
    """One order item × one beneficiary × one tier. Created once, when the order is paid."""

    State = CommissionState

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("order"))
    order_item = models.ForeignKey("orders.OrderItem", on_delete=models.PROTECT,
                                   related_name="commission_records", verbose_name=_("order item"))
    beneficiary = models.ForeignKey(Member, on_delete=models.PROTECT,
                                    related_name="commission_records", verbose_name=_("beneficiary"))
    tier = models.PositiveSmallIntegerField(_("tier"))
    level_name = models.CharField(_("level"), max_length=40, blank=True)
    base_amount = MoneyField(_("base"))
    rate = models.DecimalField(_("rate"), null=True, blank=True, **RATE)
    fixed_per_unit = MoneyField(_("fixed per unit"), null=True, blank=True)
    original_amount = MoneyField(_("amount at payment"))
    amount = MoneyField(_("amount"), help_text=_("After refunds: what this record is worth now."))
    reversed_amount = MoneyField(_("clawed back after settlement"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=CommissionState.choices,
                             default=CommissionState.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("commission record")
        verbose_name_plural = _("commission records")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["beneficiary", "state", "-created_at"], name="commission_member_state"),
            models.Index(fields=["order_item"], condition=Q(state="pending"), name="commission_pending_item"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order_item", "beneficiary", "tier"],
                                    name="commission_record_once"),
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=MAX_TIERS),
                                   name="commission_record_at_most_3_tiers"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=F("original_amount"), reversed_amount__gte=0),
                name="commission_record_amounts"),
            models.CheckConstraint(condition=Q(original_amount__lte=F("base_amount")),
                                   name="commission_record_within_base"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.order_item_id} {tier_label(self.tier)} {self.amount}"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_amount > 0


def tier_label(tier: int) -> str:
    """``第 2 级`` (zh-hans) / ``tier 2``: never the raw ``T2``."""
    return str(_("tier %(n)s") % {"n": tier})
