from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from common.phone import mask_phone, validate_phone


class Address(TimeStampedModel):
    """A member's delivery address. At most one is the default (a partial unique index)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("member")
    )
    receiver = models.CharField(_("receiver"), max_length=40)
    phone = models.CharField(_("phone"), max_length=11, validators=[validate_phone])
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=20)
    district = models.CharField(_("district"), max_length=20)
    detail = models.CharField(_("street address"), max_length=120)
    # The district's GB/T 2260 code (orders/regions.py), set when the (province, city,
    # district) chain was checked; blank on addresses saved before the region picker whose
    # names matched no chain (they keep working; editing one asks for a real chain).
    region_code = models.CharField(_("region code"), max_length=6, blank=True, default="")
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="address_one_default_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receiver} {mask_phone(self.phone)} {self.full_text}"

    @property
    def full_text(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"
