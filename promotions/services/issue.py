"""Issuing coupons: claims in the claim centre and grants (sign-up gift, 老客专享, staff,
the API, messages).

Stock: one guarded ``UPDATE … SET issued = issued + 1 WHERE issued < stock`` per coupon,
so a template never issues more than its stock whatever the number of concurrent claims
(I9). It also takes the template's row lock until commit, so the per-member count that
follows is read after every earlier claim on the template has committed; the unique
``(template, member, claim_seq)`` constraint backs the limit in the database.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from mall.models import User
from promotions.errors import (
    CouponLimitReached,
    CouponNotClaimable,
    CouponSoldOut,
    CouponTemplateNotFound,
)
from promotions.models import Coupon, CouponSource, CouponTemplate

GRANT_KEY_MAX = 80


def _validity(template: CouponTemplate, now: datetime) -> tuple[datetime, datetime]:
    start = template.valid_from or now
    if template.valid_days:
        return now, now + timedelta(days=template.valid_days)
    return start, template.valid_until


def _offered(template: CouponTemplate, now: datetime) -> bool:
    if not template.is_active:
        return False
    if template.valid_until is not None and template.valid_until <= now:
        return False
    return template.valid_from is None or template.valid_from <= now or bool(template.valid_days)


def _take_one(template: CouponTemplate) -> None:
    taken = CouponTemplate.objects.filter(pk=template.pk, issued__lt=F("stock")).update(
        issued=F("issued") + 1
    )
    if not taken:
        raise CouponSoldOut()


def _create(
    *,
    template: CouponTemplate,
    user: User,
    source: str,
    claim_seq: int | None = None,
    grant_key: str | None = None,
) -> Coupon:
    now = timezone.now()
    valid_from, valid_until = _validity(template, now)
    return Coupon.objects.create(
        funded_by_id=template.partner_id,
        template=template,
        user=user,
        source=source,
        claim_seq=claim_seq,
        grant_key=grant_key,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def _claim(template: CouponTemplate, user: User) -> Coupon:
    if not _offered(template, timezone.now()):
        raise CouponNotClaimable()
    _take_one(template)  # holds the template's row until commit: claims on it queue here
    claimed = Coupon.objects.filter(template=template, user=user, claim_seq__isnull=False).count()
    if claimed >= template.per_member_limit:
        raise CouponLimitReached()
    try:
        with transaction.atomic():
            return _create(template=template, user=user, source=CouponSource.CLAIM, claim_seq=claimed + 1)
    except IntegrityError:  # the constraint behind the count: never more than the limit
        raise CouponLimitReached() from None


@transaction.atomic
def coupon_claim(*, template_id: int, user: User) -> Coupon:
    """A member claims a coupon in the claim centre (or from a product page's chip).

    ``CouponTemplateNotFound`` for a grant-only or unknown template, ``CouponNotClaimable``
    outside its dates, ``CouponSoldOut``, ``CouponLimitReached``; then nothing changed.
    """
    template = CouponTemplate.objects.filter(pk=template_id, in_claim_centre=True).first()
    if template is None:
        raise CouponTemplateNotFound()
    return _claim(template, user)


@transaction.atomic
def coupon_claim_by_link(*, token: str, user: User) -> Coupon:
    """A partner's customer claims the partner-funded coupon through the partner's link."""
    template = CouponTemplate.objects.filter(link_token=token or None, partner__isnull=False).first()
    if template is None:
        raise CouponTemplateNotFound()
    return _claim(template, user)


@transaction.atomic
def coupon_grant(*, template: CouponTemplate, user: User, source: str, key: str) -> Coupon:
    """Give ``user`` a coupon of ``template`` (sign-up gift, 老客专享, staff, API, messages).

    Idempotent per ``key`` (the caller's, e.g. ``"crm:message:812:13800000001"``): the same
    key again returns the coupon it gave, whatever the template or member asked the second
    time. Grants take stock (``CouponSoldOut``) but do not count against the claim limit.
    """
    key = (key or "").strip()
    if not key or len(key) > GRANT_KEY_MAX:
        raise ValueError("coupon_grant needs a key of 1..80 characters")
    if source not in CouponSource.values or source == CouponSource.CLAIM:
        raise ValueError(f"not a grant source: {source!r}")
    existing = Coupon.objects.filter(grant_key=key).first()
    if existing is not None:
        return existing
    if not template.is_active:
        raise CouponNotClaimable()
    _take_one(template)
    try:
        with transaction.atomic():
            return _create(template=template, user=user, source=source, grant_key=key)
    except IntegrityError:  # the same key granted meanwhile by a racing caller
        first = Coupon.objects.get(grant_key=key)
        transaction.set_rollback(True)  # and the stock this attempt took goes back
        return first


def coupon_grant_for_message(*, template: str, user: User, source: str, key: str) -> Coupon:
    """``coupon_grant`` for a member message (``settings.CRM_COUPON_GRANT``): the message
    template names its coupon template by id, as text. An unknown id is
    ``CouponTemplateNotFound``; the key makes a re-sent message grant nothing twice."""
    ref = str(template or "").strip()
    found = CouponTemplate.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    if found is None:
        raise CouponTemplateNotFound()
    return coupon_grant(template=found, user=user, source=CouponSource.MESSAGE, key=key)
