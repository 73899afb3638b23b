"""The share funnel: what each share link brought (visits → sign-ups → paid orders).

- ``ShareLink`` is one thing a reseller shares: their shop or one product, through one
  channel (link, QR code, poster). Created on its first visit.
- ``ShareVisit`` is one visitor on one link on one day (Asia/Shanghai): the hot write, an
  ``INSERT … ON CONFLICT DO NOTHING`` on its composite primary key, so it is the per-day
  unique-visitor count by construction and carries no other index.
- ``ShareTouch`` is the last link a member came through (one row per user), read when
  their order is paid.
- ``ShareConversion`` is a sign-up or a paid order credited to a link, written once
  (unique per user for sign-ups, per order for orders).
- ``ShareDaily`` is the roll-up per link and day that the funnel pages read; rebuilt by
  ``funnel_rollup`` (idempotent) from the three tables above.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.fields import MoneyField
from distribution.models.member import Member


class ShareChannel(models.TextChoices):
    LINK = "link", _("share link")
    QR = "qr", _("QR code")
    POSTER = "poster", _("poster")


class ShareLink(models.Model):
    reseller = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="share_links",
                                 verbose_name=_("reseller"))
    channel = models.CharField(_("channel"), max_length=8, choices=ShareChannel.choices)
    product = models.ForeignKey("mall.Product", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("product"),
                                help_text=_("Empty: the reseller's shop."))
    created_at = models.DateTimeField(_("first visit"), auto_now_add=True)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["reseller", "channel", "product"],
                                    condition=Q(product__isnull=False), name="share_link_product_once"),
            models.UniqueConstraint(fields=["reseller", "channel"], condition=Q(product__isnull=True),
                                    name="share_link_shop_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reseller_id}/{self.channel}/{self.product_id or 'shop'}"


class ShareVisit(models.Model):
    pk = models.CompositePrimaryKey("day", "link", "visitor")
    day = models.DateField(_("day"))
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="+", db_index=False,
                             verbose_name=_("share link"))
    visitor = models.BigIntegerField(_("visitor"))

    class Meta:
        verbose_name = _("share visit")
        verbose_name_plural = _("share visits")

    def __str__(self) -> str:
        return f"{self.day} {self.link_id} {self.visitor}"


class ShareTouch(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="+", verbose_name=_("member"))
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="+", db_index=False,
                             verbose_name=_("share link"))
    touched_at = models.DateTimeField(_("last visit"))

    class Meta:
        verbose_name = _("last share link")
        verbose_name_plural = _("last share links")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.link_id}"


class ConversionKind(models.TextChoices):
    SIGNUP = "signup", _("sign-up")
    ORDER = "order", _("paid order")


class ShareConversion(models.Model):
    kind = models.CharField(_("kind"), max_length=8, choices=ConversionKind.choices)
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="conversions",
                             verbose_name=_("share link"))
    day = models.DateField(_("day"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("member"))
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="+", verbose_name=_("order"))
    amount = MoneyField(_("paid amount"), default=0)
    commission = MoneyField(_("estimated commission"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("share conversion")
        verbose_name_plural = _("share conversions")
        indexes = [models.Index(fields=["day", "link"], name="share_conversion_day")]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(kind="signup"), name="share_signup_once"),
            models.CheckConstraint(condition=Q(kind="signup", order__isnull=True)
                                   | Q(kind="order", order__isnull=False), name="share_conversion_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.link_id} {self.user_id}"


class ShareDaily(models.Model):
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="daily",
                             verbose_name=_("share link"))
    day = models.DateField(_("day"), db_index=True)
    visitors = models.PositiveIntegerField(_("visitors"), default=0)
    signups = models.PositiveIntegerField(_("sign-ups"), default=0)
    orders = models.PositiveIntegerField(_("paid orders"), default=0)
    amount = MoneyField(_("paid amount"), default=0)
    commission = MoneyField(_("estimated commission"), default=0)

    class Meta:
        verbose_name = _("share funnel day")
        verbose_name_plural = _("share funnel days")
        ordering = ["-day", "link_id"]
        constraints = [models.UniqueConstraint(fields=["link", "day"], name="share_daily_once")]

    def __str__(self) -> str:
        return f"{self.link_id} {self.day}"
