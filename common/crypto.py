"""Encryption of sensitive values at rest (payout accounts, PIPL).

Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``. Keys come from
``settings.QUANZI_FIELD_KEYS`` (comma-separated urlsafe-base64 Fernet keys, newest
first, so old values still decrypt after a rotation). Without it, one key is derived from
``SECRET_KEY`` with HKDF — fine for development, set explicit keys in production.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derived_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"quanzi-field-encryption", info=b"v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret: str) -> MultiFernet:
    material = [k.encode() for k in keys if k] or [_derived_key(secret)]
    return MultiFernet([Fernet(k) for k in material])


def _current() -> MultiFernet:
    return _fernet(tuple(getattr(settings, "QUANZI_FIELD_KEYS", ()) or ()), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong key or corrupted value") from exc


def mask_account(value: str) -> str:
    """``6222021234567890123`` → ``6222 **** **** 0123``; short values keep 1 + 1 chars."""
    value = value.replace(" ", "")
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(value) <= 4:
        return "*" * len(value)
    if len(value) < 11:
        return f"{value[:1]}{'*' * (len(value) - 2)}{value[-1:]}"
    return f"{value[:4]} **** **** {value[-4:]}"
