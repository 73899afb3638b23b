"""Coupon templates (what staff define) and coupons (what a member holds).

Invariant I9: a template never issues more than its ``stock`` (a guarded
``UPDATE … SET issued = issued + 1 WHERE issued < stock``, and a CHECK), a member never
claims more than ``per_member_limit`` (the claims are numbered 1..limit per member and
template under a unique constraint), a coupon is used at most once (``state`` moves
unused → used under the coupon's row lock, and an order holds at most one coupon).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.fields import MoneyField
from common.models import TimeStampedModel
from mall.models import Category, Product, Shop


class CouponKind(models.TextChoices):
    THRESHOLD = "threshold", _("amount off above a threshold")
    PERCENT = "percent", _("percent off, with a ceiling")
    NO_THRESHOLD = "no_threshold", _("amount off, no threshold")


class CouponScope(models.TextChoices):
    ALL = "all", _("all products")
    CATEGORIES = "categories", _("chosen categories")
    PRODUCTS = "products", _("chosen products")
    SHOP = "shop", _("one shop")


class CouponSource(models.TextChoices):
    CLAIM = "claim", _("claimed in the claim centre")
    SIGNUP = "signup", _("new-member gift")
    RETURNING = "returning", _("returning-customer offer")
    STAFF = "staff", _("granted by staff")
    API = "api", _("granted through the API")
    MESSAGE = "message", _("sent in a message")


class CouponState(models.TextChoices):
    UNUSED = "unused", _("unused")
    USED = "used", _("used")


class CouponTemplate(TimeStampedModel):
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=CouponKind.choices)
    threshold = MoneyField(
        _("threshold"),
        default=0,
        help_text=_("Threshold coupons: the eligible items must cost at least this much."),
    )
    amount = MoneyField(
        _("amount off"), default=0, help_text=_("Threshold and no-threshold coupons: how much comes off.")
    )
    percent_off = models.PositiveSmallIntegerField(
        _("percent off"),
        default=0,
        validators=[MaxValueValidator(99)],
        help_text=_("Percent coupons: e.g. 15 for 15 percent off."),
    )
    max_discount = MoneyField(
        _("ceiling"),
        null=True,
        blank=True,
        help_text=_("Percent coupons: the most it takes off; empty for no ceiling."),
    )
    scope = models.CharField(
        _("applies to"), max_length=20, choices=CouponScope.choices, default=CouponScope.ALL
    )
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="+",
        verbose_name=_("categories"),
        help_text=_("A category includes its sub-categories."),
    )
    products = models.ManyToManyField(Product, blank=True, related_name="+", verbose_name=_("products"))
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("shop")
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Fixed dates; or leave empty and set the days below."),
    )
    valid_days = models.PositiveSmallIntegerField(
        _("valid for days after claiming"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    stock = models.PositiveIntegerField(_("total stock"))
    issued = models.PositiveIntegerField(_("issued"), default=0, editable=False)
    per_member_limit = models.PositiveSmallIntegerField(
        _("per-member limit"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How many a member may claim in the claim centre (grants do not count)."),
    )
    in_claim_centre = models.BooleanField(
        _("shown in the claim centre"), default=True, help_text=_("Off: grant-only.")
    )
    is_signup_gift = models.BooleanField(
        _("new-member gift"), default=False, help_text=_("Granted to every member at sign-up.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Inbound partner offer: the partner funds the discounts (its budget) and hands the coupon
    # to its own customers through a link carrying ``link_token``.
    partner = models.ForeignKey(
        "promotions.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_templates",
        verbose_name=_("funded by partner"),
    )
    link_token = models.CharField(
        _("partner link token"), max_length=24, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("coupon template")
        verbose_name_plural = _("coupon templates")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(issued__lte=F("stock")), name="coupontemplate_issued_le_stock"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=False) | Q(valid_days__isnull=False),
                name="coupontemplate_has_validity",
            ),
            models.UniqueConstraint(
                fields=["is_signup_gift"],
                condition=Q(is_signup_gift=True, is_active=True),
                name="coupontemplate_one_active_signup_gift",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """What staff must fill in for the kind and scope they chose (the admin shows these)."""
        errors = {}
        takes_amount = self.kind in (CouponKind.THRESHOLD, CouponKind.NO_THRESHOLD)
        if takes_amount and not (self.amount and self.amount > 0):
            errors["amount"] = _("Enter how much the coupon takes off.")
        if self.kind == CouponKind.PERCENT and not 1 <= (self.percent_off or 0) <= 99:
            errors["percent_off"] = _("Enter a percentage between 1 and 99.")
        if self.scope == CouponScope.SHOP and self.shop_id is None:
            errors["shop"] = _("Choose the shop the coupon is for.")
        if self.valid_until is None and not self.valid_days:
            errors["valid_until"] = _("Set an end date, or the days a coupon stays valid after claiming.")
        if errors:
            raise ValidationError(errors)

    @property
    def remaining(self) -> int:
        return self.stock - self.issued


class Coupon(models.Model):
    template = models.ForeignKey(
        CouponTemplate, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("template")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("member")
    )
    source = models.CharField(_("source"), max_length=20, choices=CouponSource.choices)
    # Claims are numbered 1..per_member_limit per (template, member): the limit is a constraint.
    claim_seq = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # A granting caller's idempotency key: the same key again returns the same coupon.
    grant_key = models.CharField(_("grant key"), max_length=80, null=True, blank=True, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=CouponState.choices, default=CouponState.UNUSED
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )
    discount_amount = MoneyField(_("discount given"), default=0)
    # Who funds the discount (the template's partner when it was issued): checkout marks a
    # coupon nobody funds used in one statement, and charges a funder without reading the template.
    funded_by = models.ForeignKey(
        "promotions.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("funded by partner"),
    )

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        permissions = [("grant_coupon", _("Can grant coupons to members"))]
        ordering = ["valid_until", "pk"]
        indexes = [models.Index(fields=["user", "state", "valid_until"])]
        constraints = [
            models.UniqueConstraint(fields=["template", "user", "claim_seq"], name="coupon_claim_seq_once"),
            models.UniqueConstraint(fields=["grant_key"], name="coupon_grant_key_once"),
            models.UniqueConstraint(fields=["order"], name="coupon_one_per_order"),
            models.CheckConstraint(
                condition=Q(state="unused", order__isnull=True, used_at__isnull=True)
                | Q(state="used", used_at__isnull=False),
                name="coupon_state_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} #{self.pk}"

    @property
    def key(self) -> str:
        return f"coupon:{self.pk}"
