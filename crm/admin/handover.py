"""Customer handover for staff: the handover page, the transfer list, each customer's
owner with its history, and the churn digest page."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin
from common.errors import DomainError
from common.phone import mask_phone
from crm.models import MAX_BATCH, CustomerOwner, CustomerTransfer, StageChange
from crm.services.digest import churn_digest
from crm.services.handover import customers_transfer, handover_candidates
from mall.models import User


def _who(user: User | None) -> str:
    return f"#{user.pk} {user.nickname} {mask_phone(user.phone or '')}" if user else str(_("Platform"))


class HandoverForm(forms.Form):
    from_owner = forms.IntegerField(label=_("from owner (member id)"), required=False, min_value=1,
                                    help_text=_("Empty: the platform."))
    to_owner = forms.IntegerField(label=_("to owner (member id)"), required=False, min_value=1,
                                  help_text=_("A reseller; empty: the platform."))
    customers = forms.CharField(label=_("customer ids"), required=False,
                                widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("At most 100, separated by spaces, commas or new lines."))
    next_batch = forms.BooleanField(label=_("the next 100 customers of this owner"), required=False)
    reason = forms.CharField(label=_("reason"), max_length=200)

    def clean_customers(self) -> list[int]:
        raw = self.cleaned_data["customers"].replace(",", " ").replace("，", " ").split()
        if not all(part.isdigit() for part in raw):
            raise forms.ValidationError(_("Customer ids are numbers."))
        return [int(part) for part in raw]

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not data.get("customers") and not data.get("next_batch"):
            raise forms.ValidationError(_("Choose at least one customer to hand over."))
        return data


@admin.register(CustomerTransfer)
class CustomerTransferAdmin(ReadOnlyAdmin):
    list_display = ["pk", "customer", "from_owner", "to_owner", "state", "staff", "reason", "created_at",
                    "due_at", "decided_at"]
    list_filter = ["state", ("created_at", admin.DateFieldListFilter), "staff"]
    search_fields = ["=customer__id", "=from_owner__id", "=to_owner__id", "=batch"]
    list_select_related = ["customer", "from_owner", "to_owner", "staff"]
    show_full_result_count = False

    def get_urls(self) -> list[URLPattern]:
        return [path("handover/", self.admin_site.admin_view(self.handover_view),
                     name="crm_customertransfer_handover"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra = {"handover_url": reverse("admin:crm_customertransfer_handover")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def handover_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("crm.add_customertransfer"):
            raise PermissionDenied
        form = HandoverForm(request.POST or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            ids = data["customers"] or handover_candidates(owner_id=data["from_owner"])
            if request.POST.get("confirm") == "1":
                try:
                    made = customers_transfer(customer_ids=ids, from_owner_id=data["from_owner"],
                                              to_owner_id=data["to_owner"], staff_id=request.user.pk,
                                              reason=data["reason"])
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    self.message_user(request, _("%(n)s customers are handed over; each may refuse within "
                                                 "24 hours.") % {"n": len(made)}, messages.SUCCESS)
                    return redirect("admin:crm_customertransfer_changelist")
            preview = {"ids": ids, "too_many": len(ids) > MAX_BATCH,
                       "rows": [_who(u) for u in User.objects.filter(pk__in=ids[:MAX_BATCH]).order_by("pk")],
                       "from": _who(User.objects.filter(pk=data["from_owner"] or 0).first()),
                       "to": _who(User.objects.filter(pk=data["to_owner"] or 0).first())}
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Hand customers over"), "form": form, "preview": preview,
                   "max_batch": MAX_BATCH}
        return TemplateResponse(request, "admin/crm/handover.html", context)


@admin.register(CustomerOwner)
class CustomerOwnerAdmin(ReadOnlyAdmin):
    list_display = ["customer", "owner", "since"]
    search_fields = ["=customer__id", "=owner__id"]
    list_select_related = ["customer", "owner"]
    fields = ["customer", "owner", "since", "history"]
    readonly_fields = ["history"]
    show_full_result_count = False

    @admin.display(description=_("handover history"))
    def history(self, obj: CustomerOwner) -> str:
        rows = (CustomerTransfer.objects.filter(customer_id=obj.pk)
                .select_related("from_owner", "to_owner", "staff"))
        return format_html("<table>{}</table>", format_html_join(
            "", "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((t.created_at, _who(t.from_owner), _who(t.to_owner), t.get_state_display(), t.staff, t.reason,
              t.decided_at or "") for t in rows)))


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ["user", "day", "from_stage", "to_stage"]
    list_filter = ["to_stage", "day"]
    list_select_related = ["user"]
    show_full_result_count = False

    def get_urls(self) -> list[URLPattern]:
        return [path("digest/", self.admin_site.admin_view(self.digest_view), name="crm_stagechange_digest"),
                *super().get_urls()]

    def digest_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        day = parse_date(request.GET.get("day") or "") or timezone.localdate() - timedelta(days=1)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Churn digest"), "day": day, "groups": churn_digest(day=day),
                   "previous": day - timedelta(days=1), "next": day + timedelta(days=1)}
        return TemplateResponse(request, "admin/crm/churn_digest.html", context)
