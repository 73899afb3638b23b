"""Staff admin for the catalogue, suppliers, shops and members.

Admin writes are plain model-form saves, with two guards that matter for money and stock:

- A SKU's stock is written only when staff edited it, and only if nobody (an order) changed
  it since the page was rendered; the row is locked for the rest of the admin transaction
  (``changeform_view`` runs in ``transaction.atomic``), so the check and the write are one.
- Edited rows are saved with ``update_fields`` of what the form changed, so counters that
  orders maintain (``sales_count``, ``stock``) are never overwritten with stale values.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
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

from common.money import format_cny
from common.phone import mask_phone, normalize_phone
from mall.errors import InvalidPrice, ProductNotSellable, StockBelowZero
from mall.lock_objects import sku_lock_stock
from mall.models import SKU, Category, PhoneCode, Product, ProductImage, Shop, ShopProduct, Supplier, User
from mall.services.catalog import product_set_status

MAX_IMAGE_BYTES = 5 * 1024 * 1024
THUMB = '<img src="{}" alt="" style="width:{}px;height:{}px;object-fit:cover;border-radius:4px">'


def _thumbnail(name: str | None, size: int = 48) -> str:
    if not name:
        return "—"
    return format_html(THUMB, default_storage.url(name), size, size)


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


# --- users ----------------------------------------------------------------------------------


class UserCreationForm(BaseUserCreationForm):
    # Room for "139 1234 5678" or "+86 ..." as staff paste it; stored normalized.
    phone = forms.CharField(label=_("mobile number"), max_length=20)

    class Meta:
        model = User
        fields = ("phone", "nickname")

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone", ""))


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("phone", "password", "nickname", "avatar", "phone_verified_at", "is_active",
                  "is_staff", "is_superuser", "groups", "user_permissions")
        field_classes: dict = {}


class PhoneVerifiedFilter(admin.SimpleListFilter):
    title = _("phone verified")
    parameter_name = "phone_verified"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(phone_verified_at__isnull=self.value() == "no")
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ("phone", "nickname", "is_staff", "is_active", "date_joined", "phone_verified")
    list_filter = ("is_staff", "is_superuser", "is_active", PhoneVerifiedFilter, "groups")
    search_fields = ("phone", "nickname")
    ordering = ("-date_joined",)
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        (_("Profile"), {"fields": ("nickname", "avatar", "phone_verified_at")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups",
                                       "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("phone", "nickname", "password1", "password2")}),
    )

    @admin.display(description=_("phone verified"), boolean=True, ordering="phone_verified_at")
    def phone_verified(self, obj: User) -> bool:
        return obj.phone_verified_at is not None


@admin.register(PhoneCode)
class PhoneCodeAdmin(admin.ModelAdmin):
    """Read-only: support staff can see whether codes went out; never the code or its hash."""

    list_display = ("masked_phone", "purpose", "created_at", "expires_at", "attempts", "used")
    list_filter = ("purpose", ("used_at", admin.EmptyFieldListFilter))
    search_fields = ("=phone",)
    date_hierarchy = "created_at"
    fields = readonly_fields = ("masked_phone", "purpose", "created_at", "expires_at", "attempts",
                                "used_at")

    @admin.display(description=_("mobile number"))
    def masked_phone(self, obj: PhoneCode) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("used"), boolean=True, ordering="used_at")
    def used(self, obj: PhoneCode) -> bool:
        return obj.used_at is not None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PhoneCode | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PhoneCode | None = None) -> bool:
        return False


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
        help_texts = {
            "spec_options": _('A JSON list, e.g. [{"name": "颜色", "values": ["红", "蓝"]}]. '
                              "Each SKU picks one value of every option."),
        }

    def clean_spec_options(self) -> list:
        options = self.cleaned_data.get("spec_options") or []
        message = _('Spec options must be a list of {"name": ..., "values": [...]} with unique '
                    "names and unique, non-empty values.")
        if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
            raise ValidationError(message, code="invalid_specs")
        names = [str(o.get("name", "")).strip() for o in options]
        values = [o.get("values") for o in options]
        if not all(names) or len(set(names)) != len(names):
            raise ValidationError(message, code="invalid_specs")
        for vals in values:
            if (not isinstance(vals, list) or not vals or not all(str(v).strip() for v in vals)
                    or len(set(map(str, vals))) != len(vals)):
                raise ValidationError(message, code="invalid_specs")
        return [{"name": n, "values": [str(v).strip() for v in vs]}
                for n, vs in zip(names, values, strict=True)]


class SKUInlineForm(forms.ModelForm):
    class Meta:
        model = SKU
        fields = ("specs", "price", "cost_price", "stock", "weight_grams", "barcode", "is_active")
        widgets = {"specs": forms.Textarea(attrs={"rows": 1, "cols": 28})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The value staff saw travels with the POST, so "changed" means "staff edited it",
        # not "differs from the database now" (orders move stock all the time).
        self.fields["stock"].show_hidden_initial = True

    def clean_price(self) -> Decimal | None:
        price = self.cleaned_data.get("price")
        if price is not None and price <= 0:
            raise ValidationError(InvalidPrice.default_message, code=InvalidPrice.code)
        return price

    def clean_cost_price(self) -> Decimal | None:
        cost = self.cleaned_data.get("cost_price")
        if cost is not None and cost < 0:
            raise ValidationError(_("The cost price cannot be negative."), code="invalid_cost")
        return cost

    def clean_stock(self) -> int:
        stock = self.cleaned_data.get("stock")
        if stock is not None and stock < 0:
            raise ValidationError(StockBelowZero.default_message, code=StockBelowZero.code)
        return stock

    def clean_specs(self) -> dict:
        specs = self.cleaned_data.get("specs")
        if specs in (None, ""):
            return {}
        if not isinstance(specs, dict) or not all(
            isinstance(v, str) and v.strip() and str(k).strip() for k, v in specs.items()
        ):
            raise ValidationError(_('Specs must be a JSON object like {"颜色": "红"}.'),
                                  code="invalid_specs")
        return {str(k).strip(): v.strip() for k, v in specs.items()}

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk and "stock" in self.changed_data and "stock" in cleaned:
            seen = self.fields["stock"].to_python(
                self.data.get(self.add_initial_prefix("stock"), self.instance.stock))
            # Lock the row until the admin transaction ends, so this check and the write
            # cannot race an order's decrement.
            current = sku_lock_stock(sku_id=self.instance.pk)
            if current is not None and current != seen:
                self.add_error("stock", ValidationError(
                    _("Stock changed to %(now)s while you were editing (orders came in). "
                      "Enter the new quantity again."), code="stock_changed",
                    params={"now": current}))
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
        options = self.instance.spec_options if isinstance(self.instance.spec_options, list) else []
        allowed = {str(o.get("name")): {str(v) for v in o.get("values") or []} for o in options
                   if isinstance(o, dict) and isinstance(o.get("values") or [], list)}
        seen: set[str] = set()
        for form in self.forms:
            specs = getattr(form, "cleaned_data", {}).get("specs")
            if specs is None or form.cleaned_data.get("DELETE"):
                continue
            # Only new or re-specced SKUs are checked against the options, so an old
            # inconsistency never blocks an unrelated edit (e.g. a price change).
            is_new_specs = form.instance.pk is None or "specs" in form.changed_data
            fits = set(specs) == set(allowed) and all(v in allowed[k] for k, v in specs.items())
            if is_new_specs and not fits:
                form.add_error("specs", ValidationError(
                    _("These specs do not match the product's spec options: pick one listed "
                      "value for every option."), code="specs_mismatch"))
                continue
            key = SKU.make_spec_key(specs)
            if key in seen:
                form.add_error("specs", ValidationError(
                    _("Another SKU of this product has the same specs."), code="duplicate_specs"))
            seen.add(key)


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


# --- shops -----------------------------------------------------------------------------------


class ShopProductForm(forms.ModelForm):
    class Meta:
        model = ShopProduct
        fields = ("product", "sort_order")

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
    fields = ("product", "sort_order", "added_at")
    readonly_fields = ("added_at",)
    autocomplete_fields = ("product",)
    extra = 0


class ShopForm(forms.ModelForm):
    class Meta:
        model = Shop
        fields = ("owner", "name", "avatar", "intro", "is_active")

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
    fields = ("owner", "is_platform", "name", "avatar", "intro", "is_active", "created_at",
              "updated_at")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shop]:
        return super().get_queryset(request).annotate(num_products=Count("listings"))

    def get_readonly_fields(self, request: HttpRequest, obj: Shop | None = None) -> tuple:
        fixed = ("is_platform", "created_at", "updated_at")
        return ("owner", *fixed) if obj is not None and obj.is_platform else fixed

    def get_inlines(self, request: HttpRequest, obj: Shop | None) -> tuple:
        # The platform shop sells the whole catalogue; it has no listings of its own.
        return () if obj is not None and obj.is_platform else (ShopProductInline,)

    @admin.display(description=_("products"), ordering="num_products")
    def product_count(self, obj: Shop) -> str | int:
        return _("whole catalogue") if obj.is_platform else obj.num_products
