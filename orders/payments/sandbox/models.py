"""The sandbox payment provider's own records: it stands in for WeChat Pay's database.

Only the sandbox (``provider``, ``notices``) writes here; the shop side never reads these
tables directly, it asks through the gateway API (create, query, close, refund).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SandboxTrade(models.Model):
    class State(models.TextChoices):
        NOTPAY = "NOTPAY", _("not paid")
        SUCCESS = "SUCCESS", _("paid")
        PAYERROR = "PAYERROR", _("payment failed")
        CLOSED = "CLOSED", _("closed")

    mchid = models.CharField(_("merchant id"), max_length=32)
    appid = models.CharField(_("app id"), max_length=32)
    out_trade_no = models.CharField(_("merchant order number"), max_length=32)
    description = models.CharField(_("description"), max_length=127)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    notify_url = models.URLField(_("notify URL"), max_length=300)
    return_url = models.CharField(_("return URL"), max_length=300, blank=True)
    token = models.CharField(max_length=43, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NOTPAY)
    transaction_id = models.CharField(_("transaction id"), max_length=32, null=True, blank=True, unique=True)
    success_time = models.DateTimeField(_("paid at"), null=True, blank=True)
    time_expire = models.DateTimeField(_("expires at"))
    notice_delivered_at = models.DateTimeField(null=True, blank=True)
    notice_attempts = models.PositiveIntegerField(default=0)
    next_notice_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox trade")
        verbose_name_plural = _("sandbox trades")
        constraints = [
            models.UniqueConstraint(fields=["mchid", "out_trade_no"], name="sandbox_trade_unique_out_no"),
        ]
        indexes = [
            models.Index(
                fields=["next_notice_at"],
                name="sandbox_trade_notice_due",
                condition=Q(notice_delivered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.out_trade_no} {self.state}"


class SandboxRefund(models.Model):
    class State(models.TextChoices):
        PROCESSING = "PROCESSING", _("processing")
        SUCCESS = "SUCCESS", _("succeeded")
        ABNORMAL = "ABNORMAL", _("abnormal")

    trade = models.ForeignKey(SandboxTrade, on_delete=models.PROTECT, related_name="refunds")
    out_refund_no = models.CharField(_("merchant refund number"), max_length=64)
    refund_id = models.CharField(_("refund id"), max_length=32, unique=True)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    notify_url = models.URLField(_("notify URL"), max_length=300)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PROCESSING)
    success_time = models.DateTimeField(null=True, blank=True)
    notice_delivered_at = models.DateTimeField(null=True, blank=True)
    notice_attempts = models.PositiveIntegerField(default=0)
    next_notice_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox refund")
        verbose_name_plural = _("sandbox refunds")
        constraints = [
            models.UniqueConstraint(fields=["trade", "out_refund_no"], name="sandbox_refund_unique_out_no"),
        ]

    def __str__(self) -> str:
        return f"{self.out_refund_no} {self.state}"
