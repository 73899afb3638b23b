"""Limits on password sign-in that refuse an attacker and never lock the member out.

Thresholds are settings (``config/settings/base.py``, block "Sign-in and SMS limits"):

- failed attempts per (phone, client address): ``SIGNIN_FAILURES_PER_PHONE_ADDRESS`` in
  ``SIGNIN_WINDOW``, then that address may not try that phone (``signin_rate_limited``);
- failed attempts per client address, whatever the phone: ``SIGNIN_FAILURES_PER_ADDRESS``,
  then that address may not try any phone (password spraying);
- a phone with failures from ``SIGNIN_ATTACK_ADDRESSES`` distinct addresses within
  ``SIGNIN_ATTACK_WINDOW`` is under attack: password sign-in for it answers
  ``signin_code_required`` *without checking the password* (so it is no oracle either),
  and the member signs in with an SMS code (``user_authenticate_with_code``), which these
  counters never refuse: the code reaches only the member's phone.

Nothing here counts per phone alone, so knowing someone's number is not enough to lock
them out: from any other address their password keeps working until the phone is under
attack, and then their SMS code works. An IPv6 client counts as its /64.

Each attempt reserves its slots before the password is checked (two racing attempts cannot
both take the last one) and a right password gives them back, so only failures count.
Refused attempts count nothing either.
"""

from dataclasses import dataclass

from django.conf import settings

from common import ratelimit
from mall.errors import SignInCodeRequired, SignInRateLimited


@dataclass(frozen=True)
class SignInAttempt:
    phone: str
    address: str
    slots: tuple[str, ...]


def _seconds(name: str) -> int:
    return int(getattr(settings, name).total_seconds())


def _attack_key(phone: str) -> str:
    return f"signin:addresses:{phone}"


def signin_under_attack(*, phone: str) -> bool:
    """Whether password sign-in for ``phone`` needs the SMS-code path now."""
    return ratelimit.peek(_attack_key(phone)) >= settings.SIGNIN_ATTACK_ADDRESSES


def signin_attempt_begin(*, phone: str, ip: str) -> SignInAttempt:
    """Reserve one password attempt for ``phone`` from ``ip``, or refuse it.

    Raises ``SignInRateLimited`` (429) when this address used up its failures, for this
    phone or for all phones; ``SignInCodeRequired`` (403) when the phone is under attack.
    A refused attempt counts nothing.
    """
    address = ratelimit.address_key(ip)
    window = _seconds("SIGNIN_WINDOW")
    limits = ((f"signin:address:{address}", settings.SIGNIN_FAILURES_PER_ADDRESS),
              (f"signin:pair:{phone}:{address}", settings.SIGNIN_FAILURES_PER_PHONE_ADDRESS))
    taken: list[str] = []
    for key, limit in limits:
        taken.append(key)
        if not ratelimit.hit(key, limit=limit, window_seconds=window):
            _release(taken)
            raise SignInRateLimited()
    if signin_under_attack(phone=phone):
        _release(taken)
        raise SignInCodeRequired()
    return SignInAttempt(phone=phone, address=address, slots=tuple(taken))


def signin_attempt_failed(attempt: SignInAttempt) -> None:
    """Keep the attempt's slots, and count its address once among the phone's attackers."""
    window = _seconds("SIGNIN_ATTACK_WINDOW")
    first_from_here = ratelimit.count(f"signin:seen:{attempt.phone}:{attempt.address}",
                                      window_seconds=window) == 1
    if first_from_here:
        ratelimit.count(_attack_key(attempt.phone), window_seconds=window)


def signin_attempt_succeeded(attempt: SignInAttempt) -> None:
    """Give the address its slot back and forget the member's own typos from here. The
    address count is never reset: one good account must not whitewash a spraying address."""
    address_slot, pair_key = attempt.slots
    ratelimit.release(address_slot)
    ratelimit.reset(pair_key)


def signin_address_clear(*, phone: str, ip: str) -> None:
    """After the member proved the phone is theirs (SMS code), their own earlier typos from
    this address no longer hold their password sign-in back here."""
    ratelimit.reset(f"signin:pair:{phone}:{ratelimit.address_key(ip)}")


def _release(keys: list[str]) -> None:
    for key in keys:
        ratelimit.release(key)
