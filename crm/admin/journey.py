"""SOPs with their steps (inline, 30-minute spacing checked) and the per-step report (each
step links to its messages: one row per member and occasion, the per-member tracking);
repurchase settings and cycles (learned, or set by staff)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from common.admin import SingletonAdmin
from common.errors import DomainError
from crm.models import ProductCycle, RepurchaseSettings, Sop, SopEnrollment, SopStep
from crm.reports import sop_step_figures
from crm.services.packs import conditions_clean
from crm.services.sops import steps_check

REPORT_COLUMNS = (("members", _("reached")), ("sent", _("sent")), ("delivered", _("delivered")),
                  ("read", _("read")), ("clicked", _("clicked")), ("converted", _("converted within 7 days")),
                  ("skipped_cap", _("skipped by the cap")), ("deferred", _("deferred")),
                  ("queued", _("queued")), ("not_sent_other", _("not sent (consent, quiet hours)")))


class SopStepFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        steps = [form.instance for form in self.forms
                 if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE")]
        try:
            steps_check(steps=steps)
        except DomainError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc


class SopStepInline(admin.TabularInline):
    model = SopStep
    formset = SopStepFormSet
    extra = 1
    fields = ["position", "trigger", "day", "weekday", "on_date", "send_time", "template"]


class SopForm(forms.ModelForm):
    class Meta:
        model = Sop
        fields = ["name", "owner", "pack", "conditions", "is_active"]

    def clean_conditions(self) -> dict:
        try:
            return conditions_clean(self.cleaned_data.get("conditions") or {})
        except DomainError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc


@admin.register(Sop)
class SopAdmin(admin.ModelAdmin):
    form = SopForm
    inlines = [SopStepInline]
    list_display = ["name", "owner", "pack", "is_active", "members_now"]
    list_filter = ["is_active"]
    raw_id_fields = ["owner"]
    readonly_fields = ["step_report"]

    @admin.display(description=_("members in it now"))
    def members_now(self, obj: Sop) -> int:
        return SopEnrollment.objects.filter(sop=obj, is_active=True).count()

    @admin.display(description=_("report per step"))
    def step_report(self, obj: Sop) -> str:
        steps = list(obj.steps.all()) if obj.pk else []
        if not steps:
            return "-"
        figures = sop_step_figures(step_ids=[s.pk for s in steps])
        head = format_html_join("", "<th>{}</th>", ((label,) for _key, label in REPORT_COLUMNS))
        messages = reverse("admin:crm_message_changelist")
        row = '<tr><td><a href="{}?source_kind=sop&amp;source_id={}">{}</a></td>{}</tr>'
        body = format_html_join("", row, (
            (messages, s.pk, f"#{s.position} {s.get_trigger_display()} · {s.template}",
             format_html_join("", "<td>{}</td>", ((figures[s.pk][key],) for key, _l in REPORT_COLUMNS)))
            for s in steps))
        return format_html_join("", "<table><tr><th></th>{}</tr>{}</table>", [(head, body)])


@admin.register(RepurchaseSettings)
class RepurchaseSettingsAdmin(SingletonAdmin):
    pass


@admin.register(ProductCycle)
class ProductCycleAdmin(admin.ModelAdmin):
    list_display = ["product", "learned_days", "sample_pairs", "override_days", "cycle", "learned_on"]
    fields = ["product", "learned_days", "sample_pairs", "learned_on", "override_days"]
    readonly_fields = ["learned_days", "sample_pairs", "learned_on"]
    raw_id_fields = ["product"]
    search_fields = ["product__title"]
    list_select_related = ["product"]

    @admin.display(description=_("cycle (days)"))
    def cycle(self, obj: ProductCycle) -> int | str:
        return obj.cycle_days or "-"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
