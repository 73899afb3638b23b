"""Tags, lifecycle thresholds, member profiles and audience packs, for staff."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, SingletonAdmin
from common.errors import DomainError
from crm.models import MAX_TAGS, AudiencePack, LifecycleSettings, MemberProfile, PackSend, Tag, TagGroup
from crm.services.packs import conditions_clean, pack_preview_count, pack_send_conversion, pack_send_release


@admin.register(LifecycleSettings)
class LifecycleSettingsAdmin(SingletonAdmin):
    pass


@admin.register(TagGroup)
class TagGroupAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "group"]
    list_filter = ["group"]
    search_fields = ["name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and Tag.objects.count() < MAX_TAGS


@admin.register(MemberProfile)
class MemberProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "stage", "paid_orders", "spend", "last_paid_at", "r_score", "f_score", "m_score",
                    "is_koc", "computed_on"]
    list_filter = ["stage", "is_koc", "r_score", "f_score", "m_score"]
    search_fields = ["user__nickname", "=user__phone"]
    list_select_related = ["user"]
    show_full_result_count = False


class AudiencePackForm(forms.ModelForm):
    class Meta:
        model = AudiencePack
        fields = ["name", "conditions"]

    def clean_conditions(self) -> dict:
        try:
            return conditions_clean(self.cleaned_data.get("conditions"))
        except DomainError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc


@admin.register(AudiencePack)
class AudiencePackAdmin(admin.ModelAdmin):
    form = AudiencePackForm
    list_display = ["name", "created_at"]
    readonly_fields = ["preview_count"]

    @admin.display(description=_("members now"))
    def preview_count(self, obj: AudiencePack) -> int | str:
        return pack_preview_count(conditions=obj.conditions) if obj.pk else "-"

    def save_model(self, request: HttpRequest, obj: AudiencePack, form: forms.Form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PackSend)
class PackSendAdmin(ReadOnlyAdmin):
    list_display = ["pack", "template", "state", "frozen_count", "test_percent", "holdout_percent",
                    "created_at", "conversion"]
    list_filter = ["state"]
    actions = ["release"]

    @admin.display(description=_("conversion within 7 days"))
    def conversion(self, obj: PackSend) -> str:
        return "; ".join(f"{group}: {row['converted']}/{row['members']}"
                         for group, row in pack_send_conversion(send=obj).items())

    @admin.action(description=_("Release to the rest"))
    def release(self, request: HttpRequest, queryset: QuerySet[PackSend]) -> None:
        for send in queryset:
            try:
                pack_send_release(send=send)
            except DomainError as exc:
                self.message_user(request, f"{send}: {exc.message}", messages.ERROR)
