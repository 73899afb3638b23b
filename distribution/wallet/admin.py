"""Staff console: wallets and their ledger, the withdrawal review queue, payout accounts
and the sensitive data access log.

Money moves only through the services: ``wallet_adjust`` (a reason, never one's own
wallet), ``withdrawal_approve/reject/mark_paid/mark_failed`` (each under its permission,
never one's own withdrawal) and ``payout_account_reveal`` (logged before it shows a
number). The admin hides what a staff member may not do; the services refuse it anyway,
and the per-object pages answer 403.
"""

from dataclasses import dataclass
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.admin import ConfirmForm
from common.errors import DomainError
from common.money import format_cny
from common.phone import mask_phone
from distribution.admin_common import (
    ReadOnlyAdmin,
    action_form_page,
    change_url,
    member_label,
    object_form_page,
    run_each,
)
from distribution.models import LedgerEntry, PayoutAccount, SensitiveAccessLog, Wallet, Withdrawal
from distribution.referral.services.phone_reveal import can_reveal_phones, phone_of, phone_owner, phone_reveal
from distribution.wallet.forms import AdjustForm, ReasonForm, ReferenceForm, RevealForm
from distribution.wallet.services.payout_accounts import can_reveal_accounts, payout_account_reveal
from distribution.wallet.services.wallet import can_adjust_wallets, wallet_adjust
from distribution.wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_mark_failed,
    withdrawal_mark_paid,
    withdrawal_reject,
)
from mall.models import User

LEDGER_ON_WALLET_PAGE = 200
REVIEW, PAY = "distribution.review_withdrawal", "distribution.pay_withdrawal"


# --- wallets and the ledger -------------------------------------------------------------------


