"""素材库: staff attach ready-to-post copy texts and pictures to a product; resellers copy and
save them from the share sheet (``distribution/myshop``)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from mall.models import MaterialImage, ProductMaterial
from mall.models.material import MATERIAL_IMAGES_MAX
from mall.services.shop_images import MAX_IMAGE_BYTES


class MaterialImageForm(forms.ModelForm):
    class Meta:
        model = MaterialImage
        fields = ("image", "sort_order")

    def clean_image(self) -> UploadedFile:
        image = self.cleaned_data.get("image")
        if image is not None and getattr(image, "size", 0) > MAX_IMAGE_BYTES:
            raise ValidationError(_("This picture is too large. Please choose one of at most 5 MB."),
                                  code="image_too_large")
        return image


class MaterialImageInline(admin.TabularInline):
    model = MaterialImage
    form = MaterialImageForm
    extra = 1
    max_num = MATERIAL_IMAGES_MAX


@admin.register(ProductMaterial)
class ProductMaterialAdmin(admin.ModelAdmin):
    inlines = (MaterialImageInline,)
    list_display = ("product", "short_text", "sort_order", "is_active", "updated_at")
    list_filter = ("is_active",)
    list_select_related = ("product",)
    search_fields = ("product__title", "text")
    autocomplete_fields = ("product",)
    fields = ("product", "text", "sort_order", "is_active")

    @admin.display(description=_("copy text"))
    def short_text(self, obj: ProductMaterial) -> str:
        return obj.text[:40] + ("…" if len(obj.text) > 40 else "")
