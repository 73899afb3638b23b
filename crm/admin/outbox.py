"""Anti-disturbance settings, message templates, contacts and the outbox, for staff.

Messages are records: staff read them (masked phone numbers), never edit them. Templates
are checked by ``crm/rendering.py`` (unknown variables, stray braces, links off the site).
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, SingletonAdmin
from common.errors import DomainError
from crm.models import Contact, Message, MessageTemplate, ReachSettings
from crm.rendering import link_check, template_check


@admin.register(ReachSettings)
class ReachSettingsAdmin(SingletonAdmin):
    fieldsets = [
        (_("At most X messages in Y days (every channel, every pack and SOP)"),
         {"fields": ["short_cap", "short_days", "long_cap", "long_days"]}),
        (_("Quiet hours (Asia/Shanghai)"), {"fields": ["quiet_start", "quiet_end"]}),
    ]


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "channel", "title", "body", "link", "quiet_policy", "coupon_template",
                  "wechat_template_id"]

    def _checked(self, name: str, check: Callable[[str], None]) -> str:
        value = self.cleaned_data.get(name, "")
        try:
            check(value)
        except DomainError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return value

    def clean_title(self) -> str:
        return self._checked("title", template_check)

    def clean_body(self) -> str:
        return self._checked("body", template_check)

    def clean_link(self) -> str:
        return self._checked("link", link_check)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["name", "channel", "title", "quiet_policy", "coupon_template"]
    list_filter = ["channel", "quiet_policy"]
    search_fields = ["name", "title"]


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["user", "masked_phone", "inbox_consent", "sms_consent", "wechat_consent",
                    "unsubscribed_at"]
    list_filter = ["sms_consent", "wechat_consent", ("unsubscribed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__phone", "user__nickname"]
    list_select_related = ["user"]
    exclude = ["wechat_openid"]

    @admin.display(description=_("mobile number"))
    def masked_phone(self, obj: Contact) -> str:
        return obj.user.masked_phone


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "channel", "title", "source_kind", "source_id", "state", "sent_at",
                    "delivery", "read_at", "clicked_at"]
    list_filter = ["state", "channel", "source_kind", "delivery"]
    search_fields = ["user__nickname", "=user__phone", "title"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False
