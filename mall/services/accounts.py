"""Sign-up, sign-in (password or SMS code) and SMS verification codes.

Every limit is a setting in ``config/settings/base.py`` ("SMS verification codes", "Sign-in
and SMS limits"); how the sign-in limits work together is in ``mall/services/signin_guard.py``.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from common import ratelimit
from common.phone import PHONE_RE, normalize_phone
from mall.errors import (
    AccountInactive,
    CodeInvalid,
    CodeRateLimited,
    PhoneInvalid,
    PhoneNotRegistered,
    PhoneTaken,
    WeakPassword,
    WrongCredentials,
)
from mall.hooks import hooks
from mall.models import PhoneCode, User
from mall.services.signin_guard import (
    signin_address_clear,
    signin_attempt_begin,
    signin_attempt_failed,
    signin_attempt_succeeded,
)
from mall.sms.backends import SMSMessage, get_backend


def phone_parse(raw: str) -> str:
    phone = normalize_phone(raw)
    if not PHONE_RE.match(phone):
        raise PhoneInvalid()
    return phone


def _code_hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def phone_code_send(*, phone: str, ip: str, purpose: str = PhoneCode.Purpose.SIGNUP) -> PhoneCode:
    """Send a 6-digit code. At most one a minute and ``SMS_MAX_PER_PHONE_PER_DAY`` a day per
    phone, and ``SMS_CODES_PER_ADDRESS_PER_HOUR`` per client address ``ip``, whatever the phones."""
    phone = phone_parse(phone)
    now = timezone.now()
    recent = PhoneCode.objects.filter(phone=phone, created_at__gte=now - timedelta(days=1))
    if recent.filter(created_at__gte=now - settings.SMS_RESEND_INTERVAL).exists():
        raise CodeRateLimited()
    if recent.count() >= settings.SMS_MAX_PER_PHONE_PER_DAY:
        raise CodeRateLimited()
    address_key = f"sms:address:{ratelimit.address_key(ip)}"
    if not ratelimit.hit(address_key, limit=settings.SMS_CODES_PER_ADDRESS_PER_HOUR, window_seconds=3600):
        raise CodeRateLimited()
    # Also an atomic per-phone guard, so two racing requests cannot both pass the check above.
    if not ratelimit.hit(f"sms:{phone}", limit=1,
                         window_seconds=int(settings.SMS_RESEND_INTERVAL.total_seconds())):
        ratelimit.release(address_key)  # nothing was sent
        raise CodeRateLimited()
    code = f"{secrets.randbelow(10**6):06d}"
    record = PhoneCode.objects.create(phone=phone, purpose=purpose, code_hash=_code_hash(phone, code),
                                      expires_at=now + settings.SMS_CODE_TTL)
    minutes = int(settings.SMS_CODE_TTL.total_seconds() // 60)
    get_backend().send(SMSMessage(phone=phone, template="verification_code",
                                  params={"code": code, "minutes": str(minutes)}))
    return record


def phone_code_check(*, phone: str, code: str, purpose: str = PhoneCode.Purpose.SIGNUP) -> PhoneCode:
    """Check ``code`` against the newest live code for ``phone`` without consuming it.

    A wrong guess counts against the code at once (its own statement, not rolled back
    with the caller); after ``SMS_MAX_VERIFY_ATTEMPTS`` wrong guesses the code is dead.
    """
    now = timezone.now()
    record = (PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True,
                                       expires_at__gt=now)
              .order_by("-created_at").first())
    if record is None or record.attempts >= settings.SMS_MAX_VERIFY_ATTEMPTS:
        raise CodeInvalid()
    if not hmac.compare_digest(record.code_hash, _code_hash(phone, (code or "").strip())):
        PhoneCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
        raise CodeInvalid()
    return record


def phone_code_consume(*, record: PhoneCode) -> None:
    """Mark a checked code used. Conditional update: two racing requests with the right
    code cannot both consume it. Run it in the transaction of what the code unlocks, so a
    failure there gives the code back."""
    if not PhoneCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise CodeInvalid()


def phone_code_verify(*, phone: str, code: str, purpose: str = PhoneCode.Purpose.SIGNUP) -> None:
    phone_code_consume(record=phone_code_check(phone=phone, code=code, purpose=purpose))


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise WeakPassword(" ".join(exc.messages)) from None


def user_register(
    *,
    phone: str,
    password: str,
    code: str | None = None,
    nickname: str = "",
    invite_code: str | None = None,
    source: str = "code",
    ip: str = "",
) -> User:
    """Register a member. Validates everything first; then consumes the code, creates the
    user and calls the ``user_registered`` hooks in one transaction, so a hook that refuses
    (e.g. a bad invite code, or too many wrong ones from the client address ``ip``) leaves
    no user and gives the code back."""
    phone = phone_parse(phone)
    if User.objects.filter(phone=phone).exists():
        raise PhoneTaken()
    _check_password(password, User(phone=phone, nickname=nickname))
    record = phone_code_check(phone=phone, code=code or "") if settings.SIGNUP_REQUIRES_SMS_CODE else None
    try:
        with transaction.atomic():
            if record is not None:
                phone_code_consume(record=record)
            user = User.objects.create_user(
                phone, password, nickname=nickname.strip()[:40],
                phone_verified_at=timezone.now() if settings.SIGNUP_REQUIRES_SMS_CODE else None,
            )
            hooks.call("user_registered", user=user, invite_code=invite_code or None, source=source,
                       ip=ip)
    except IntegrityError:
        raise PhoneTaken() from None
    return user


def user_authenticate(*, phone: str, password: str, ip: str) -> User:
    """Check a phone + password pair from the client address ``ip``, within the sign-in
    limits of ``signin_guard`` (``SignInRateLimited``, ``SignInCodeRequired``)."""
    phone = phone_parse(phone)
    attempt = signin_attempt_begin(phone=phone, ip=ip)
    user = User.objects.filter(phone=phone).first()
    if user is None or not user.is_active or not user.check_password(password):
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing oracle
        signin_attempt_failed(attempt)
        raise WrongCredentials()
    signin_attempt_succeeded(attempt)
    return user


def user_authenticate_with_code(*, phone: str, code: str, ip: str) -> User:
    """Sign in with an SMS code (purpose ``signin``).

    The password limits never refuse this path: it is how a member whose phone is under
    attack gets in. The code has its own limits (one a minute and a daily cap per phone, a
    cap per address, ``SMS_MAX_VERIFY_ATTEMPTS`` guesses per code). Unknown or disabled
    accounts are told so only after a right code, i.e. to whoever holds the phone.
    """
    phone = phone_parse(phone)
    record = phone_code_check(phone=phone, code=code, purpose=PhoneCode.Purpose.SIGNIN)
    user = User.objects.filter(phone=phone).first()
    if user is None:
        raise PhoneNotRegistered()
    if not user.is_active:
        raise AccountInactive()
    phone_code_consume(record=record)
    signin_address_clear(phone=phone, ip=ip)
    return user


def user_update_profile(*, user: User, nickname: str) -> User:
    user.nickname = nickname.strip()[:40]
    user.save(update_fields=["nickname"])
    return user


def user_set_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise WrongCredentials()
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])


def user_reset_password(*, phone: str, code: str, new_password: str) -> User:
    phone = phone_parse(phone)
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        raise CodeInvalid()
    _check_password(new_password, user)
    record = phone_code_check(phone=phone, code=code, purpose=PhoneCode.Purpose.RESET_PASSWORD)
    with transaction.atomic():
        phone_code_consume(record=record)
        user.set_password(new_password)
        user.save(update_fields=["password"])
    return user


def phone_codes_purge(*, older_than: timedelta = timedelta(days=2)) -> int:
    deleted, _ = PhoneCode.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
