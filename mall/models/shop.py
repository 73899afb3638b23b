from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from mall.models.catalog import Product


class Shop(TimeStampedModel):
    """A 微店: a reseller's storefront, or the platform's own shop (owner is empty).

    ``mall`` knows shops and their owners; who may own one (resellers) is decided in
    ``distribution``.
    """

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="shop",
                                 verbose_name=_("owner"))
    is_platform = models.BooleanField(_("platform shop"), default=False)
    name = models.CharField(_("name"), max_length=40)
    avatar = models.ImageField(_("logo"), upload_to="shops/", blank=True)
    cover = models.ImageField(_("cover image"), upload_to="shops/covers/", blank=True)
    intro = models.CharField(_("introduction"), max_length=200, blank=True)
    is_active = models.BooleanField(_("open"), default=True)
    products = models.ManyToManyField(Product, through="ShopProduct", related_name="shops",
                                      verbose_name=_("products"))

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        constraints = [
            models.UniqueConstraint(fields=["is_platform"], condition=Q(is_platform=True),
                                    name="shop_single_platform"),
            models.CheckConstraint(
                condition=(Q(is_platform=True, owner__isnull=True)
                           | Q(is_platform=False, owner__isnull=False)),
                name="shop_owner_iff_not_platform",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ShopProduct(models.Model):
    """A product a shop lists, in the shop's own order."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="listings",
                             verbose_name=_("shop"))
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="listings",
                                verbose_name=_("product"))
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shop listing")
        verbose_name_plural = _("shop listings")
        # Pinned listings first, then the reseller's own order.
        ordering = ["-is_pinned", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "product"], name="shop_product_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.shop} · {self.product}"


class RecommendedProduct(models.Model):
    """The platform's recommended selection (平台推荐选品), chosen by staff: a newly opened
    reseller shop starts with these products listed, in this order, so no shop opens empty."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="recommendation",
                                   verbose_name=_("product"))
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recommended product")
        verbose_name_plural = _("recommended selection")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return str(self.product)
