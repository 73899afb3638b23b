"""Staff console for resellers: the application review queue, levels and their upgrade
conditions, the reseller programme, and the read-only logs (level and status changes).

Every change goes through a service (which also refuses non-staff operators); actions that
need a reason use an intermediate form (``common.admin.action_form_page``, also used by the member
admin in ``distribution/admin.py``).
"""


from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from common.admin import action_form_page, masked_phone_cell, object_form_page
from common.errors import DomainError
from common.forms import rate_as_percent
from common.phone import mask_phone
from distribution.admin_common import ReadOnlyAdmin
from distribution.models import (
    ApplicationState,
    LevelChange,
    LevelRate,
    ResellerApplication,
    ResellerLevel,
    ResellerProgram,
    ResellerStatusChange,
)
from distribution.reseller.services.levels import reseller_level_save
from distribution.reseller.services.resellers import (
    reseller_application_approve,
    reseller_application_reject,
    reseller_program_update,
)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200,
                             help_text=_("Kept in the log with your name."))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), widget=forms.RadioSelect, choices=[
        ("approve", _("Approve: the member becomes a reseller")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("reason"), max_length=200, required=False,
                             help_text=_("Required to reject; the applicant sees it."))

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the application is rejected."))
        return cleaned


class SetLevelForm(ReasonForm):
    level = forms.ModelChoiceField(label=_("new level"), queryset=ResellerLevel.objects.order_by("weight"))
    field_order = ["level", "reason"]


# --- resellers ---------------------------------------------------------------------------------


@admin.register(ResellerApplication)
class ResellerApplicationAdmin(admin.ModelAdmin):
    """The review queue: open applications first, oldest first."""

    list_display = ("id", "member", "real_name", "contact_phone_display", "state", "created_at",
                    "reviewed_by", "reviewed_at")
    list_filter = ("state",)
    search_fields = ("=member__user__phone", "=member__invite_code", "real_name", "=contact_phone")
    list_select_related = ("member__user", "reviewed_by")
    fields = ("member", "state", "real_name", "contact_phone_display", "reason", "created_at", "reviewed_by",
              "reviewed_at", "reject_reason", "closed_at", "review_display")
    readonly_fields = fields
    actions = ["approve", "reject"]
    # A review queue: open applications first, oldest first; then the handled ones, newest first.
    ordering = (
        Case(When(state=ApplicationState.REQUESTED, then=Value(0)), default=Value(1)).asc(),
        (F("id") * Case(When(state=ApplicationState.REQUESTED, then=Value(1)), default=Value(-1))).asc(),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("contact phone"))
    def contact_phone_display(self, obj: ResellerApplication) -> str:
        return masked_phone_cell(obj, mask_phone(obj.contact_phone)) if obj.contact_phone else "—"

    @admin.display(description=_("review"))
    def review_display(self, obj: ResellerApplication) -> str:
        if obj.state != ApplicationState.REQUESTED:
            return "—"
        url = reverse("admin:distribution_resellerapplication_review", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Approve or reject"))

    def get_urls(self) -> list[URLPattern]:
        return [path("<int:pk>/review/", self.admin_site.admin_view(self.review_view),
                     name="distribution_resellerapplication_review"), *super().get_urls()]

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Approve or reject this one application from its own page (a reason to reject)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        application = get_object_or_404(ResellerApplication.objects.select_related("member__user"), pk=pk)

        def run(data: dict) -> object:
            if data["decision"] == "approve":
                return reseller_application_approve(application=application, operator=request.user)
            return reseller_application_reject(application=application, operator=request.user,
                                               reason=data["reason"])

        return object_form_page(self, request, application, title=_("Review application"),
                                form_class=ReviewForm, run=run, done=str(_("The application was reviewed.")),
                                intro=f"{application.member} · {application.real_name}")

    @admin.action(description=_("Approve the selected applications"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset) -> None:
        done, refused = 0, []
        for application in queryset:
            try:
                reseller_application_approve(application=application, operator=request.user)
            except DomainError as exc:
                refused.append(f"#{application.pk}: {exc.message}")
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)s applications approved.") % {"count": done},
                              messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Reject the selected applications"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset) -> HttpResponse | None:
        return action_form_page(
            self, request, queryset, form_class=ReasonForm, title=_("Reject applications"), action="reject",
            run=lambda application, data: reseller_application_reject(
                application=application, operator=request.user, reason=data["reason"]))


class ResellerLevelForm(forms.ModelForm):
    class Meta:
        model = ResellerLevel
        fields = ["name", "weight", "is_default", "auto_upgrade", "min_own_sales", "min_team_sales",
                  "min_settled_commission"]

    def _get_validation_exclusions(self) -> set[str]:
        # The single-default index is kept by the service, which moves the flag from the
        # old default in the same transaction; the form would refuse that move.
        return super()._get_validation_exclusions() | {"is_default"}


@admin.register(ResellerLevel)
class ResellerLevelAdmin(admin.ModelAdmin):
    form = ResellerLevelForm
    list_display = ("name", "weight", "is_default", "auto_upgrade", "min_own_sales", "min_team_sales",
                    "min_settled_commission", "rates_display")
    ordering = ("weight",)
    fieldsets = [
        (None, {"fields": ["name", "weight", "is_default"]}),
        (_("Automatic upgrade: sales only, never headcount"), {
            "fields": ["auto_upgrade", "min_own_sales", "min_team_sales", "min_settled_commission"],
            "description": _("A reseller reaches this level by themselves when every condition holds. "
                             "Levels never go down automatically."),
        }),
        (_("Commission rates"), {"fields": ["rates_display"]}),
    ]
    readonly_fields = ("rates_display",)

    @admin.display(description=_("commission rates"))
    def rates_display(self, obj: ResellerLevel) -> str:
        rates = LevelRate.objects.filter(level_id=obj.pk).order_by("tier") if obj.pk else []
        return format_html_join(" · ", "{} {}%", ((_("tier %(n)s") % {"n": r.tier}, rate_as_percent(r.rate))
                                                   for r in rates)) or "—"

    def save_model(self, request: HttpRequest, obj: ResellerLevel, form, change: bool) -> None:
        reseller_level_save(level=obj, operator=request.user)


@admin.register(LevelChange)
class LevelChangeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "member", "old_level", "new_level", "source", "operator", "reason",
                    "own_sales", "team_sales", "settled_commission")
    list_filter = ("source", "new_level")
    search_fields = ("=member__user__phone", "=member__invite_code")
    list_select_related = ("member__user", "old_level", "new_level", "operator")
    show_full_result_count = False


@admin.register(ResellerStatusChange)
class ResellerStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "member", "kind", "operator", "reason")
    list_filter = ("kind",)
    search_fields = ("=member__user__phone", "=member__invite_code")
    list_select_related = ("member__user", "operator")
    show_full_result_count = False


@admin.register(ResellerProgram)
class ResellerProgramAdmin(admin.ModelAdmin):
    fields = ("join_mode", "benefits", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponseRedirect:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        ResellerProgram.objects.get_or_create(pk=1)
        return redirect("admin:distribution_resellerprogram_change", 1)

    def save_model(self, request: HttpRequest, obj: ResellerProgram, form, change: bool) -> None:
        reseller_program_update(operator=request.user, join_mode=obj.join_mode, benefits=obj.benefits)