class InDebtFilter(admin.SimpleListFilter):
    title = _("in debt")
    parameter_name = "in_debt"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(available__lt=0) if self.value() == "yes" else queryset


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = ("member_display", "available", "held", "withdrawn_display", "debt_display", "updated_at")
    list_filter = (InDebtFilter,)
    search_fields = ("=member__user__phone", "=member__invite_code")
    search_help_text = _("A reseller's full mobile number or invite code.")
    list_select_related = ("member__user",)
    fields = ("member_display", "available", "held", "withdrawn_display", "debt_display", "created_at",
              "updated_at", "ledger_display")
    readonly_fields = fields
    change_form_template = "distribution/earnings/admin/wallet_change_form.html"

    @admin.display(description=_("member"))
    def member_display(self, obj: Wallet) -> str:
        return member_label(obj.member)

    # "withdrawn" alone is also the orders app's word for a withdrawn after-sale (已撤销).
    @admin.display(description=pgettext_lazy("wallet", "withdrawn"), ordering="withdrawn")
    def withdrawn_display(self, obj: Wallet) -> object:
        return obj.withdrawn

    @admin.display(description=_("debt"))
    def debt_display(self, obj: Wallet) -> str:
        return format_cny(obj.debt) if obj.debt else "—"

    @admin.display(description=_("ledger (newest first)"))
    def ledger_display(self, obj: Wallet) -> str:
        entries = list(LedgerEntry.objects.filter(wallet_id=obj.pk).select_related("operator")
                       .order_by("-id")[:LEDGER_ON_WALLET_PAGE])
        rows = format_html_join("", "<tr>" + "<td>{}</td>" * 6 + "</tr>", (
            (localtime(e.created_at).strftime("%Y-%m-%d %H:%M"), e.get_kind_display(),
             format_cny(e.available_delta), format_cny(e.held_delta), format_cny(e.available_after),
             _cause(e)) for e in entries))
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                           _("time"), _("kind"), _("available change"), _("held change"),
                           _("available after"), _("cause"))
        link = reverse("admin:distribution_ledgerentry_changelist") + f"?wallet__id__exact={obj.pk}"
        return format_html('<table class="earnings-ledger">{}{}</table><p><a href="{}">{}</a></p>',
                           head, rows, link, _("Every entry of this wallet"))

    def render_change_form(self, request: HttpRequest, context: dict, *args: object,
                           **kwargs: object) -> HttpResponse:
        context["can_adjust"] = can_adjust_wallets(request.user)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        return [path("<int:pk>/adjust/", self.admin_site.admin_view(self.adjust_view),
                     name="distribution_wallet_adjust"), *super().get_urls()]

    def adjust_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        wallet = get_object_or_404(Wallet.objects.select_related("member__user"), pk=pk)
        if not can_adjust_wallets(request.user):
            raise PermissionDenied
        return object_form_page(
            self, request, wallet, title=_("Adjust balance of %(member)s") % {"member": member_label(
                wallet.member)}, form_class=AdjustForm, done=str(_("The balance was adjusted.")),
            intro=str(_("Available now: %(amount)s.") % {"amount": format_cny(wallet.available)}),
            run=lambda data: wallet_adjust(wallet_id=wallet.pk, amount=data["amount"],
                                                 operator=request.user, reason=data["reason"]))


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Append-only: the database refuses updates and deletes; the admin offers neither."""

    list_display = ("id", "created_at", "wallet_display", "kind", "available_delta", "held_delta",
                    "withdrawn_delta", "available_after", "commission_record", "withdrawal", "operator",
                    "reason")
    list_filter = ("kind",)
    search_fields = ("=wallet__member__user__phone",)
    list_select_related = ("wallet__member__user", "commission_record", "withdrawal", "operator")
    date_hierarchy = "created_at"

    @admin.display(description=_("wallet"))
    def wallet_display(self, obj: LedgerEntry) -> str:
        return member_label(obj.wallet.member)


def _cause(entry: LedgerEntry) -> str:
    if entry.commission_record_id:
        return _("commission record #%(id)s") % {"id": entry.commission_record_id}
    if entry.withdrawal_id:
        return _("withdrawal #%(id)s") % {"id": entry.withdrawal_id}
    return entry.reason


# --- withdrawals -------------------------------------------------------------------------------


class QueueFilter(admin.SimpleListFilter):
    """The review queue: requested withdrawals unless another state (or all) is chosen."""

    title = _("state")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [*Withdrawal.State.choices, ("all", _("All"))]

    def value(self) -> str:
        return super().value() or Withdrawal.State.REQUESTED

    def choices(self, changelist: object) -> object:
        for lookup, title in self.lookup_choices:
            yield {"selected": self.value() == str(lookup), "display": title,
                   "query_string": changelist.get_query_string({self.parameter_name: lookup})}

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset if self.value() == "all" else queryset.filter(state=self.value())


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    list_display = ("id", "member_display", "amount", "fee", "net_amount", "channel", "account_display",
                    "requested_at", "state")
    list_filter = (QueueFilter, "channel")
    search_fields = ("=wallet__member__user__phone", "=payout_reference")
    search_help_text = _("A reseller's full mobile number, or a payout reference.")
    list_select_related = ("wallet__member__user", "payout_account")
    ordering = ("id",)  # the queue: oldest first
    fields = ("member_display", "amount", "fee", "net_amount", "channel", "account_display", "state",
              "idempotency_key", "requested_at", "reviewed_by", "reviewed_at", "reject_reason", "paid_by",
              "paid_at", "payout_reference")
    readonly_fields = fields
    actions = ["approve", "reject", "mark_paid", "mark_failed"]
    change_form_template = "distribution/earnings/admin/withdrawal_change_form.html"

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REVIEW)

    def has_pay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PAY)

    @admin.display(description=_("member"))
    def member_display(self, obj: Withdrawal) -> str:
        return member_label(obj.wallet.member)

    @admin.display(description=_("payout account"))
    def account_display(self, obj: Withdrawal) -> str:
        account = obj.payout_account
        bank = f" {account.bank_name}" if account.bank_name else ""
        return f"{account.holder_name}{bank} {account.account_masked}"

    # -- list actions (shown only to staff with the permission) --

    @admin.action(description=_("Approve the selected withdrawals"), permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_each(self, request, queryset, lambda w: _run_step("approve", w.pk, request.user, {}))

    @admin.action(description=_("Reject the selected withdrawals"), permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return action_form_page(self, request, queryset, title=STEPS["reject"].title, action="reject",
                                form_class=ReasonForm,
                                run=lambda w, data: _run_step("reject", w.pk, request.user, data))

    @admin.action(description=_("Record the payout of the selected withdrawal"), permissions=["pay"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Record payouts one at a time: each has its own reference."),
                              messages.WARNING)
            return None
        return action_form_page(self, request, queryset, title=STEPS["paid"].title, action="mark_paid",
                                form_class=ReferenceForm,
                                run=lambda w, data: _run_step("paid", w.pk, request.user, data))

    @admin.action(description=_("Mark the selected payouts as failed"), permissions=["pay"])
    def mark_failed(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return action_form_page(self, request, queryset, title=STEPS["failed"].title, action="mark_failed",
                                form_class=ReasonForm,
                                run=lambda w, data: _run_step("failed", w.pk, request.user, data))

    # -- per-object pages (buttons on the change page; 403 without the permission) --

    def render_change_form(self, request: HttpRequest, context: dict, *args: object,
                           **kwargs: object) -> HttpResponse:
        context |= {"can_review": self.has_review_permission(request),
                    "can_pay": self.has_pay_permission(request),
                    "can_reveal": can_reveal_accounts(request.user)}
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        return [*(path(f"<int:pk>/{name}/", self.admin_site.admin_view(partial(self.step_view, step=name)),
                       name=f"distribution_withdrawal_{name}") for name in STEPS), *super().get_urls()]

    def step_view(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        spec = STEPS[step]
        withdrawal = get_object_or_404(Withdrawal.objects.select_related("wallet__member__user"), pk=pk)
        if not request.user.has_perm(spec.perm):
            raise PermissionDenied
        return object_form_page(self, request, withdrawal, title=spec.title, form_class=spec.form,
                                done=str(spec.done), run=lambda data: _run_step(step, pk, request.user, data))


@dataclass(frozen=True)
class Step:
    perm: str
    title: str
    form: type[forms.Form]
    done: str


STEPS = {
    "approve": Step(REVIEW, _("Approve withdrawal"), ConfirmForm, _("The withdrawal was approved.")),
    "reject": Step(REVIEW, _("Reject withdrawal"), ReasonForm,
                   _("The withdrawal was rejected and the amount released.")),
    "paid": Step(PAY, _("Record payout"), ReferenceForm, _("The payout was recorded.")),
    "failed": Step(PAY, _("Payout failed"), ReasonForm,
                   _("The payout was marked as failed and the amount released.")),
}


def _run_step(step: str, pk: int, operator: User, data: dict) -> Withdrawal:
    """One review or payout step through its service (which checks the permission again)."""
    if step == "approve":
        return withdrawal_approve(withdrawal_id=pk, operator=operator)
    if step == "reject":
        return withdrawal_reject(withdrawal_id=pk, operator=operator, reason=data["reason"])
    if step == "paid":
        return withdrawal_mark_paid(withdrawal_id=pk, operator=operator, reference=data["reference"])
    return withdrawal_mark_failed(withdrawal_id=pk, operator=operator, reason=data["reason"])


# --- payout accounts and the access log ---------------------------------------------------------


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdmin):
    """Masked numbers only; the full number is one logged click away (``reveal``)."""

    list_display = ("id", "member_display", "channel", "holder_name", "bank_name", "account_masked",
                    "created_at")
    list_filter = ("channel",)
    search_fields = ("=member__user__phone",)
    list_select_related = ("member__user",)
    fields = ("member_display", "channel", "holder_name", "bank_name", "account_masked", "created_at")
    readonly_fields = fields
    change_form_template = "distribution/earnings/admin/payoutaccount_change_form.html"

    @admin.display(description=_("member"))
    def member_display(self, obj: PayoutAccount) -> str:
        return member_label(obj.member)

    def render_change_form(self, request: HttpRequest, context: dict, *args: object,
                           **kwargs: object) -> HttpResponse:
        context["can_reveal"] = can_reveal_accounts(request.user)
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        return [path("<int:pk>/reveal/", self.admin_site.admin_view(self.reveal_view),
                     name="distribution_payoutaccount_reveal"), *super().get_urls()]

    def reveal_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST only shows the number, once, on a page that is never cached."""
        account = get_object_or_404(PayoutAccount.objects.select_related("member__user"), pk=pk)
        if not can_reveal_accounts(request.user):
            raise PermissionDenied
        form = RevealForm(request.POST if request.method == "POST" else None)
        number = None
        if request.method == "POST" and form.is_valid():
            try:
                number = payout_account_reveal(account_id=account.pk, staff=request.user,
                                               reason=form.cleaned_data["reason"])
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": account,
                   "title": _("Full account number"), "form": form, "number": number,
                   "change_url": change_url(account), "member": member_label(account.member)}
        response = TemplateResponse(request, "distribution/earnings/admin/reveal.html", context)
        response["Cache-Control"] = "no-store"
        return response


