"""Mainland China mobile numbers: validation and PIPL masking."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(value or ""):
        raise ValidationError(
            _("Enter a valid mainland China mobile number (11 digits starting with 1)."),
            code="invalid_phone",
        )


def mask_phone(phone: str) -> str:
    """``13812341234`` → ``138****1234``."""
    if len(phone) != 11:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
