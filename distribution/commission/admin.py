"""Staff console: commission rules, level rates, product overrides, the rule audit log,
commission records and the commission liability.

Every rule change goes through ``distribution.commission.services.rules`` (``rules_update``,
``level_rate_set``, ``product_commission_set``), which writes one ``RuleChange`` row per
changed value; the forms refuse more than 3 tiers with the compliance reason.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from common.forms import rate_as_percent
from common.money import format_cny
from distribution.admin_common import ReadOnlyAdmin, member_label
from distribution.commission.forms import CommissionRulesForm, LevelRateForm, ProductCommissionForm
from distribution.commission.rule_labels import rule_field_label, rule_subject_label, rule_value_label
from distribution.commission.selectors import commission_liability
from distribution.commission.services.rules import (
    EDITABLE,
    level_rate_set,
    product_commission_set,
    rules_get,
    rules_update,
)
from distribution.labels import record_state_label
from distribution.models import CommissionRecord, CommissionRules, LevelRate, ProductCommission, RuleChange

RECENT_CHANGES = 20
_REFUSED_ATTR = "_earnings_rules_refused"


def _percent(rate: object) -> str:
    return "—" if rate is None else f"{rate_as_percent(rate)}%"


@admin.register(CommissionRules)
class CommissionRulesAdmin(admin.ModelAdmin):
    """The single rules row: the changelist opens its change form; saving calls
    ``rules_update`` with the changed fields only."""

    form = CommissionRulesForm
    fieldsets = [
        (_("Commission"), {"fields": ["tiers", "global_cap_rate", "self_purchase", "attribution_policy"],
                           "description": _("Commission is paid on real, paid, non-refunded sales only, "
                                            "to at most 3 tiers. Changes apply to orders placed from now "
                                            "on; existing orders keep the terms they were placed with.")}),
        (_("Withdrawals"), {"fields": ["withdrawal_min_amount", "withdrawal_fee_rate",
                                       "withdrawal_daily_limit", "withdrawal_channels"]}),
        (_("Audit"), {"fields": ["updated_at", "recent_changes"]}),
    ]
    readonly_fields = ("updated_at", "recent_changes")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect("admin:distribution_commissionrules_change", rules_get().pk)

    @admin.display(description=_("recent changes"))
    def recent_changes(self, obj: CommissionRules) -> str:
        changes = RuleChange.objects.select_related("operator").order_by("-changed_at", "-id")
        changes = changes[:RECENT_CHANGES]
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            ((localtime(c.changed_at).strftime("%Y-%m-%d %H:%M"), rule_subject_label(c.subject),
              rule_field_label(c.subject, c.field), rule_value_label(c.subject, c.field, c.old_value),
              rule_value_label(c.subject, c.field, c.new_value), c.operator or "—") for c in changes))
        link = reverse("admin:distribution_rulechange_changelist")
        head = format_html("<tr>" + "<th>{}</th>" * 5 + "</tr>", _("changed at"), _("rule"), _("field"),
                           _("old value → new value"), _("changed by"))
        return format_html('<table class="earnings-audit">{}{}</table><p><a href="{}">{}</a></p>', head,
                           rows or format_html("<tr><td colspan=5>{}</td></tr>", _("No changes yet.")), link,
                           _("The whole audit log"))

    def save_model(self, request: HttpRequest, obj: CommissionRules, form: CommissionRulesForm,
                   change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE}
        try:
            rules_update(operator=request.user, **values)
        except DomainError as exc:
            setattr(request, _REFUSED_ATTR, str(exc.message))

    def log_change(self, request: HttpRequest, obj: object, message: object) -> object:
        if hasattr(request, _REFUSED_ATTR):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request: HttpRequest, obj: CommissionRules) -> HttpResponse:
        refused = getattr(request, _REFUSED_ATTR, None)
        if refused is not None:
            self.message_user(request, refused, messages.ERROR)
            return redirect("admin:distribution_commissionrules_change", obj.pk)
        return super().response_change(request, obj)


@admin.register(LevelRate)
class LevelRateAdmin(admin.ModelAdmin):
    """Rates per level and tier, saved through ``level_rate_set`` (audited). A rate is set
    to 0 rather than deleted, so the change is in the audit log."""

    form = LevelRateForm
    list_display = ("level", "tier", "rate_display")
    list_filter = ("level", "tier")
    list_select_related = ("level",)
    ordering = ("level__weight", "tier")

    @admin.display(description=_("rate"), ordering="rate")
    def rate_display(self, obj: LevelRate) -> str:
        return _percent(obj.rate)

    def get_readonly_fields(self, request: HttpRequest, obj: LevelRate | None = None) -> tuple:
        return ("level", "tier") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: LevelRate, form: LevelRateForm, change: bool) -> None:
        saved = level_rate_set(level=obj.level, tier=obj.tier, rate=obj.rate, operator=request.user)
        obj.pk = saved.pk


@admin.register(ProductCommission)
class ProductCommissionAdmin(admin.ModelAdmin):
    """A product's own terms, saved through ``product_commission_set`` (audited)."""

    form = ProductCommissionForm
    list_display = ("product", "mode", "tier1_display", "tier2_display", "tier3_display")
    list_filter = ("mode",)
    search_fields = ("product__title",)
    list_select_related = ("product",)
    autocomplete_fields = ("product",)

    def _terms(self, obj: ProductCommission, tier: int) -> str:
        value = getattr(obj, f"tier{tier}")
        return _percent(value) if obj.mode == ProductCommission.Mode.RATE else format_cny(value)

    @admin.display(description=_("tier 1"))
    def tier1_display(self, obj: ProductCommission) -> str:
        return self._terms(obj, 1)

    @admin.display(description=_("tier 2"))
    def tier2_display(self, obj: ProductCommission) -> str:
        return self._terms(obj, 2)

    @admin.display(description=_("tier 3"))
    def tier3_display(self, obj: ProductCommission) -> str:
        return self._terms(obj, 3)

    def get_readonly_fields(self, request: HttpRequest, obj: ProductCommission | None = None) -> tuple:
        return ("product",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ProductCommission, form: ProductCommissionForm,
                   change: bool) -> None:
        saved = product_commission_set(product=obj.product, mode=obj.mode,
                                       tiers={1: obj.tier1, 2: obj.tier2, 3: obj.tier3},
                                       operator=request.user)
        obj.pk = saved.pk


