"""Tags, lifecycle thresholds, member profiles and audience packs, for staff."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, SingletonAdmin, object_form_page
from common.errors import DomainError
from crm.errors import PackConditionInvalid
from crm.models import (
    MAX_TAGS,
    AudiencePack,
    LifecycleSettings,
    MemberProfile,
    Message,
    MessageState,
    MessageTemplate,
    PackMember,
    PackSend,
    SourceKind,
    Stage,
    Tag,
    TagGroup,
)
from crm.services.packs import (
    conditions_clean,
    pack_preview_count,
    pack_send,
    pack_send_conversion,
    pack_send_release,
)


@admin.register(LifecycleSettings)
class LifecycleSettingsAdmin(SingletonAdmin):
    pass


@admin.register(TagGroup)
class TagGroupAdmin(admin.ModelAdmin):
    """Groups of rule tags are made and named by the daily run: read-only here."""

    list_display = ["name", "is_rule"]
    search_fields = ["name"]

    @admin.display(boolean=True, description=_("rule tags"))
    def is_rule(self, obj: TagGroup) -> bool:
        return bool(obj.rule_family)

    def has_change_permission(self, request: HttpRequest, obj: TagGroup | None = None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.rule_family)

    def has_delete_permission(self, request: HttpRequest, obj: TagGroup | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.rule_family)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Rule tags (a group with a rule) are shown, never edited: the daily run owns them."""

    list_display = ["name", "group", "is_rule"]
    list_filter = ["group"]
    search_fields = ["name"]

    @admin.display(boolean=True, description=_("rule tag"))
    def is_rule(self, obj: Tag) -> bool:
        return bool(obj.rule_key)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and Tag.objects.count() < MAX_TAGS

    def has_change_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.rule_key)

    def has_delete_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.rule_key)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "group":
            kwargs["queryset"] = TagGroup.objects.filter(rule_family="")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(MemberProfile)
class MemberProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "stage", "paid_orders", "spend", "last_paid_at", "r_score", "f_score", "m_score",
                    "is_koc", "koc_from_funnel", "computed_on"]
    list_filter = ["stage", "is_koc", "koc_from_funnel", "r_score", "f_score", "m_score"]
    search_fields = ["user__nickname", "=user__phone"]
    list_select_related = ["user"]
    show_full_result_count = False


def _ids_text(value: str) -> list[int]:
    parts = [p for p in value.replace("，", ",").replace(" ", ",").split(",") if p]
    if not all(p.isdigit() for p in parts):
        raise ValidationError(PackConditionInvalid.default_message, code=PackConditionInvalid.code)
    return [int(p) for p in parts]


