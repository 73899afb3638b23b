"""The carriers staff choose from when they ship (stored by name on the order, as before)."""

from django.utils.translation import gettext_lazy as _

CARRIERS = ("顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "极兔速递", "京东物流",
            "中国邮政 EMS", "德邦快递")
OTHER = "其他"
CARRIER_CHOICES = [(name, name) for name in (*CARRIERS, OTHER)]
CARRIER_HELP = _("The carrier the parcel goes with.")
