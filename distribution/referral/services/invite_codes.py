"""Invite codes: random, unambiguous, never derived from anything about the member."""

import math
import re
import secrets

# No 0/O, 1/I/L: codes are read aloud and typed from screenshots.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
ENTROPY_BITS = LENGTH * math.log2(len(ALPHABET))  # 49.5 bits
_FORMAT = re.compile(rf"^[{ALPHABET}]{{8,16}}$")

assert ENTROPY_BITS >= 40


def invite_code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def invite_code_normalize(raw: str | None) -> str | None:
    """Upper-cased code without spaces, or ``None`` if it cannot be a code at all."""
    code = re.sub(r"[\s-]", "", raw or "").upper()
    return code if _FORMAT.match(code) else None