@admin.register(RuleChange)
class RuleChangeAdmin(ReadOnlyAdmin):
    fields = ("changed_at", "subject_display", "field_display", "old_display", "new_display", "operator")
    list_display = readonly_fields = fields
    search_fields = ("subject", "field")
    list_select_related = ("operator",)
    date_hierarchy = "changed_at"

    @admin.display(description=_("rule"), ordering="subject")
    def subject_display(self, obj: RuleChange) -> str:
        return rule_subject_label(obj.subject)

    @admin.display(description=_("field"), ordering="field")
    def field_display(self, obj: RuleChange) -> str:
        return rule_field_label(obj.subject, obj.field)

    @admin.display(description=_("old value"))
    def old_display(self, obj: RuleChange) -> str:
        return rule_value_label(obj.subject, obj.field, obj.old_value)

    @admin.display(description=_("new value"))
    def new_display(self, obj: RuleChange) -> str:
        return rule_value_label(obj.subject, obj.field, obj.new_value)


class ClawedBackFilter(admin.SimpleListFilter):
    title = _("clawed back")
    parameter_name = "clawed_back"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(reversed_amount__gt=0)
        if self.value() == "no":
            return queryset.filter(reversed_amount=0)
        return queryset


@admin.register(CommissionRecord)
class CommissionRecordAdmin(ReadOnlyAdmin):
    list_display = ("order", "item_display", "beneficiary_display", "tier", "level_name", "base_amount",
                    "terms_display", "amount", "original_amount", "reversed_amount", "state_display",
                    "created_at")
    list_filter = ("state", "tier", "level_name", ClawedBackFilter)
    date_hierarchy = "created_at"
    search_fields = ("=order__number", "=beneficiary__user__phone")
    search_help_text = _("An order number, or a beneficiary's full mobile number.")
    list_select_related = ("order", "order_item", "beneficiary__user")
    change_list_template = "distribution/earnings/admin/commissionrecord_change_list.html"

    @admin.display(description=_("item"))
    def item_display(self, obj: CommissionRecord) -> str:
        return f"{obj.order_item.product_title} {obj.order_item.sku_spec_text} × {obj.order_item.quantity}"

    @admin.display(description=_("beneficiary"))
    def beneficiary_display(self, obj: CommissionRecord) -> str:
        return member_label(obj.beneficiary)

    # The model's own "pending" is also the orders app's word (处理中); say it the earnings way.
    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj: CommissionRecord) -> str:
        return record_state_label(obj)

    @admin.display(description=_("rate / fixed per unit"))
    def terms_display(self, obj: CommissionRecord) -> str:
        if obj.rate is not None:
            return _percent(obj.rate)
        return _("%(amount)s per unit") % {"amount": format_cny(obj.fixed_per_unit)}

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra = {"liability": commission_liability(), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def get_urls(self) -> list[URLPattern]:
        return [path("liability/", self.admin_site.admin_view(self.liability_view),
                     name="distribution_commissionrecord_liability"), *super().get_urls()]

    def liability_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Commission liability"), "liability": commission_liability()}
        return TemplateResponse(request, "distribution/earnings/admin/liability.html", context)
