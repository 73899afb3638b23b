"""素材库: ready-to-post copy texts and pictures that staff attach to a product, for
resellers to copy and save (so every reseller's 朋友圈 post need not look the same)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from mall.models.catalog import Product

MATERIAL_TEXT_MAX = 1000
MATERIAL_IMAGES_MAX = 9  # a WeChat moment shows at most nine pictures


class ProductMaterial(TimeStampedModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="materials",
                                verbose_name=_("product"))
    text = models.TextField(_("copy text"), max_length=MATERIAL_TEXT_MAX, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("shown to resellers"), default=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials (素材库)")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.product} · {self.text[:20]}"


class MaterialImage(models.Model):
    material = models.ForeignKey(ProductMaterial, on_delete=models.CASCADE, related_name="images",
                                 verbose_name=_("material"))
    image = models.ImageField(_("image"), upload_to="materials/")
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("material image")
        verbose_name_plural = _("material images")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.image.name