class AudiencePackForm(forms.ModelForm):
    """The pack's conditions as fields (``services/packs.py`` describes each); a condition left
    empty does not apply. They are stored as the pack's ``conditions``."""

    stages = forms.MultipleChoiceField(label=_("lifecycle stage"), choices=Stage.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    tags_any = forms.ModelMultipleChoiceField(Tag.objects.order_by("group__name", "name"), required=False,
                                              label=_("has any of these tags"))
    min_spend = forms.DecimalField(label=_("spend at least (yuan)"), min_value=0, max_digits=12,
                                   decimal_places=2, required=False)
    ordered_within_days = forms.IntegerField(label=_("ordered within the last N days"), min_value=1,
                                             required=False)
    no_order_for_days = forms.IntegerField(label=_("no order for at least N days"), min_value=1,
                                           required=False)
    koc = forms.TypedChoiceField(label=_("KOC"), required=False, empty_value=None,
                                 coerce=lambda v: v == "yes",
                                 choices=[("", _("either")), ("yes", _("KOC only")), ("no", _("not KOC"))])
    shop_ids = forms.CharField(label=_("ordered through these shops (ids)"), required=False,
                               help_text=_("Shop ids separated by commas."))
    reseller_user_ids = forms.CharField(label=_("customers of these resellers (member ids)"), required=False,
                                        help_text=_("Member ids of resellers, separated by commas."))

    class Meta:
        model = AudiencePack
        fields = ["name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        conditions = self.instance.conditions or {}
        for key, value in conditions.items():
            if key in ("shop_ids", "reseller_user_ids"):
                self.fields[key].initial = ", ".join(str(v) for v in value)
            elif key == "koc":
                self.fields[key].initial = "yes" if value else "no"
            else:
                self.fields[key].initial = value

    def clean_shop_ids(self) -> list[int]:
        return _ids_text(self.cleaned_data["shop_ids"])

    def clean_reseller_user_ids(self) -> list[int]:
        return _ids_text(self.cleaned_data["reseller_user_ids"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        conditions: dict[str, Any] = {}
        for key in CONDITION_FIELDS:
            value = data.get(key)
            if key == "tags_any":
                value = sorted(tag.pk for tag in value or ())
            if key == "min_spend" and value is not None:
                value = str(value)
            if value not in (None, "", []):
                conditions[key] = value
        try:
            data["conditions"] = self.instance.conditions = conditions_clean(conditions)
        except DomainError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return data


CONDITION_FIELDS = ("stages", "tags_any", "min_spend", "ordered_within_days", "no_order_for_days", "koc",
                    "shop_ids", "reseller_user_ids")


class PackSendForm(forms.Form):
    template = forms.ModelChoiceField(MessageTemplate.objects.order_by("name"), label=_("message template"))
    test_percent = forms.IntegerField(
        label=_("test group (%)"), min_value=1, max_value=100, initial=10,
        help_text=_("Sent now to this share of the pack, picked at random; the rest waits for the release. "
                    "100 sends to everyone at once."))
    holdout_percent = forms.IntegerField(
        label=_("hold-out (%)"), min_value=0, max_value=50, initial=0,
        help_text=_("Never messaged by this send: the control group of the conversion figures."))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("test_percent", 0) + data.get("holdout_percent", 0) > 100:
            raise ValidationError(_("The test group and the hold-out together cannot exceed 100 %."))
        return data


def _groups_text(send: PackSend) -> str:
    sizes = dict(send.members.order_by().values_list("group").annotate(n=Count("id")))
    return gettext("%(frozen)s members frozen: test group %(test)s (messages queued), hold-out %(holdout)s "
                   "(no message), the rest %(rest)s (after the release).") % {
        "frozen": send.frozen_count, **{g: sizes.get(g, 0) for g in PackMember.Group.values}}


@admin.register(AudiencePack)
class AudiencePackAdmin(admin.ModelAdmin):
    form = AudiencePackForm
    list_display = ["name", "created_at"]
    readonly_fields = ["preview_count"]
    fieldsets = [(None, {"fields": ["name", "preview_count"]}),
                 (_("Conditions (every one filled in must hold)"), {"fields": list(CONDITION_FIELDS)})]
    change_form_template = "admin/crm/audiencepack/change_form.html"

    @admin.display(description=_("members now"))
    def preview_count(self, obj: AudiencePack) -> int | str:
        return pack_preview_count(conditions=obj.conditions) if obj.pk else "-"

    def save_model(self, request: HttpRequest, obj: AudiencePack, form: forms.Form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict | None = None) -> HttpResponse:
        if request.method == "POST" and "_preview" in request.POST:
            return self._preview_view(request, object_id, form_url)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _preview_view(self, request: HttpRequest, object_id: str | None, form_url: str) -> HttpResponse:
        """预览人数: count the members meeting the conditions as typed, save nothing, and show the
        same form again (so staff can adjust the conditions before saving)."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            raise Http404
        allowed = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if not allowed:
            raise PermissionDenied
        form = self.get_form(request, obj, change=obj is not None)(request.POST, instance=obj)
        if form.is_valid():
            count = pack_preview_count(conditions=form.cleaned_data["conditions"])
            self.message_user(request, gettext("%(count)s members meet these conditions now (not saved yet).")
                              % {"count": count}, messages.INFO)
        admin_form = helpers.AdminForm(form, list(self.get_fieldsets(request, obj)), {},
                                       self.get_readonly_fields(request, obj), model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": (_("Change %s") if obj else _("Add %s")) % self.opts.verbose_name,
            "subtitle": str(obj) if obj else None, "adminform": admin_form, "object_id": object_id,
            "original": obj, "is_popup": False, "to_field": None, "media": self.media + admin_form.media,
            "inline_admin_formsets": [], "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
        }
        return self.render_change_form(request, context, add=obj is None, change=obj is not None, obj=obj,
                                       form_url=form_url)

    def render_change_form(self, request: HttpRequest, context: dict, *args: Any,
                           **kwargs: Any) -> HttpResponse:
        context["can_send"] = request.user.has_perm("crm.add_packsend")
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        send = path("<int:pack_id>/send/", self.admin_site.admin_view(self.send_view),
                    name="crm_audiencepack_send")
        return [send, *super().get_urls()]

    def send_view(self, request: HttpRequest, pack_id: int) -> HttpResponse:
        """发送: freeze the pack now and message a random test group (the rest waits for the
        release, 人群包发送 → 放量到其余会员), with an optional hold-out that gets nothing."""
        if not request.user.has_perm("crm.add_packsend"):
            raise PermissionDenied
        pack = get_object_or_404(AudiencePack, pk=pack_id)
        return object_form_page(
            self, request, pack, title=gettext("Send the pack %(name)s") % {"name": pack.name},
            form_class=PackSendForm, done=_groups_text,
            intro=gettext("The member list is frozen when you confirm: members who join the pack later "
                          "are not in this send."),
            run=lambda data: pack_send(pack=pack, template=data["template"], operator=request.user,
                                       test_percent=data["test_percent"],
                                       holdout_percent=data["holdout_percent"]))


@admin.register(PackSend)
class PackSendAdmin(ReadOnlyAdmin):
    # The percentages are on each send's page; the list shows what they came to.
    list_display = ["id", "pack", "template", "state", "frozen_count", "groups", "sent", "created_at",
                    "conversion"]
    list_filter = ["state"]
    list_select_related = ["pack", "template"]
    actions = ["release"]

    @admin.display(description=_("members per group"))
    def groups(self, obj: PackSend) -> str:
        sizes = dict(obj.members.order_by().values_list("group").annotate(n=Count("id")))
        return " · ".join(f"{label} {sizes.get(group, 0)}" for group, label in PackMember.Group.choices)

    @admin.display(description=_("messages sent"))
    def sent(self, obj: PackSend) -> int:
        return Message.objects.filter(source_kind=SourceKind.PACK, source_id=obj.pk,
                                      state=MessageState.SENT).count()

    @admin.display(description=_("conversion within 7 days"))
    def conversion(self, obj: PackSend) -> str:
        rows = pack_send_conversion(send=obj)
        return "; ".join(f"{label}: {rows[group]['converted']}/{rows[group]['members']}"
                         for group, label in PackMember.Group.choices if group in rows)

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("crm.change_packsend")

    @admin.action(description=_("Release to the rest"), permissions=["release"])
    def release(self, request: HttpRequest, queryset: QuerySet[PackSend]) -> None:
        released = 0
        for send in queryset:
            try:
                released += pack_send_release(send=send)
            except DomainError as exc:
                self.message_user(request, f"{send}: {exc.message}", messages.ERROR)
        if released:
            self.message_user(request, gettext("Released: %(count)s messages queued for the rest.")
                              % {"count": released}, messages.SUCCESS)
