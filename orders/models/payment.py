from django.db import models
from django.utils.translation import gettext_lazy as _

from common.fields import MoneyField
from orders.models.order import Order


class Payment(models.Model):
    """A payment the gateway confirmed (by a verified notice or a query).

    ``(provider, transaction_id)`` is unique: a duplicate notice can never make a second
    row. One order has at most one payment.
    """

    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, related_name="payment", verbose_name=_("order")
    )
    provider = models.CharField(_("provider"), max_length=20)
    transaction_id = models.CharField(_("transaction id"), max_length=64)
    amount = MoneyField(_("amount"))
    paid_at = models.DateTimeField(_("paid at"))
    source = models.CharField(
        _("confirmed by"), max_length=10, choices=[("notice", _("notice")), ("query", _("query"))]
    )
    raw = models.JSONField(_("gateway data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "transaction_id"], name="payment_unique_provider_transaction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.transaction_id}"
