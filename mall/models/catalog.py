from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from common.fields import MoneyField
from common.models import TimeStampedModel


class Supplier(TimeStampedModel):
    """Feeds the platform catalogue and sets cost prices; paid through its settlement account."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact_name = models.CharField(_("contact person"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    settlement_account_name = models.CharField(_("settlement account name"), max_length=100)
    settlement_bank = models.CharField(_("settlement bank"), max_length=100)
    settlement_account_no = models.CharField(_("settlement account number"), max_length=40)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(MPTTModel):
    name = models.CharField(_("name"), max_length=40)
    parent = TreeForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                            related_name="children", verbose_name=_("parent category"))
    icon = models.ImageField(_("icon"), upload_to="categories/", blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class MPTTMeta:
        order_insertion_by = ["sort_order", "name"]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    """A product (SPU). What is bought is one of its SKUs."""

    class Status(models.TextChoices):
        ON_SHELF = "on_shelf", _("on shelf")
        OFF_SHELF = "off_shelf", _("off shelf")

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="products",
                                 verbose_name=_("supplier"))
    category = TreeForeignKey(Category, on_delete=models.PROTECT, related_name="products",
                              verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=120, db_index=True)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True,
                                   help_text=_("HTML written by staff; shown on the product page."))
    # [{"name": "颜色", "values": ["红", "蓝"]}, ...]: the SKUs are their combinations.
    spec_options = models.JSONField(_("spec options"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.OFF_SHELF, db_index=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    sales_count = models.PositiveIntegerField(_("units sold"), default=0)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-sort_order", "-id"]
        indexes = [models.Index(fields=["status", "category"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_on_shelf(self) -> bool:
        return self.status == self.Status.ON_SHELF


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images",
                                verbose_name=_("product"))
    image = models.ImageField(_("image"), upload_to="products/%Y/%m/")
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.image.name


class SKU(TimeStampedModel):
    """One buyable combination of specs, with its own price, cost and stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus",
                                verbose_name=_("product"))
    specs = models.JSONField(_("specs"), default=dict, blank=True)  # {"颜色": "红", "尺码": "M"}
    spec_key = models.CharField(max_length=200, editable=False)  # canonical "颜色:红;尺码:M"
    price = MoneyField(_("price"), validators=[MinValueValidator(Decimal("0.01"))])
    cost_price = MoneyField(_("cost price"), validators=[MinValueValidator(Decimal("0.00"))])
    stock = models.IntegerField(_("stock"), default=0)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    barcode = models.CharField(_("barcode"), max_length=32, null=True, blank=True, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["product_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "spec_key"], name="sku_unique_specs"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="sku_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="sku_price_positive"),
            models.CheckConstraint(condition=Q(cost_price__gte=0), name="sku_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product.title} {self.spec_text}".strip()

    @property
    def spec_text(self) -> str:
        return " ".join(str(v) for v in self.specs.values())

    @staticmethod
    def make_spec_key(specs: dict[str, str]) -> str:
        return ";".join(f"{k}:{v}" for k, v in sorted(specs.items()))