@admin.register(SensitiveAccessLog)
class SensitiveAccessLogAdmin(ReadOnlyAdmin):
    list_display = ("accessed_at", "staff", "field", "object_repr", "reason")
    list_filter = ("field",)
    search_fields = ("=staff__phone", "object_repr")
    list_select_related = ("staff",)
    date_hierarchy = "accessed_at"

    def get_urls(self) -> list[URLPattern]:
        return [path("reveal-phone/<str:app_label>/<str:model_name>/<int:pk>/",
                     self.admin_site.admin_view(self.reveal_phone_view),
                     name="distribution_sensitiveaccesslog_reveal_phone"), *super().get_urls()]

    def reveal_phone_view(self, request: HttpRequest, app_label: str, model_name: str,
                          pk: int) -> HttpResponse:
        """A masked number of a member, user, order or application, shown in full after a
        reason; the access is logged by ``phone_reveal``. The page is never cached."""
        if not can_reveal_phones(request.user) or not request.user.has_perm(f"{app_label}.view_{model_name}"):
            raise PermissionDenied
        owner = phone_owner(app_label=app_label, model_name=model_name, pk=pk)
        form = RevealForm(request.POST if request.method == "POST" else None)
        number = None
        if request.method == "POST" and form.is_valid():
            try:
                number = phone_reveal(obj=owner, staff=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
        context = {**self.admin_site.each_context(request), "opts": owner._meta, "original": owner,
                   "title": _("Full mobile number"), "form": form, "number": number,
                   "masked": mask_phone(phone_of(owner)), "change_url": change_url(owner),
                   "owner_label": f"{owner._meta.verbose_name} · {owner}"}
        response = TemplateResponse(request, "distribution/admin/reveal_phone.html", context)
        response["Cache-Control"] = "no-store"
        return response
