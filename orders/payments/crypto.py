"""WeChat Pay APIv3-style cryptography: SHA256withRSA signatures over
``timestamp\\nnonce\\nbody\\n`` and AEAD_AES_256_GCM for the notice resource."""

import base64
import fcntl
import hashlib
import os
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PRIVATE_KEY_FILE = "platform_private.pem"
PUBLIC_KEY_FILE = "platform_public.pem"


def message_to_sign(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def sign(private_key: rsa.RSAPrivateKey, message: bytes) -> str:
    signature = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def verify(public_key: rsa.RSAPublicKey, message: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def key_serial(public_key: rsa.RSAPublicKey) -> str:
    """A stable id of the key (stands in for the platform certificate serial number)."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:40].upper()


def aes_gcm_encrypt(key: bytes, plaintext: bytes, associated_data: bytes) -> tuple[str, str]:
    nonce = base64.b32encode(os.urandom(10)).decode()[:12]  # 12 ASCII chars, as WeChat sends
    ciphertext = AESGCM(key).encrypt(nonce.encode(), plaintext, associated_data)
    return nonce, base64.b64encode(ciphertext).decode()


def aes_gcm_decrypt(key: bytes, nonce: str, ciphertext_b64: str, associated_data: bytes) -> bytes:
    """Raises ``ValueError`` when the ciphertext was tampered with or the key is wrong."""
    try:
        return AESGCM(key).decrypt(nonce.encode(), base64.b64decode(ciphertext_b64), associated_data)
    except (InvalidTag, ValueError, TypeError) as exc:
        raise ValueError("resource does not decrypt") from exc


def generate_key_pair(directory: Path, *, overwrite: bool = False) -> tuple[Path, Path]:
    """Write a fresh 2048-bit RSA pair as PEM files; the private one readable by the owner only."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / PRIVATE_KEY_FILE, directory / PUBLIC_KEY_FILE
    # One writer at a time (processes too), so the two files always belong together.
    with (directory / ".keys.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if private_path.exists() and public_path.exists() and not overwrite:
            return private_path, public_path
        _write_pair(directory, private_path, public_path)
    return private_path, public_path


def _write_pair(directory: Path, private_path: Path, public_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tmp = directory / f".{PRIVATE_KEY_FILE}.{os.getpid()}.tmp"
    tmp.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    tmp.chmod(0o600)
    pub_tmp = directory / f".{PUBLIC_KEY_FILE}.{os.getpid()}.tmp"
    pub_tmp.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    # Rename, so a reader sees either the old file or the whole new one.
    pub_tmp.replace(public_path)
    tmp.replace(private_path)


@lru_cache(maxsize=8)
def _load_private(path: str, mtime_ns: int) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError(f"{path} is not an RSA private key")
    return key


@lru_cache(maxsize=8)
def _load_public(path: str, mtime_ns: int) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, rsa.RSAPublicKey):
        raise TypeError(f"{path} is not an RSA public key")
    return key


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    return _load_private(str(path), path.stat().st_mtime_ns)


def load_public_key(path: Path) -> rsa.RSAPublicKey:
    return _load_public(str(path), path.stat().st_mtime_ns)
