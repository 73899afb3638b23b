"""Staff settings of the issuing rules."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import SingletonModel
from promotions.models.coupon import CouponTemplate


class ReturningCustomerRule(SingletonModel):
    """老客专享: the daily task grants ``template`` to members whose last paid order is older
    than ``inactive_days``, at most once per member per ``repeat_days``."""

    enabled = models.BooleanField(_("enabled"), default=False)
    template = models.ForeignKey(
        CouponTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coupon template"),
    )
    inactive_days = models.PositiveSmallIntegerField(
        _("last paid order older than (days)"), default=60, validators=[MinValueValidator(1)]
    )
    repeat_days = models.PositiveSmallIntegerField(
        _("at most once per member every (days)"), default=30, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("returning-customer offer")
        verbose_name_plural = _("returning-customer offer")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="returningcustomerrule_singleton")]

    def __str__(self) -> str:
        return str(_("Returning-customer offer"))
