"""Where returned goods go (退货地址): one per supplier, and exactly one platform default."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from mall.models import Supplier

# A warehouse answers on a mobile, a landline with its area code, or a 400 number.
validate_contact_phone = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$",
    _("Enter a mobile number, a landline with its area code (0571-88886666) or a 400 number."),
    code="invalid_phone",
)


class ReturnAddress(TimeStampedModel):
    """A return address. An item goes back to its supplier's address, else to the
    platform default; the after-sale keeps a copy taken when staff approve the return."""

    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="return_addresses",
        verbose_name=_("supplier"),
        help_text=_("Leave empty for a platform address."),
    )
    is_platform_default = models.BooleanField(
        _("platform default"),
        default=False,
        help_text=_("Used for items whose supplier has no return address of its own."),
    )
    receiver = models.CharField(_("receiver"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_contact_phone])
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=20)
    district = models.CharField(_("district"), max_length=20)
    detail = models.CharField(_("street address"), max_length=120)
    note = models.CharField(
        _("note to the shopper"),
        max_length=200,
        blank=True,
        help_text=_("e.g. no cash-on-delivery parcels; write the order number on the box."),
    )

    class Meta:
        verbose_name = _("return address")
        verbose_name_plural = _("return addresses")
        ordering = ["-is_platform_default", "supplier__name", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_platform_default"],
                condition=Q(is_platform_default=True),
                name="return_address_one_platform_default",
            ),
            models.UniqueConstraint(
                fields=["supplier"],
                condition=Q(supplier__isnull=False),
                name="return_address_one_per_supplier",
                violation_error_message=_("This supplier already has a return address."),
            ),
            models.CheckConstraint(
                condition=Q(is_platform_default=False) | Q(supplier__isnull=True),
                name="return_address_default_is_the_platforms",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receiver} {self.full_text}"

    @property
    def full_text(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"
