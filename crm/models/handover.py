"""Customer ownership and its handover (在职 / 离职继承), and the daily stage-change log.

The *owner* of a customer relationship is a reseller member or the platform (``owner``
null). It is not the referral tree: distribution's handover moves tree nodes (and
commission); this moves who looks after the customer (crm/README.md, "Customer handover").
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.models.audience import Stage

MAX_BATCH = 100  # customers per handover request (WeCom: 100 per call)
REFUSAL_WINDOW = timedelta(hours=24)
BUDGET_WINDOW = timedelta(days=90)
BUDGET = 2  # transfers attempted per customer per BUDGET_WINDOW (refused ones count)


class CustomerOwner(models.Model):
    """One row per customer whose relationship crm has materialised. Without a row the
    owner is the one derived from attribution (``services/handover.owner_derived``)."""

    customer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                    related_name="crm_owner", verbose_name=_("customer"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="crm_customers",
                              verbose_name=pgettext_lazy("customer relationship", "owner"),
                              help_text=_("Empty: the platform."))
    since = models.DateTimeField(_("owner since"))

    class Meta:
        verbose_name = _("customer owner")
        verbose_name_plural = _("customer owners")
        indexes = [models.Index(fields=["owner", "customer"], name="crm_owner_customers")]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.owner_id or '-'}"


class TransferState(models.TextChoices):
    PENDING = "pending", _("pending (the customer may refuse)")
    COMPLETED = "completed", _("completed")
    REFUSED = "refused", _("refused by the customer")


class CustomerTransfer(models.Model):
    """One customer moved from one owner to another: the full history, never deleted."""

    State = TransferState

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="crm_transfers", verbose_name=_("customer"))
    from_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("from owner"))
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("to owner"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("staff"))
    reason = models.CharField(_("reason"), max_length=200)
    batch = models.CharField(_("batch"), max_length=32)
    state = models.CharField(_("state"), max_length=10, choices=TransferState.choices,
                             default=TransferState.PENDING)
    created_at = models.DateTimeField(_("created at"))
    due_at = models.DateTimeField(_("completes at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer transfer")
        verbose_name_plural = _("customer transfers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="crm_transfer_budget"),
            models.Index(fields=["due_at", "id"], name="crm_transfer_due",
                         condition=Q(state=TransferState.PENDING)),
        ]
        constraints = [
            # The database's word on "one pending transfer per customer", whatever the race.
            models.UniqueConstraint(fields=["customer"], condition=Q(state=TransferState.PENDING),
                                    name="crm_transfer_one_pending"),
            models.CheckConstraint(condition=Q(state=TransferState.PENDING, decided_at__isnull=True)
                                   | (~Q(state=TransferState.PENDING) & Q(decided_at__isnull=False)),
                                   name="crm_transfer_decided_iff_not_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_owner_id or '-'} → {self.to_owner_id or '-'} ({self.state})"


class StageChange(models.Model):
    """A member's lifecycle stage changing, as found by the daily profile computation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("member"))
    day = models.DateField(_("day"))
    from_stage = models.CharField(_("from stage"), max_length=10, choices=Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=10, choices=Stage.choices)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="crm_stage_change_once_a_day")]
        indexes = [models.Index(fields=["day", "to_stage"], name="crm_stage_change_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.from_stage} → {self.to_stage}"


class ChurnDigest(models.Model):
    """One row per digest day: the claim that makes the morning e-mail go out once."""

    day = models.DateField(_("day"), unique=True)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    members = models.PositiveIntegerField(pgettext_lazy("churn digest", "members"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("churn digest")
        verbose_name_plural = _("churn digests")

    def __str__(self) -> str:
        return str(self.day)
