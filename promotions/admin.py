"""Staff console of promotions: coupon templates (with 发券: grant to a list of phones), the
coupons issued (read-only), the returning-customer offer."""

import secrets

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin, SingletonAdmin, change_url
from promotions.labels import rule_text
from promotions.models import (
    Coupon,
    CouponTemplate,
    Partner,
    PartnerLedgerEntry,
    PartnerOffer,
    PartnerStaff,
    PartnerVoucher,
    ReturningCustomerRule,
)
from promotions.services.grants import can_grant, coupons_grant_to_phones


class GrantForm(forms.Form):
    phones = forms.CharField(
        label=_("Mobile numbers"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("One per line (or separated by commas); at most 2,000."),
    )
    batch = forms.CharField(widget=forms.HiddenInput, max_length=40)


@admin.register(CouponTemplate)
class CouponTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "rule_display",
        "scope",
        "stock",
        "issued",
        "in_claim_centre",
        "is_signup_gift",
        "is_active",
        "grant_link",
    ]
    list_filter = ["kind", "scope", "in_claim_centre", "is_signup_gift", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["categories", "products"]
    raw_id_fields = ["shop"]
    readonly_fields = ["issued", "partner_link"]
    fieldsets = [
        (None, {"fields": ["name", "is_active", "in_claim_centre", "is_signup_gift"]}),
        (_("Rule"), {"fields": ["kind", "threshold", "amount", "percent_off", "max_discount"]}),
        (_("Applies to"), {"fields": ["scope", "categories", "products", "shop"]}),
        (_("Validity"), {"fields": ["valid_from", "valid_until", "valid_days"]}),
        (_("Stock"), {"fields": ["stock", "issued", "per_member_limit"]}),
        (_("Partner offer"), {"fields": ["partner", "partner_link"]}),
    ]

    @admin.display(description=_("partner link"))
    def partner_link(self, obj: CouponTemplate) -> str:
        if not obj.link_token:
            return "-"
        return reverse("promotions:partner_link", args=[obj.link_token])

    def save_model(self, request: HttpRequest, obj: CouponTemplate, form: forms.Form, change: bool) -> None:
        if obj.partner_id and not obj.link_token:  # the link the partner hands its customers
            obj.link_token = secrets.token_urlsafe(12)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("rule"))
    def rule_display(self, obj: CouponTemplate) -> str:
        return rule_text(obj)

    @admin.display(description=_("grant"))
    def grant_link(self, obj: CouponTemplate) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:promotions_coupontemplate_grant", args=[obj.pk]),
            _("Grant to members"),
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/grant/",
                self.admin_site.admin_view(self.grant_view),
                name="promotions_coupontemplate_grant",
            ),
            *super().get_urls(),
        ]

    def grant_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can_grant(request.user):  # before the lookup: a 403 never says whether it exists
            raise PermissionDenied
        template = get_object_or_404(CouponTemplate, pk=pk)
        form = GrantForm(request.POST or None, initial={"batch": secrets.token_urlsafe(12)})
        rows = None
        if request.method == "POST" and form.is_valid():
            rows = coupons_grant_to_phones(
                template=template,
                phones=form.cleaned_data["phones"],
                batch=form.cleaned_data["batch"],
                actor=request.user,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": template,
            "change_url": change_url(template),
            "title": _("Grant %(name)s") % {"name": template.name},
            "form": form,
            "rows": rows,
            "granted": sum(1 for r in rows or [] if r.ok),
        }
        return TemplateResponse(request, "admin/promotions/grant.html", context)


@admin.register(Coupon)
class CouponAdmin(ReadOnlyAdmin):
    list_display = ["pk", "template", "user", "source", "state", "valid_until", "order", "discount_amount"]
    list_filter = ["state", "source", "template"]
    search_fields = ["user__phone", "order__number"]
    list_select_related = ["template", "user", "order"]


@admin.register(ReturningCustomerRule)
class ReturningCustomerRuleAdmin(SingletonAdmin):
    fields = ["enabled", "template", "inactive_days", "repeat_days"]


class PartnerStaffInline(admin.TabularInline):
    model = PartnerStaff
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_name", "budget", "budget_used", "is_active"]
    readonly_fields = ["budget_used"]
    search_fields = ["name"]
    inlines = [PartnerStaffInline]


@admin.register(PartnerOffer)
class PartnerOfferAdmin(admin.ModelAdmin):
    list_display = ["title", "partner", "fee", "stock", "issued", "valid_until", "is_active"]
    list_filter = ["partner", "is_active"]
    readonly_fields = ["issued"]


@admin.register(PartnerVoucher)
class PartnerVoucherAdmin(ReadOnlyAdmin):
    list_display = ["code", "offer", "user", "state", "claimed_at", "verified_at", "verified_by"]
    list_filter = ["state", "offer__partner"]
    search_fields = ["code", "user__phone"]


@admin.register(PartnerLedgerEntry)
class PartnerLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "partner", "kind", "amount", "ref", "order_number"]
    list_filter = ["partner", "kind"]
    search_fields = ["ref", "order_number"]
