from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.fields import MoneyField
from common.models import SingletonModel


class ShippingRule(SingletonModel):
    """The one shipping rule (a singleton row, pk 1) that staff edit in the admin; read it
    with ``ShippingRule.get_solo()``. Cached (every checkout reads it): the kernel's
    ``SingletonModel`` fills the cache after commit and clears it on every save.

    The fee is ``flat_fee``, or 0 when the items' amount after discounts reaches
    ``free_over`` (empty: never free).
    """

    cache_key = "orders:shipping-rule:v1"

    id = models.PositiveSmallIntegerField(
        primary_key=True, default=SingletonModel.SINGLETON_PK, editable=False)
    flat_fee = MoneyField(_("flat shipping fee"), default=Decimal("10.00"))
    free_over = MoneyField(
        _("free shipping from"), null=True, blank=True, default=Decimal("99.00"),
        help_text=_(
            "Orders whose items come to at least this amount ship free. Leave empty to always charge."),
    )
    aftersale_window_days = models.PositiveSmallIntegerField(
        _("after-sales window (days after receipt)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Refunds may be asked for this many days after receipt; commission settles after it."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shipping rule")
        verbose_name_plural = _("shipping rule")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="shipping_rule_singleton"),
            models.CheckConstraint(condition=Q(aftersale_window_days__gte=1, aftersale_window_days__lte=30),
                                   name="shipping_rule_window_range"),
            models.CheckConstraint(condition=Q(flat_fee__gte=0), name="shipping_rule_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(free_over__isnull=True) | Q(free_over__gte=0),
                name="shipping_rule_free_over_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Shipping rule"))

    def fee_for(self, items_amount: Decimal) -> Decimal:
        if self.free_over is not None and items_amount >= self.free_over:
            return Decimal("0.00")
        return self.flat_fee
