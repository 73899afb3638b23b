"""The catalogue in the admin: suppliers, the category tree, products with images and SKUs.

A SKU's stock is written only when staff edited it, and only if nobody (an order) changed it
since the page was rendered (``sku_stock_lock_unchanged`` locks the row for the rest of the
admin transaction, so the check and the write are one). Edited rows are saved with
``update_fields`` of what the form changed, so ``sales_count`` and ``stock``, which orders
maintain, are never overwritten with stale values.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from mptt.admin import DraggableMPTTAdmin, TreeRelatedFieldListFilter

from common.errors import DomainError
from common.money import format_cny
from mall.admin.widgets import SKUSpecsWidget, SpecOptionsWidget
from mall.errors import InvalidPrice, ProductNotSellable, StockBelowZero, StockChanged
from mall.models import SKU, Category, Product, ProductImage, Supplier
from mall.services.catalog import (
    product_set_status,
    sku_specs_normalize,
    sku_stock_lock_unchanged,
    skus_check_specs,
    spec_options_normalize,
)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
THUMB = '<img src="{}" alt="" style="width:{}px;height:{}px;object-fit:cover;border-radius:4px">'


def _thumbnail(name: str | None, size: int = 48) -> str:
    if not name:
        return "—"
    return format_html(THUMB, default_storage.url(name), size, size)


def _invalid(error: DomainError) -> ValidationError:
    return ValidationError(error.message, code=error.code)


def _save_changed_fields(obj: models.Model, form: forms.ModelForm, *, change: bool,
                         also: tuple[str, ...] = ()) -> None:
    """Save a new row whole, an existing one with only the fields the form changed."""
    if not change or obj.pk is None:
        obj.save()
        return
    concrete = {f.name for f in obj._meta.concrete_fields}
    fields = [name for name in (*form.changed_data, *also) if name in concrete]
    if "updated_at" in concrete:
        fields.append("updated_at")
    if fields:
        obj.save(update_fields=fields)


# --- suppliers and categories ------------------------------------------------------------------


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_name", "contact_phone", "is_active", "product_count")
    list_filter = ("is_active",)
    search_fields = ("name", "contact_name", "contact_phone")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "is_active")}),
        (_("Contact"), {"fields": ("contact_name", "contact_phone")}),
        (_("Settlement"), {"fields": ("settlement_account_name", "settlement_bank",
                                      "settlement_account_no")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Supplier]:
        return super().get_queryset(request).annotate(num_products=Count("products"))

    @admin.display(description=_("products"), ordering="num_products")
    def product_count(self, obj: Supplier) -> int:
        return obj.num_products


@admin.register(Category)
class CategoryAdmin(DraggableMPTTAdmin):
    list_display = ("tree_actions", "indented_title", "product_count", "sort_order", "is_active")
    list_display_links = ("indented_title",)
    list_filter = ("is_active",)
    search_fields = ("name",)
    expand_tree_by_default = True
    list_per_page = 500

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        qs = super().get_queryset(request)
        qs = Category.objects.add_related_count(qs, Product, "category", "num_products_all",
                                                cumulative=True)
        return Category.objects.add_related_count(qs, Product, "category", "num_products")

    @admin.display(description=_("products (incl. subcategories)"))
    def product_count(self, obj: Category) -> int:
        return obj.num_products_all


# --- products --------------------------------------------------------------------------------


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("title", "subtitle", "category", "supplier", "status", "sort_order",
                  "spec_options", "description")
        widgets = {"spec_options": SpecOptionsWidget()}
        help_texts = {
            "spec_options": _("One row per option (颜色, 尺码…) with its values. "
                              "Each SKU picks one value of every option."),
        }

    def clean_spec_options(self) -> list:
        try:
            return spec_options_normalize(self.cleaned_data.get("spec_options") or [])
        except DomainError as exc:
            raise _invalid(exc) from None


class SKUInlineForm(forms.ModelForm):
    class Meta:
        model = SKU
        fields = ("specs", "price", "cost_price", "stock", "weight_grams", "barcode", "is_active")
        widgets = {"specs": SKUSpecsWidget()}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The value staff saw travels with the POST, so "changed" means "staff edited it",
        # not "differs from the database now" (orders move stock all the time).
        self.fields["stock"].show_hidden_initial = True

    def clean_price(self) -> Decimal | None:
        price = self.cleaned_data.get("price")
        if price is not None and price <= 0:
            raise _invalid(InvalidPrice())
        return price

    def clean_cost_price(self) -> Decimal | None:
        cost = self.cleaned_data.get("cost_price")
        if cost is not None and cost < 0:
            raise ValidationError(_("The cost price cannot be negative."), code="invalid_cost")
        return cost

    def clean_stock(self) -> int:
        stock = self.cleaned_data.get("stock")
        if stock is not None and stock < 0:
            raise _invalid(StockBelowZero())
        return stock

    def clean_specs(self) -> dict:
        try:
            return sku_specs_normalize(self.cleaned_data.get("specs"))
        except DomainError as exc:
            raise _invalid(exc) from None

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk and "stock" in self.changed_data and "stock" in cleaned:
            seen = self.fields["stock"].to_python(
                self.data.get(self.add_initial_prefix("stock"), self.instance.stock))
            try:
                sku_stock_lock_unchanged(sku_id=self.instance.pk, seen=seen)
            except StockChanged as exc:
                self.add_error("stock", _invalid(exc))
        return cleaned

    def save(self, commit: bool = True) -> SKU:
        sku = super().save(commit=False)
        sku.spec_key = SKU.make_spec_key(sku.specs)
        if commit:
            also = ("spec_key",) if "specs" in self.changed_data else ()
            _save_changed_fields(sku, self, change=not sku._state.adding, also=also)
        return sku


class SKUInlineFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        checked = [form for form in self.forms
                   if getattr(form, "cleaned_data", {}).get("specs") is not None
                   and not form.cleaned_data.get("DELETE")]
        errors = skus_check_specs(
            spec_options=self.instance.spec_options,
            skus=[(form.cleaned_data["specs"], form.instance.pk is None or "specs" in form.changed_data)
                  for form in checked],
        )
        for form, error in zip(checked, errors, strict=True):
            if error is not None:
                form.add_error("specs", _invalid(error))


class SKUInline(admin.TabularInline):
    model = SKU
    form = SKUInlineForm
    formset = SKUInlineFormSet
    fields = ("specs", "price", "cost_price", "stock", "weight_grams", "barcode", "is_active")
    extra = 0
    min_num = 1


class ProductImageForm(forms.ModelForm):
    class Meta:
        model = ProductImage
        fields = ("image", "sort_order")

    def clean_image(self) -> object:
        image = self.cleaned_data.get("image")
        if image and getattr(image, "size", 0) > MAX_IMAGE_BYTES:
            raise ValidationError(_("The image is larger than 5 MB."), code="image_too_large")
        return image


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    fields = ("preview", "image", "sort_order")
    readonly_fields = ("preview",)
    extra = 1

    @admin.display(description=_("preview"))
    def preview(self, obj: ProductImage) -> str:
        return _thumbnail(obj.image.name if obj.pk and obj.image else None, size=96)


class StockFilter(admin.SimpleListFilter):
    title = _("stock")
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("out", _("sold out")), ("low", _("low (under 10)"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        in_stock = Q(skus__is_active=True, skus__stock__gt=0)
        if self.value() == "out":
            return queryset.exclude(pk__in=Product.objects.filter(in_stock).values("pk"))
        if self.value() == "low":
            return queryset.filter(total_stock__gt=0, total_stock__lt=10)
        return queryset


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    inlines = (ProductImageInline, SKUInline)
    list_display = ("thumbnail", "title", "category", "supplier", "status", "min_price_display",
                    "total_stock_display", "sales_count")
    list_display_links = ("thumbnail", "title")
    list_filter = ("status", ("category", TreeRelatedFieldListFilter), "supplier", StockFilter)
    list_select_related = ("category", "supplier")
    search_fields = ("title", "=skus__barcode")
    autocomplete_fields = ("supplier",)
    readonly_fields = ("sales_count", "created_at", "updated_at")
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ("put_on_shelf", "take_off_shelf")
    fieldsets = (
        (None, {"fields": ("title", "subtitle", "category", "supplier", "status", "sort_order")}),
        (_("Specs"), {"fields": ("spec_options",)}),
        (_("Description"), {"fields": ("description",), "classes": ("collapse",)}),
        (_("Record"), {"fields": ("sales_count", "created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        active = Q(skus__is_active=True)
        cover = ProductImage.objects.filter(product=OuterRef("pk")).order_by("sort_order", "id")
        return super().get_queryset(request).annotate(
            min_price=Min("skus__price", filter=active),
            total_stock=Sum("skus__stock", filter=active),
            cover=Subquery(cover.values("image")[:1]),
        )

    @admin.display(description=_("image"))
    def thumbnail(self, obj: Product) -> str:
        return _thumbnail(obj.cover)

    @admin.display(description=_("lowest price"), ordering="min_price")
    def min_price_display(self, obj: Product) -> str:
        return format_cny(obj.min_price) or "—"

    @admin.display(description=_("stock"), ordering="total_stock")
    def total_stock_display(self, obj: Product) -> int:
        return obj.total_stock or 0

    def save_model(self, request: HttpRequest, obj: Product, form: forms.ModelForm,
                   change: bool) -> None:
        _save_changed_fields(obj, form, change=change)

    @admin.action(description=_("Put selected products on shelf"), permissions=["change"])
    def put_on_shelf(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        count = skipped = 0
        for product in queryset.exclude(status=Product.Status.ON_SHELF):
            try:
                product_set_status(product=product, on_shelf=True)
            except ProductNotSellable:
                skipped += 1
            else:
                count += 1
        self.message_user(request, ngettext("%(count)d product put on shelf.",
                                            "%(count)d products put on shelf.", count)
                          % {"count": count}, messages.SUCCESS)
        if skipped:
            self.message_user(request, ngettext(
                "%(count)d product has no active SKU and stays off shelf.",
                "%(count)d products have no active SKU and stay off shelf.", skipped)
                % {"count": skipped}, messages.WARNING)

    @admin.action(description=_("Take selected products off shelf"), permissions=["change"])
    def take_off_shelf(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        count = 0
        for product in queryset.filter(status=Product.Status.ON_SHELF):
            product_set_status(product=product, on_shelf=False)
            count += 1
        self.message_user(request, ngettext("%(count)d product taken off shelf.",
                                            "%(count)d products taken off shelf.", count)
                          % {"count": count}, messages.SUCCESS)
