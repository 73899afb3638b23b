"""Cross-merchant partners (异业联盟): a partner, its staff, the offers it runs with Quanzi and
its ledger.

- Outbound: Quanzi members claim a partner's voucher (``PartnerOffer`` → ``PartnerVoucher``,
  a code and a QR code); partner staff verify it once; the partner owes ``fee`` per voucher.
- Inbound: a ``CouponTemplate`` with ``partner`` set is funded by that partner: each discount
  used in a Quanzi order is charged to ``Partner.budget`` (``budget_used`` never passes it,
  a guarded UPDATE and a CHECK) and credited back if the item is refunded before its
  after-sales window closes.
- ``PartnerLedgerEntry`` is append-only (a database trigger refuses UPDATE and DELETE);
  ``services/partner_ledger.py`` is its only writer. Positive amounts: the partner owes Quanzi.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.fields import MoneyField
from common.models import TimeStampedModel


class Partner(TimeStampedModel):
    name = models.CharField(_("name"), max_length=60, unique=True)
    contact_name = models.CharField(_("contact"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    budget = MoneyField(
        _("discount budget"),
        default=0,
        help_text=_("The most the partner funds of discounts in Quanzi orders."),
    )
    budget_used = MoneyField(_("budget used"), default=0, editable=False)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_used__gte=0) & Q(budget_used__lte=F("budget")),
                name="partner_budget_used_within_budget",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def budget_left(self) -> Decimal:
        return self.budget - self.budget_used


class PartnerStaff(models.Model):
    """A user who works for a partner: they see only that partner's pages."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="staff", verbose_name=_("partner")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_staff",
        verbose_name=_("account"),
    )

    class Meta:
        verbose_name = _("partner staff")
        verbose_name_plural = _("partner staff")

    def __str__(self) -> str:
        return f"{self.partner} · {self.user}"


class PartnerOffer(TimeStampedModel):
    """An outbound offer: a voucher for the partner's own goods or services."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="offers", verbose_name=_("partner")
    )
    title = models.CharField(_("title"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    fee = MoneyField(
        _("fee per verified voucher"), help_text=_("What the partner pays Quanzi per verified voucher.")
    )
    stock = models.PositiveIntegerField(_("total stock"))
    issued = models.PositiveIntegerField(_("issued"), default=0, editable=False)
    valid_until = models.DateTimeField(_("valid until"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner offer")
        verbose_name_plural = _("partner offers")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(issued__lte=F("stock")), name="partneroffer_issued_le_stock")
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.title}"


class VoucherState(models.TextChoices):
    ISSUED = "issued", _("to be used")
    VERIFIED = "verified", _("verified")


class PartnerVoucher(models.Model):
    offer = models.ForeignKey(
        PartnerOffer, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("offer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="partner_vouchers",
        verbose_name=_("member"),
    )
    code = models.CharField(_("code"), max_length=16, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=VoucherState.choices, default=VoucherState.ISSUED
    )
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )

    class Meta:
        verbose_name = _("partner voucher")
        verbose_name_plural = _("partner vouchers")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "user"], name="partnervoucher_one_per_member"),
            models.CheckConstraint(
                condition=Q(state="issued", verified_at__isnull=True)
                | Q(state="verified", verified_at__isnull=False),
                name="partnervoucher_state_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class PartnerEntryKind(models.TextChoices):
    FUNDED_DISCOUNT = "funded_discount", _("discount funded")
    DISCOUNT_CREDIT = "discount_credit", _("discount credited back")
    VOUCHER_FEE = "voucher_fee", _("fee for a verified voucher")


class PartnerLedgerEntry(models.Model):
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="entries", verbose_name=_("partner")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerEntryKind.choices)
    amount = MoneyField(
        _("amount"), help_text=_("Positive: the partner owes Quanzi; negative: credited back.")
    )
    # What the entry is for, once: "coupon:<id>", "cancel:<order>", "refund:<item>:<units>", "voucher:<id>".
    ref = models.CharField(_("reference"), max_length=60)
    order_number = models.CharField(_("order number"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("partner ledger entry")
        verbose_name_plural = _("partner ledger entries")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["partner", "ref"], name="partnerledger_ref_once")]

    def __str__(self) -> str:
        return f"{self.partner} {self.kind} {self.amount}"
