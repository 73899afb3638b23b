"""Members and staff accounts (phone sign-in), and the SMS verification codes support sees."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, TranslatedPermissionsMixin, masked_phone_cell
from common.phone import mask_phone, normalize_phone
from mall.models import PhoneCode, User


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
class UserAdmin(TranslatedPermissionsMixin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    # PIPL: the number is masked; revealing it is a logged step with a reason.
    list_display = ("phone_display", "nickname", "is_staff", "is_active", "date_joined", "phone_verified")
    list_display_links = ("phone_display",)
    list_filter = ("is_staff", "is_superuser", "is_active", PhoneVerifiedFilter, "groups")
    search_fields = ("phone", "nickname")
    ordering = ("-date_joined",)
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined", "phone_display")
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

    @admin.display(description=_("mobile number"), ordering="phone")
    def phone_display(self, obj: User) -> str:
        return masked_phone_cell(obj, obj.masked_phone) if obj.pk else ""

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> tuple:
        """Staff who may only look at an account see the number masked there too."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return tuple((name, {**opts, "fields": tuple("phone_display" if f == "phone" else f
                                                      for f in opts["fields"])})
                     for name, opts in fieldsets)

    @admin.display(description=_("phone verified"), boolean=True, ordering="phone_verified_at")
    def phone_verified(self, obj: User) -> bool:
        return obj.phone_verified_at is not None


@admin.register(PhoneCode)
class PhoneCodeAdmin(ReadOnlyAdmin):
    """Support staff can see whether codes went out; never the code or its hash."""

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
