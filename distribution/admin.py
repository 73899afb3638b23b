"""Staff console for members, binding history, resellers, levels and the referral settings.

Tree columns and uplines are read-only here: staff change an upline through the "Move"
and "Hand over" pages, which call the services (locks, history, placement). Reseller
status, levels and applications change through actions with an intermediate form (a
reason is required and logged); every change goes through a service, which also refuses
non-staff operators. The other admin pages live beside their sub-domains (``reseller/admin.py``,
``commission/admin.py``, ``wallet/admin.py``); this module imports them so that they register.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import action_form_page, masked_phone_cell
from common.errors import DomainError
from common.money import format_cny
from distribution.models import BindingHistory, LevelChange, Member, ReferralSettings
from distribution.referral import selectors as referral_selectors
from distribution.referral.browser.selectors import member_by_code_or_phone
from distribution.referral.browser.views import browser_urls
from distribution.referral.services.members import member_regenerate_invite_code
from distribution.referral.services.moves import HANDOVER_SCOPES, member_handover, member_move
from distribution.reseller import selectors as reseller_selectors
from distribution.reseller.admin import ReasonForm, SetLevelForm
from distribution.reseller.services.levels import member_set_level
from distribution.reseller.services.resellers import reseller_grant, reseller_revoke


class MoveForm(forms.Form):
    new_upline_code = forms.CharField(
        label=_("invite code or mobile number of the new upline"), required=False, max_length=32,
        help_text=_("Leave empty to make this member the root of a new tree."))
    reason = forms.CharField(label=_("reason"), max_length=200)


class HandoverForm(forms.Form):
    to_code = forms.CharField(label=_("invite code or mobile number of the member who takes over"),
                              max_length=32)
    scope = forms.ChoiceField(label=_("what to hand over"), choices=[
        ("direct", _("direct downlines (each keeps its own team)")),
        ("team", _("the whole team, every member directly under the new upline")),
    ])
    reason = forms.CharField(label=_("reason"), max_length=200)


class LevelChangeInline(admin.TabularInline):
    model = LevelChange
    fk_name = "member"
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-id",)
    fields = ("created_at", "old_level", "new_level", "source", "operator", "reason", "own_sales",
              "team_sales", "settled_commission")
    readonly_fields = fields
    verbose_name_plural = _("level history")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    # No nested-set internals (tree id, lft, rght) on staff pages; the number is masked (PIPL).
    list_display = ("id", "user", "phone_display", "invite_code", "parent", "is_reseller", "level",
                    "is_active", "joined_at")
    list_filter = ("is_reseller", "level", "is_active", "bind_source")
    # Exact matches: a contains-search would scan a million members on every query.
    search_fields = ("=invite_code", "=user__phone")
    list_select_related = ("user", "parent__user", "level")
    ordering = ("-id",)
    show_full_result_count = False  # COUNT(*) of a million members on every page is wasted
    actions = ["regenerate_invite_codes", "set_level", "grant_reseller", "revoke_reseller"]
    # Team figures are range queries: on the change page only, never one per list row.
    fields = ("user", "invite_code", "parent", "bind_source", "bound_at", "joined_at", "is_reseller",
              "reseller_since", "level", "is_active", "own_paid_sales", "is_placed_display",
              "team_display", "tiers_display", "ancestors_display", "tools_display")
    readonly_fields = fields
    inlines = [LevelChangeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # members are created at sign-up

    def has_delete_permission(self, request: HttpRequest, obj: Member | None = None) -> bool:
        return False

    @admin.display(description=_("mobile number"))
    def phone_display(self, obj: Member) -> str:
        return masked_phone_cell(obj, obj.user.masked_phone)

    @admin.display(description=_("placed"), boolean=True)
    def is_placed_display(self, obj: Member) -> bool:
        return obj.is_placed

    @admin.display(description=_("team"))
    def team_display(self, obj: Member) -> str:
        figures = referral_selectors.team_figures(member=obj)
        return _("%(size)s members, paid sales %(sales)s") % {
            "size": figures.size, "sales": format_cny(figures.paid_sales)}

    @admin.display(description=_("direct downlines / tier 2"))
    def tiers_display(self, obj: Member) -> str:
        summary = reseller_selectors.team_summary(member=obj)
        return f"{summary.direct_count} / {summary.tier2_count}"

    @admin.display(description=_("uplines (nearest first)"))
    def ancestors_display(self, obj: Member) -> str:
        return " → ".join(str(pk) for pk in referral_selectors.member_ancestors(obj.pk)) or "—"

    @admin.display(description=_("staff tools"))
    def tools_display(self, obj: Member) -> str:
        return format_html('<a class="button" href="{}">{}</a>&nbsp;<a class="button" href="{}">{}</a>'
                           '&nbsp;<a class="button" href="{}">{}</a>',
                           reverse("admin:distribution_member_tree_member", args=[obj.pk]),
                           _("Referral tree"),
                           reverse("admin:distribution_member_move", args=[obj.pk]), _("Move"),
                           reverse("admin:distribution_member_handover", args=[obj.pk]), _("Hand over"))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # The list's "Referral tree" button (admin/distribution/member/change_list.html).
        extra_context = {**(extra_context or {}),
                         "tree_browser_url": reverse("admin:distribution_member_tree")}
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Regenerate invite codes of the selected members"), permissions=["change"])
    def regenerate_invite_codes(self, request: HttpRequest, queryset) -> None:
        for member in queryset:
            member_regenerate_invite_code(member=member)
        self.message_user(request, _("New invite codes were generated."), messages.SUCCESS)

    @admin.action(description=_("Set the level of the selected resellers"), permissions=["change"])
    def set_level(self, request: HttpRequest, queryset) -> HttpResponse | None:
        return action_form_page(
            self, request, queryset, form_class=SetLevelForm, title=_("Set level"), action="set_level",
            run=lambda member, data: member_set_level(member=member, level=data["level"],
                                                      operator=request.user, reason=data["reason"]))

    @admin.action(description=_("Make the selected members resellers"), permissions=["change"])
    def grant_reseller(self, request: HttpRequest, queryset) -> HttpResponse | None:
        return action_form_page(
            self, request, queryset, form_class=ReasonForm, title=_("Make resellers"),
            action="grant_reseller",
            run=lambda member, data: reseller_grant(member=member, operator=request.user,
                                                    reason=data["reason"]))

    @admin.action(description=_("Revoke reseller status of the selected members"), permissions=["change"])
    def revoke_reseller(self, request: HttpRequest, queryset) -> HttpResponse | None:
        return action_form_page(
            self, request, queryset, form_class=ReasonForm, title=_("Revoke reseller status"),
            action="revoke_reseller",
            run=lambda member, data: reseller_revoke(member=member, operator=request.user,
                                                     reason=data["reason"]))

    def get_urls(self):
        urls = [
            path("<int:pk>/move/", self.admin_site.admin_view(self.move_view),
                 name="distribution_member_move"),
            path("<int:pk>/handover/", self.admin_site.admin_view(self.handover_view),
                 name="distribution_member_handover"),
        ]
        return browser_urls(self) + urls + super().get_urls()

    def _tool(self, request: HttpRequest, pk: int, form_class, title, run) -> HttpResponse:
        member = get_object_or_404(Member.objects.select_related("user"), pk=pk)
        if not self.has_change_permission(request, member):
            raise PermissionDenied
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                message = run(member, form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, message, messages.SUCCESS)
                return redirect("admin:distribution_member_change", member.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "original": member, "title": title}
        return TemplateResponse(request, "admin/distribution/member/tool_form.html", context)

    def move_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def run(member: Member, data: dict) -> str:
            code = data["new_upline_code"].strip()
            new_parent = member_by_code_or_phone(code) if code else None
            member_move(member=member, new_parent=new_parent, operator=request.user, reason=data["reason"])
            return str(_("The member was moved."))

        return self._tool(request, pk, MoveForm, _("Move member"), run)

    def handover_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def run(member: Member, data: dict) -> str:
            assert data["scope"] in HANDOVER_SCOPES
            count = member_handover(departing=member, to=member_by_code_or_phone(data["to_code"]),
                                    scope=data["scope"], operator=request.user, reason=data["reason"])
            return str(_("%(count)s members were handed over.") % {"count": count})

        return self._tool(request, pk, HandoverForm, _("Hand over downlines"), run)


SYSTEM_REASONS = {"sign-up": _("sign-up")}  # written by the sign-up path, in English, into every row


@admin.register(BindingHistory)
class BindingHistoryAdmin(admin.ModelAdmin):
    fields = ("created_at", "member", "old_parent", "new_parent", "source", "operator", "reason_display")
    list_display = readonly_fields = fields
    list_filter = ("source",)
    search_fields = ("=member__invite_code", "member__user__phone")
    list_select_related = ("member__user", "old_parent__user", "new_parent__user", "operator")
    show_full_result_count = False

    @admin.display(description=_("reason"), ordering="reason")
    def reason_display(self, obj: BindingHistory) -> str:
        return str(SYSTEM_REASONS.get(obj.reason, obj.reason))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ReferralSettings)
class ReferralSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponseRedirect:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        ReferralSettings.objects.get_or_create(pk=1)
        return redirect("admin:distribution_referralsettings_change", 1)


# The sub-domains' admin modules register themselves when imported; Django imports this one.
from distribution.commission import admin as commission_admin  # noqa: E402
from distribution.funnel import admin as funnel_admin  # noqa: E402
from distribution.reseller import admin as reseller_admin  # noqa: E402
from distribution.wallet import admin as wallet_admin  # noqa: E402

__all__ = ["commission_admin", "funnel_admin", "reseller_admin", "wallet_admin"]
