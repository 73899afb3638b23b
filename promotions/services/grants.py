"""Staff grant a template to a list of members (phones, one per row), each row with its result.

Every row is granted in its own transaction with the key ``staff:<batch>:<phone>``, so a
list uploaded twice (a double submit, a retry after a timeout) grants nobody twice, and a
row that fails (an unknown phone, stock run out) does not undo the others.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from common.errors import DomainError
from common.phone import PHONE_RE, normalize_phone
from mall.models import User
from promotions.errors import GrantForbidden
from promotions.models import Coupon, CouponSource, CouponTemplate
from promotions.services.issue import coupon_grant

GRANT_PERMISSION = "promotions.grant_coupon"
MAX_ROWS = 2000


@dataclass(frozen=True)
class GrantRow:
    phone: str
    ok: bool
    message: str
    coupon: Coupon | None = None


def can_grant(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(GRANT_PERMISSION))


def _phones(raw: str) -> list[str]:
    seen: dict[str, None] = {}
    for line in raw.replace(",", "\n").replace("，", "\n").splitlines():
        if line.strip():
            seen.setdefault(normalize_phone(line.strip())[:20], None)
    return list(seen)[:MAX_ROWS]


def _grant_row(*, template: CouponTemplate, phone: str, batch: str, source: str) -> GrantRow:
    if not PHONE_RE.match(phone):
        return GrantRow(phone=phone, ok=False, message=_("Not a mobile number."))
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        return GrantRow(phone=phone, ok=False, message=_("No member with this number."))
    try:
        coupon = coupon_grant(template=template, user=user, source=source, key=f"staff:{batch}:{phone}")
    except DomainError as exc:
        return GrantRow(phone=phone, ok=False, message=str(exc.message))
    return GrantRow(phone=phone, ok=True, message=_("Granted."), coupon=coupon)


def coupons_grant_to_phones(
    *, template: CouponTemplate, phones: str, batch: str, actor: User, source: str = CouponSource.STAFF
) -> list[GrantRow]:
    """Grant one coupon of ``template`` to each member in ``phones`` (newline or comma separated).
    ``batch`` names the upload (e.g. its form token): the same batch again grants nobody twice."""
    if not can_grant(actor):
        raise GrantForbidden()
    batch = batch.strip()[:40]
    if not batch:
        raise ValueError("a batch key is needed")
    return [
        _grant_row(template=template, phone=phone, batch=batch, source=source) for phone in _phones(phones)
    ]
