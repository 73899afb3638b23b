"""Every row lock the promotions app takes (STYLE rule 3). House order: orders' locks (the
checkout's) → coupon → partner voucher; a partner's budget is changed only by guarded
UPDATEs, never locked here."""

from common.db import ModelSelect
from promotions.models import Coupon, PartnerVoucher

_COUPON_ROWS = ModelSelect(Coupon, related=("template",))  # checkout with a coupon locks through it


def coupon_lock_for_member(*, coupon_id: int, user_id: int) -> Coupon | None:
    """The member's coupon, locked; ``None`` if it is not theirs. Two checkouts racing for
    one coupon queue here; the second then sees it used."""
    rows = _COUPON_ROWS.fetch("t0.id = %s AND t0.user_id = %s", [coupon_id, user_id], for_update=True)
    return rows[0] if rows else None


def coupon_lock_for_order(*, order_id: int) -> Coupon | None:
    return (
        Coupon.objects.select_for_update(of=("self",))
        .select_related("template")
        .filter(order_id=order_id)
        .order_by("pk")
        .first()
    )


def voucher_lock_by_code(*, code: str, partner_id: int) -> PartnerVoucher | None:
    """A partner's voucher by its code, locked: concurrent scans of one code verify it once."""
    return (
        PartnerVoucher.objects.select_for_update(of=("self",))
        .select_related("offer")
        .filter(code=code, offer__partner_id=partner_id)
        .order_by("pk")
        .first()
    )
