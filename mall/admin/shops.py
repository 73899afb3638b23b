"""Shops (微店) and their listings, and the platform's recommended selection (平台推荐选品) that
every newly opened reseller shop starts with. The platform shop sells the whole catalogue: it
has no owner to change and no listings of its own."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mall.models import Product, RecommendedProduct, Shop, ShopProduct


class ShopProductForm(forms.ModelForm):
    class Meta:
        model = ShopProduct
        fields = ("product", "sort_order", "is_pinned")

    def clean_product(self) -> Product:
        product = self.cleaned_data.get("product")
        is_new = self.instance.pk is None or "product" in self.changed_data
        if product is not None and is_new and not product.is_on_shelf:
            raise ValidationError(_("This product is off shelf and cannot be listed."),
                                  code="product_off_shelf")
        return product


class ShopProductInline(admin.TabularInline):
    model = ShopProduct
    form = ShopProductForm
    fields = ("product", "sort_order", "is_pinned", "added_at")
    readonly_fields = ("added_at",)
    autocomplete_fields = ("product",)
    extra = 0


class ShopForm(forms.ModelForm):
    class Meta:
        model = Shop
        fields = ("owner", "name", "avatar", "cover", "intro", "is_active")

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.instance.is_platform and "owner" in self.fields and not cleaned.get("owner"):
            self.add_error("owner", ValidationError(_("A reseller shop needs an owner."),
                                                    code="owner_required"))
        return cleaned


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    form = ShopForm
    list_display = ("name", "owner", "is_platform", "product_count", "is_active", "created_at")
    list_filter = ("is_platform", "is_active")
    list_select_related = ("owner",)
    search_fields = ("name", "owner__phone", "owner__nickname")
    autocomplete_fields = ("owner",)
    fields = ("owner", "is_platform", "name", "avatar", "cover", "intro", "is_active", "created_at",
              "updated_at")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shop]:
        return super().get_queryset(request).annotate(num_products=Count("listings"))

    def get_readonly_fields(self, request: HttpRequest, obj: Shop | None = None) -> tuple:
        fixed = ("is_platform", "created_at", "updated_at")
        return ("owner", *fixed) if obj is not None and obj.is_platform else fixed

    def get_inlines(self, request: HttpRequest, obj: Shop | None) -> tuple:
        return () if obj is not None and obj.is_platform else (ShopProductInline,)

    @admin.display(description=_("products"), ordering="num_products")
    def product_count(self, obj: Shop) -> str | int:
        return _("whole catalogue") if obj.is_platform else obj.num_products


class RecommendedProductForm(forms.ModelForm):
    class Meta:
        model = RecommendedProduct
        fields = ("product", "sort_order")

    def clean_product(self) -> Product:
        product = self.cleaned_data.get("product")
        if product is not None and not product.is_on_shelf:
            raise ValidationError(_("This product is off shelf and cannot be recommended."),
                                  code="product_off_shelf")
        return product


@admin.register(RecommendedProduct)
class RecommendedProductAdmin(admin.ModelAdmin):
    """平台推荐选品: a newly opened reseller shop lists these, in this order (off-shelf ones
    are skipped). Shops opened earlier are not changed."""

    form = RecommendedProductForm
    list_display = ("product", "sort_order", "product_status", "added_at")
    list_editable = ("sort_order",)
    list_select_related = ("product",)
    autocomplete_fields = ("product",)
    search_fields = ("product__title",)

    @admin.display(description=_("status"), ordering="product__status")
    def product_status(self, obj: RecommendedProduct) -> str:
        return obj.product.get_status_display()
