"""Outbound partner offers: members claim a voucher (a code and a QR code), partner staff
verify it once, and each verification posts the partner's fee to its ledger."""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from mall.models import User
from promotions.errors import (
    OfferNotClaimable,
    PartnerForbidden,
    VoucherAlreadyVerified,
    VoucherExpired,
    VoucherNotFound,
)
from promotions.lock_objects import voucher_lock_by_code
from promotions.models import Partner, PartnerOffer, PartnerStaff, PartnerVoucher, VoucherState
from promotions.services.partner_ledger import partner_voucher_fee

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O/1/I/L: read aloud and typed at a counter
CODE_LENGTH = 10


def voucher_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def voucher_code_normalize(raw: str) -> str:
    return "".join((raw or "").split()).upper().replace("-", "")[:16]


@transaction.atomic
def partner_voucher_claim(*, offer_id: int, user: User) -> PartnerVoucher:
    """A member claims one voucher of an offer (one per member; stock by a guarded UPDATE)."""
    now = timezone.now()
    offer = PartnerOffer.objects.filter(
        pk=offer_id, is_active=True, valid_until__gt=now, partner__is_active=True
    ).first()
    if offer is None or PartnerVoucher.objects.filter(offer=offer, user=user).exists():
        raise OfferNotClaimable()
    if not PartnerOffer.objects.filter(pk=offer.pk, issued__lt=F("stock")).update(issued=F("issued") + 1):
        raise OfferNotClaimable()
    try:
        with transaction.atomic():
            return PartnerVoucher.objects.create(offer=offer, user=user, code=voucher_code_new())
    except IntegrityError:  # the same member from another connection, or (rarely) a code taken
        raise OfferNotClaimable() from None


def partner_for_staff(*, user: User, partner_id: int | None = None) -> Partner:
    """The partner ``user`` works for; ``PartnerForbidden`` for anyone else, and for a partner's
    staff member asking for another partner's page."""
    staff = (
        PartnerStaff.objects.select_related("partner").filter(user_id=user.pk).first()
        if user.is_authenticated
        else None
    )
    if staff is None or (partner_id is not None and staff.partner_id != partner_id):
        raise PartnerForbidden()
    return staff.partner


@transaction.atomic
def partner_voucher_verify(*, code: str, partner: Partner, actor: User) -> PartnerVoucher:
    """Partner staff verify a voucher (scanned or typed): once, under the voucher's row lock;
    the partner's fee is posted with it. Another partner's code is not found."""
    voucher = voucher_lock_by_code(code=voucher_code_normalize(code), partner_id=partner.pk)
    if voucher is None:
        raise VoucherNotFound()
    if voucher.state == VoucherState.VERIFIED:
        raise VoucherAlreadyVerified()
    now = timezone.now()
    if voucher.offer.valid_until <= now:
        raise VoucherExpired()
    PartnerVoucher.objects.filter(pk=voucher.pk, state=VoucherState.ISSUED).update(
        state=VoucherState.VERIFIED, verified_at=now, verified_by=actor
    )
    partner_voucher_fee(partner_id=partner.pk, amount=voucher.offer.fee, ref=f"voucher:{voucher.pk}")
    voucher.refresh_from_db()
    return voucher
