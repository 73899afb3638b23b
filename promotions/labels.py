"""How a template's rule reads to shoppers: "满¥100减¥10", "85折，最多减¥20", "无门槛减¥5"."""

from django.utils.translation import gettext as _

from common.money import format_cny
from promotions.models import CouponKind, CouponTemplate


def rule_text(template: CouponTemplate) -> str:
    if template.kind == CouponKind.THRESHOLD:
        return _("%(amount)s off orders over %(threshold)s") % {
            "amount": format_cny(template.amount),
            "threshold": format_cny(template.threshold),
        }
    if template.kind == CouponKind.PERCENT:
        text = _("%(percent)s%% off") % {"percent": template.percent_off}
        if template.max_discount is not None:
            text = _("%(text)s, up to %(ceiling)s") % {
                "text": text,
                "ceiling": format_cny(template.max_discount),
            }
        return text
    return _("%(amount)s off, no minimum") % {"amount": format_cny(template.amount)}


def headline(template: CouponTemplate) -> str:
    """The big figure on a coupon card: "¥10" or "85折" (zh) / "15% off" (en)."""
    if template.kind == CouponKind.PERCENT:
        return _("%(percent)s%% off") % {"percent": template.percent_off}
    return format_cny(template.amount)
