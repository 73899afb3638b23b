"""The sandbox platform's RSA key pair (PEM files in ``PAYMENT_SANDBOX_KEY_DIR``): the
provider signs notices with the private key; the shop verifies them with the public one."""

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from orders.payments import crypto


def key_dir() -> Path:
    return Path(settings.PAYMENT_SANDBOX_KEY_DIR)


def keys_may_autogenerate() -> bool:
    return bool(settings.DEBUG or settings.PAYMENT_SANDBOX_AUTOGENERATE_KEYS)


def ensure_keys() -> None:
    if (key_dir() / crypto.PRIVATE_KEY_FILE).exists():
        return
    if not keys_may_autogenerate():
        raise ImproperlyConfigured(
            f"No sandbox payment keys in {key_dir()}: run `manage.py payment_sandbox_keys`."
        )
    crypto.generate_key_pair(key_dir())


def private_key() -> rsa.RSAPrivateKey:
    ensure_keys()
    return crypto.load_private_key(key_dir() / crypto.PRIVATE_KEY_FILE)


def platform_serial() -> str:
    return crypto.key_serial(private_key().public_key())
